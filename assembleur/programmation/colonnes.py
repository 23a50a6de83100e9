"""The vocabulary of a programmation spreadsheet: its headers and its amounts, as staff and the ANCT write them.

A header is recognised by its text once normalised (case, accents,
apostrophes, punctuation and a trailing ``(€)`` ignored): the ANCT's open data
export as published (``Numéro de l'action PRJ``, ``Libellé de l'action``,
``Mt engagé``…) and the common French spellings of a local follow-up
(« Intitulé de l'action », « Porteur de projet », « Montant État (€) »…). A
column of amounts is given to a funder of the contract by its name, its code
or its kind. Amounts are read the French way, strictly: a grouping that is not
by three digits, an English ``12,500.00`` or a third decimal is refused rather
than misread.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..errors import ValueFormatError

CENT = Decimal("0.01")

# The fields of a row, and the headers that name them (normalised: see :func:`normalise`).
# TYPE_TIERS, CONTRAT_LIBELLE and REGION are recognised but not imported: they keep the ANCT export's
# own columns out of « colonnes non lues », and REGION tells its region name from a column of amounts.
NUMERO = "numero"
TITRE = "titre"
PORTEUR = "porteur"
TYPE_TIERS = "type_tiers"
CONTRAT = "contrat"
CONTRAT_LIBELLE = "contrat_libelle"
THEME = "theme"
SOUS_THEME = "sous_theme"
NOEUD = "noeud"
COMMUNE = "commune"
QUARTIERS = "quartiers"
NATURE = "nature"
ANNEE = "annee"
REGION = "region"

HEADERS: dict[str, tuple[str, ...]] = {
    NUMERO: (
        "numero de l action prj",
        "numero prj",
        "n prj",
        "numero dauphin",
        "n dauphin",
        "dossier dauphin",
        "numero de dossier dauphin",
        "n dossier dauphin",
        "code dauphin",
        "numero de l action",
        "n de l action",
    ),
    TITRE: (
        "libelle de l action",
        "intitule de l action",
        "intitule",
        "libelle",
        "titre",
        "titre de l action",
        "action",
        "nom de l action",
        "intitule du projet",
        "libelle du projet",
        "nom du projet",
        "projet",
        "intitule de l operation",
        "operation",
    ),
    PORTEUR: (
        "raison sociale longue",
        "raison sociale",
        "porteur",
        "porteur de projet",
        "porteur du projet",
        "porteurs",
        "structure",
        "structure porteuse",
        "organisme porteur",
        "organisme",
        "beneficiaire",
        "maitre d ouvrage",
    ),
    TYPE_TIERS: ("type de tiers", "type de porteur", "statut du porteur"),
    CONTRAT: ("code contrat ville", "code du contrat de ville", "code contrat de ville", "contrat de ville code"),
    CONTRAT_LIBELLE: ("libelle contrat ville", "libelle du contrat de ville", "contrat de ville", "contrat"),
    THEME: ("theme", "thematique", "axe"),
    SOUS_THEME: ("sous themes", "sous theme", "sous thematique", "sous thematiques"),
    NOEUD: ("code strategie", "noeud", "code de la strategie", "sous priorite", "code sous priorite"),
    COMMUNE: ("commune", "communes", "ville", "lieu", "lieu de l action", "commune de l action"),
    QUARTIERS: (
        "quartier",
        "quartiers",
        "qpv",
        "code quartier",
        "codes quartiers",
        "quartiers prioritaires",
        "quartier prioritaire",
        "code qpv",
        "quartiers concernes",
    ),
    NATURE: ("nature", "fonctionnement investissement", "fonctionnement ou investissement", "type de credits"),
    ANNEE: ("annee", "exercice", "annee de programmation", "annee d engagement", "annee de financement"),
    REGION: ("region",),
}
LABELS = {  # how messages name a field whose column is missing
    NUMERO: "Numéro de l'action PRJ",
    TITRE: "Libellé de l'action (ou Intitulé, Titre…)",
    PORTEUR: "Porteur de projet (ou Raison sociale longue)",
    CONTRAT: "Code contrat ville",
    ANNEE: "Année",
}

# The ANCT's single amount column: the State's specific credits (BOP 147) of the contract.
ANCT_AMOUNT = ("mt engage", "montant engage", "montant engage en", "mt engage en")
AMOUNT_PREFIXES = ("montant", "mt", "subvention", "financement", "credits", "participation", "part")
# Funder kinds (the contract model's) and the words a header uses for them.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "etat_credits_specifiques": (
        "etat",
        "etat credits specifiques",
        "etat politique de la ville",
        "etat pv",
        "bop 147",
        "p147",
        "anct",
        "credits specifiques",
        "etat cs",
    ),
    "etat_droit_commun": ("etat droit commun", "droit commun etat", "etat dc"),
    "epci": ("epci", "agglomeration", "agglo", "interco", "intercommunalite", "communaute"),
    "commune": ("commune", "communes", "ville", "villes"),
    "departement": ("departement", "conseil departemental", "cd"),
    "region": ("region", "conseil regional", "cr"),
    "caf": ("caf",),
    "bailleurs": ("bailleurs", "bailleur", "tfpb", "abattement tfpb"),
    "europe": ("europe", "fse", "fse+", "feder", "fonds europeens"),
    "banque_des_territoires": ("banque des territoires", "bdt", "caisse des depots"),
}
IGNORED_AMOUNTS = ("cout total", "budget total", "montant total", "total", "cout", "budget", "montant sollicite")


def normalise(text: str) -> str:
    """``text`` lowercased, without accents, apostrophes, punctuation or a ``(€)``: the key headers match on."""
    plain = re.sub("[’‘ʼ`´]", "'", str(text)).replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode("ascii").lower()
    plain = re.sub(r"\((?:en )?(?:eur|euros?|€)?\)|\b(?:en )?euros?\b", " ", plain)
    plain = re.sub(r"[^a-z0-9+]+", " ", plain).strip()
    return re.sub(r"(?: en)+$", "", plain)  # « Montant en € »


@dataclass(frozen=True)
class Financeur:
    """A funder of the contract, as the import needs it: its code, its name and its kind."""

    code: str
    nom: str
    genre: str = "autre"


def funder_of(header: str, financeurs: Sequence[Financeur]) -> Financeur | None:
    """The funder a column of amounts belongs to, from its header; None when it is not such a column."""
    key = normalise(header)
    if key in ANCT_AMOUNT:
        return _first_of_kind("etat_credits_specifiques", financeurs)
    words = key.split()
    rest = " ".join(words[1:]) if words and words[0] in AMOUNT_PREFIXES else None
    if rest is not None and rest.startswith(("de ", "du ", "des ", "d ", "de la ")):
        rest = re.sub(r"^(de la|de|du|des|d) ", "", rest)
    for candidate in (rest, key if "€" in header or "eur" in header.lower() else None):
        if not candidate:
            continue
        for financeur in financeurs:  # the contract's own names and codes first
            if candidate in (normalise(financeur.code), normalise(financeur.nom)):
                return financeur
        for kind, words_of_kind in KIND_WORDS.items():
            if candidate in words_of_kind and (found := _first_of_kind(kind, financeurs)):
                return found
    return None


def _first_of_kind(kind: str, financeurs: Sequence[Financeur]) -> Financeur | None:
    return next((financeur for financeur in financeurs if financeur.genre == kind), None)


def field_of(header: str) -> str | None:
    """The field a header names (:data:`HEADERS`), or None."""
    key = normalise(header)
    for field, spellings in HEADERS.items():
        if key in spellings:
            return field
    return None


_GROUPED = re.compile(r"\d{1,3}(?: \d{3})+")  # 12 500 (every kind of space made one)
_DOTTED = re.compile(r"\d{1,3}(?:\.\d{3})+")  # 12.500: French thousands
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_CURRENCY = re.compile(r"^(?:€\s*)?(.*?)\s*(?:€|eur|euros?)?$", re.IGNORECASE | re.DOTALL)


def parse_amount(value: object) -> Decimal | None:
    """An amount of a cell: a number, or text the French way (``12 500,00 €``, ``12500.00``); None if empty.

    The result is in euros, rounded to the cent, never negative. Raises
    :class:`ValueFormatError` with a French message for anything else.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueFormatError("vrai/faux n'est pas un montant")
    if isinstance(value, int | float | Decimal):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ValueFormatError(f"montant illisible « {value} »") from None
        return _checked(amount, str(value))
    if not isinstance(value, str):
        raise ValueFormatError(f"montant illisible « {value} »")
    text = _SPACES.sub(" ", value.strip())
    if text in ("", "-", "–", "—"):
        return None
    body = _CURRENCY.fullmatch(text).group(1).strip()  # the pattern matches any text
    integer, decimals = _split(body)
    if integer is None:
        raise ValueFormatError(f"montant illisible « {value} » ; écrivez par exemple « 12 500,00 € »")
    if len(decimals) > 2:
        raise ValueFormatError(f"montant illisible « {value} » (plus de deux décimales)")
    return _checked(Decimal(f"{integer}.{decimals or '0'}"), value)


def _split(body: str) -> tuple[str | None, str]:
    """The integer digits and the decimals of an amount's text, or (None, "") when it is not one."""
    negative = body.startswith("-")
    body = body[1:].lstrip() if negative else body
    sign = "-" if negative else ""
    for pattern in (r"\d+", _GROUPED.pattern, _DOTTED.pattern):
        match = re.fullmatch(rf"({pattern})(?:,(\d+))?", body)
        if match:
            return sign + re.sub(r"[ .]", "", match.group(1)), match.group(2) or ""
    match = re.fullmatch(r"(\d+)\.(\d{1,2})", body)  # 12500.00, as a computer writes it
    if match:
        return sign + match.group(1), match.group(2)
    return None, ""


def _checked(amount: Decimal, shown: object) -> Decimal:
    if not amount.is_finite():
        raise ValueFormatError(f"montant illisible « {shown} »")
    if amount < 0:
        raise ValueFormatError(f"montant négatif « {shown} »")
    if amount >= Decimal("1e12"):
        raise ValueFormatError(f"montant démesuré « {shown} »")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
