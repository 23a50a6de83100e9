"""French conventions: reading what staff type, writing what readers expect.

Reading accepts the many ways a figure is typed in a French office
("1 712 989 €", "1.712.989 €", "35,3 %", "29/09/2020", "1er octobre 2019").
Writing goes through Babel's ``fr_FR`` locale, plus the typography Babel does
not do: "1er", non-breaking spaces before ``: ; ! ?`` and inside « ».
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from babel.dates import format_date
from babel.numbers import format_decimal

from ..errors import ValueFormatError

LOCALE = "fr_FR"
NBSP = "\u00a0"  # espace insécable (before « : », inside « »)
NNBSP = "\u202f"  # espace fine insécable (before ; ! ?, between thousands)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("janvier",),
            ("février", "fevrier"),
            ("mars",),
            ("avril",),
            ("mai",),
            ("juin",),
            ("juillet",),
            ("août", "aout"),
            ("septembre",),
            ("octobre",),
            ("novembre",),
            ("décembre", "decembre"),
        ],
        start=1,
    )
    for name in names
}

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_THOUSANDS_DOTS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def _clean_number(text: str, suffixes: tuple[str, ...]) -> str:
    cleaned = text.strip()
    for suffix in suffixes:
        if cleaned.lower().endswith(suffix):
            cleaned = cleaned[: -len(suffix)].strip()
            break
    return _SPACES.sub("", cleaned)


def _to_decimal(cleaned: str) -> Decimal:
    if _THOUSANDS_DOTS.match(cleaned):  # "1.712.989" or "53.387": French thousands
        cleaned = cleaned.replace(".", "")
    elif "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueFormatError("nombre illisible") from exc
    if not value.is_finite():
        raise ValueFormatError("nombre illisible")
    return value


def _finite(value: Decimal, what: str) -> Decimal:
    if not value.is_finite():  # YAML reads .nan and .inf as numbers
        raise ValueFormatError(f"{what} illisible « {value} »")
    return value


def parse_amount(value: object) -> Decimal:
    """Read an amount in euros typed as a number or a French string."""
    if isinstance(value, bool):
        raise ValueFormatError("attendu : un montant, trouvé : vrai/faux")
    if isinstance(value, int | float | Decimal):
        return _finite(Decimal(str(value)), "montant")
    if not isinstance(value, str):
        raise ValueFormatError("attendu : un montant comme « 1 712 989 € »")
    try:
        return _to_decimal(_clean_number(value, ("euros", "eur", "€")))
    except ValueFormatError:
        raise ValueFormatError(f"montant illisible « {value} » ; écrivez par exemple « 1 712 989 € »") from None


def parse_percent(value: object) -> Decimal:
    """Read a percentage typed as ``35.3``, ``"35,3 %"`` or ``"35,3%"``."""
    if isinstance(value, bool):
        raise ValueFormatError("attendu : un pourcentage, trouvé : vrai/faux")
    if isinstance(value, int | float | Decimal):
        return _finite(Decimal(str(value)), "pourcentage")
    if not isinstance(value, str):
        raise ValueFormatError("attendu : un pourcentage comme « 35,3 % »")
    cleaned = _clean_number(value, ("%",))
    try:
        return _finite(Decimal(cleaned.replace(",", ".")), "pourcentage")
    except (InvalidOperation, ValueFormatError):
        raise ValueFormatError(f"pourcentage illisible « {value} » ; écrivez par exemple « 35,3 % »") from None


_DATE_SLASH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DATE_WORDS = re.compile(r"^(\d{1,2})(?:er)?\s+([a-zéû]+)\s+(\d{4})$")


def parse_date(value: object) -> dt.date:
    """Read a date typed as ISO, ``29/09/2020`` or ``29 septembre 2020``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueFormatError("attendu : une date comme « 29/09/2020 »")
    text = _SPACES.sub(" ", value.strip().lower())
    try:
        if m := _DATE_SLASH.match(text):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if m := _DATE_WORDS.match(text):
            if m[2] not in MONTHS:
                raise ValueFormatError(f"mois inconnu « {m[2]} » dans la date « {value} »")
            return dt.date(int(m[3]), MONTHS[m[2]], int(m[1]))
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        if isinstance(exc, ValueFormatError):
            raise
        if _DATE_SLASH.match(text) or _DATE_WORDS.match(text) or re.match(r"^\d{4}-\d{2}-\d{2}$", text):
            raise ValueFormatError(f"la date « {value} » n'existe pas dans le calendrier") from None
        raise ValueFormatError(
            f"date illisible « {value} » ; écrivez par exemple « 29/09/2020 » ou « 29 septembre 2020 »"
        ) from None


def format_number(value: Decimal | int) -> str:
    """``1712989`` → ``1 712 989`` (narrow non-breaking spaces)."""
    return format_decimal(value, locale=LOCALE, decimal_quantization=False)


def format_amount(value: Decimal | int) -> str:
    """``1712989`` → ``1 712 989 €``; cents are shown only when there are some."""
    value = Decimal(value)
    if value != value.to_integral_value():
        text = format_decimal(value, format="#,##0.00", locale=LOCALE)
    else:
        text = format_number(value.to_integral_value())
    return f"{text}{NBSP}€"


def format_percent(value: Decimal | int) -> str:
    """``35.3`` → ``35,3 %``."""
    return f"{format_decimal(value, locale=LOCALE, decimal_quantization=False)}{NBSP}%"


def format_long_date(value: dt.date) -> str:
    """``2020-09-29`` → ``29 septembre 2020``; the first of the month is ``1er``."""
    text = format_date(value, format="d MMMM y", locale=LOCALE)
    return f"1er{text[1:]}" if value.day == 1 else text


_BEFORE_HIGH_PUNCT = re.compile(r"(?<=[^\s;!?])[ \u00a0\u202f]?([;!?]+)(?=\s|$|[»)\]])")
_BEFORE_COLON = re.compile(r"(?<=[^\s:])[ \u00a0\u202f]?:(?=\s|$)")
_DIGIT_GROUPS = re.compile(r"\b\d{1,3}(?:[ \u00a0\u202f]\d{3})+\b")
_BEFORE_UNIT = re.compile(r"(?<=\d)[ \u00a0\u202f]?([€%])")
_AFTER_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_BEFORE_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]*»")


def typography(text: str) -> str:
    """Put French non-breaking spaces where typography wants them.

    A narrow one before ``; ! ?`` and between groups of thousands, a normal one
    before ``:``, ``€``, ``%`` and inside « ». Idempotent; "10:30" and web
    addresses are left alone.
    """
    if "://" in text:
        return text
    text = _DIGIT_GROUPS.sub(lambda m: re.sub(r"[ \u00a0]", NNBSP, m[0]), text)
    text = _BEFORE_UNIT.sub(lambda m: NBSP + m[1], text)
    # the quotes' spaces first: the space put before « » » must already be there when « : » looks at what follows
    text = _AFTER_OPEN_QUOTE.sub("«" + NBSP, text)
    text = _BEFORE_CLOSE_QUOTE.sub(NBSP + "»", text)
    text = _BEFORE_HIGH_PUNCT.sub(lambda m: NNBSP + m[1], text)
    return _BEFORE_COLON.sub(NBSP + ":", text)
