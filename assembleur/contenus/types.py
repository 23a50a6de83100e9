"""The values and the base model of the content: amounts, dates, texts typed the French way.

Field names are the YAML keys the staff type, in French. Every model refuses
unknown keys and suggests the nearest known one. Amounts, percentages and
dates accept the French ways of typing them (see :mod:`assembleur.contenus.french`);
an amount may also be a ``{chiffre}`` declared in ``programmation.yaml``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import french

PLACEHOLDER = re.compile(r"(?<!\^)\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_AMOUNT = Decimal(10) ** 12  # no French municipal budget line reaches a thousand billion euros

INTERCO = "Interco"
TO_FILL = "À COMPLÉTER"  # what « assembleur nouveau » leaves where a new year's value must be typed


def is_to_fill(value: Any) -> bool:
    """Is ``value`` the mark of a value still to type?"""
    return isinstance(value, str) and value.strip().upper().startswith(TO_FILL)


def _resolve_placeholder(value: Any, info: ValidationInfo) -> Any:
    """A whole-value ``{nom}`` stands for the figure declared under ``chiffres``."""
    if isinstance(value, str) and (m := PLACEHOLDER.fullmatch(value.strip())):
        figures = (info.context or {}).get("chiffres", {})
        if m[1] not in figures:
            raise PydanticCustomError("chiffre_inconnu", "chiffre inconnu « {nom} »", {"nom": m[1]})
        return figures[m[1]]
    return value


def _amount(value: Any, info: ValidationInfo) -> Decimal:
    try:
        amount = french.parse_amount(_resolve_placeholder(value, info))
    except french.ValueFormatError as exc:
        raise PydanticCustomError("montant", str(exc)) from None
    if amount < 0:
        raise PydanticCustomError("montant", "un montant ne peut pas être négatif ({v})", {"v": str(value)})
    if amount >= MAX_AMOUNT:
        raise PydanticCustomError("montant", "montant invraisemblable ({v}) : vérifiez les chiffres", {"v": str(value)})
    return amount


def _percent(value: Any, info: ValidationInfo) -> Decimal:
    try:
        percent = french.parse_percent(_resolve_placeholder(value, info))
    except french.ValueFormatError as exc:
        raise PydanticCustomError("pourcentage", str(exc)) from None
    if not 0 <= percent <= 100:
        raise PydanticCustomError(
            "pourcentage", "un pourcentage doit être compris entre 0 et 100 ({v})", {"v": str(value)}
        )
    return percent


def _date(value: Any) -> dt.date:
    try:
        return french.parse_date(value)
    except french.ValueFormatError as exc:
        raise PydanticCustomError("date", str(exc)) from None


def _count(value: Any, info: ValidationInfo) -> Any:
    return _resolve_placeholder(value, info)


def _yes_no(value: Any) -> Any:
    # « oui » and « non », as the staff type them, besides YAML's true and false
    if isinstance(value, str) and value.strip().lower() in ("oui", "non"):
        return value.strip().lower() == "oui"
    return value


def _text(value: Any) -> Any:
    # YAML turns `2019` or `1.5` into numbers; in a text field they are text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def luhn_valid(digits: str) -> bool:
    """Whether ``digits`` end with a valid Luhn key (the SIREN's last digit)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


DEPARTEMENT_PATTERN = re.compile(r"^[09][0-9][AB0-9]$")  # the ACTES schema's: 062, 02A, 974


def check_siren(value: Any) -> str:
    """A SIREN as typed (spaces allowed, a number too), checked: 9 digits and a valid Luhn key."""
    text = re.sub(r"[\s\u00a0\u202f]", "", str(value)) if isinstance(value, int | str) else value
    if not isinstance(text, str) or not re.fullmatch(r"\d{9}", text):
        raise PydanticCustomError("siren", "un SIREN a 9 chiffres ; trouvé : « {v} »", {"v": str(value)})
    if not luhn_valid(text):
        raise PydanticCustomError(
            "siren",
            "le SIREN « {v} » a une clé fausse (dernier chiffre) : vérifiez-le sur l'avis de situation INSEE",
            {"v": text},
        )
    return text


def check_departement(value: Any) -> str:
    """A département as @ctes writes it: 3 characters (062, 02A, 974), from « 62 » or 62 too."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # YAML reads 062 as the number 62
    text = value.strip().upper() if isinstance(value, str) else ""
    if len(text) in (1, 2):
        text = text.zfill(2).rjust(3, "0")  # « 62 » and « 2A » as ACTES writes them: 062, 02A
    if not DEPARTEMENT_PATTERN.match(text):
        raise PydanticCustomError(
            "departement",
            "le département s'écrit sur 3 caractères comme @ctes l'attend (062, 02A, 974) ; trouvé : « {v} »",
            {"v": str(value)},
        )
    return text


# What editors see (JSON Schema): the French ways of typing, not Python's types.
_AMOUNT_SCHEMA = {
    "type": ["number", "string"],
    "description": "Montant en euros : 1712989, « 1 712 989 € » ou « {chiffre} ».",
}
_PERCENT_SCHEMA = {"type": ["number", "string"], "description": "Pourcentage : 35.3 ou « 35,3 % »."}
_DATE_SCHEMA = {"type": "string", "description": "Date : 2020-09-29, « 29/09/2020 » ou « 29 septembre 2020 »."}
_COUNT_SCHEMA = {"type": ["integer", "string"], "minimum": 0, "description": "Nombre entier (ou « {chiffre} »)."}
_TEXT_SCHEMA = {"type": ["string", "number"], "description": "Texte : **gras**, *italique*, 5^{ème}, {chiffre}."}

Montant = Annotated[Decimal, BeforeValidator(_amount), WithJsonSchema(_AMOUNT_SCHEMA)]
Pourcentage = Annotated[Decimal, BeforeValidator(_percent), WithJsonSchema(_PERCENT_SCHEMA)]
Date = Annotated[dt.date, BeforeValidator(_date), WithJsonSchema(_DATE_SCHEMA)]
Nombre = Annotated[int, BeforeValidator(_count), Field(ge=0, le=1_000_000), WithJsonSchema(_COUNT_SCHEMA)]
Texte = Annotated[str, BeforeValidator(_text), Field(min_length=1), WithJsonSchema(_TEXT_SCHEMA)]
OuiNon = Annotated[
    bool, BeforeValidator(_yes_no), WithJsonSchema({"type": ["boolean", "string"], "enum": [True, False, "oui", "non"]})
]
SIREN_SCHEMA = {"type": ["string", "integer"], "description": "SIREN : 9 chiffres."}
DEPARTEMENT_SCHEMA = {"type": ["string", "integer"], "description": 'Département sur 3 caractères : "062".'}


class Modele(BaseModel):
    """Base of the content models: immutable, unknown keys refused with a suggestion."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = list(cls.model_fields)
            for key in data:
                if key not in known:
                    hint = suggest(str(key), known) or f" ; clés possibles : {one_of(known)}"
                    raise PydanticCustomError(
                        "cle_inconnue", "clé inconnue « {cle} »{hint}", {"cle": str(key), "hint": hint}
                    )
        return data


CelluleTexte = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": ["string", "number"]})]
Code = CelluleTexte  # a number or a code such as "10.3", typed as text
Cellule = CelluleTexte | list[CelluleTexte]  # a list is a cell of several lines


def suggest(word: str, choices: list[str]) -> str:
    """« ; vouliez-vous dire « … » ? » when ``word`` looks like one of ``choices``, else nothing."""
    near = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" ; vouliez-vous dire « {near[0]} » ?" if near else ""


def one_of(choices: list[str]) -> str:
    """The choices as a French list: « a, b ou c »."""
    return " ou ".join([", ".join(choices[:-1]), choices[-1]] if len(choices) > 1 else choices)
