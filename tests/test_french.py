"""French conventions: reading typed figures and dates, writing them the French way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assembleur.contenus import french
from assembleur.contenus.french import NBSP, NNBSP, ValueFormatError


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (1712989, Decimal(1712989)),
        ("1 712 989 €", Decimal(1712989)),
        ("1\u202f712\u202f989\u00a0€", Decimal(1712989)),
        ("1.053.610 €", Decimal(1053610)),
        ("53.387 €", Decimal(53387)),  # a dot before three digits separates thousands in French
        ("1 234,50 €", Decimal("1234.50")),
        ("94414 euros", Decimal(94414)),
        ("0 €", Decimal(0)),
    ],
)
def test_amounts_are_read_however_staff_type_them(typed: object, expected: Decimal) -> None:
    assert french.parse_amount(typed) == expected


@pytest.mark.parametrize("typed", ["beaucoup", "12 k€", "", True, None, [1], float("nan"), float("inf"), "NaN €"])
def test_unreadable_amounts_are_refused_in_french(typed: object) -> None:
    with pytest.raises(ValueFormatError, match="montant"):
        french.parse_amount(typed)


@pytest.mark.parametrize(
    ("typed", "expected"), [("35,3 %", Decimal("35.3")), ("35,3%", Decimal("35.3")), (6.1, Decimal("6.1"))]
)
def test_percentages(typed: object, expected: Decimal) -> None:
    assert french.parse_percent(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["2020-09-29", "29/09/2020", "29 septembre 2020", "29  Septembre 2020", dt.date(2020, 9, 29)],
)
def test_dates_are_read_in_iso_and_french(typed: object) -> None:
    assert french.parse_date(typed) == dt.date(2020, 9, 29)


def test_first_of_the_month_is_read_and_written_1er() -> None:
    day = french.parse_date("1er octobre 2019")
    assert day == dt.date(2019, 10, 1)
    assert french.format_long_date(day) == "1er octobre 2019"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/02/2020", "la date « 31/02/2020 » n'existe pas dans le calendrier"),
        ("2020-13-01", "la date « 2020-13-01 » n'existe pas dans le calendrier"),
        ("29 brumaire 2020", "mois inconnu « brumaire » dans la date « 29 brumaire 2020 »"),
        ("demain", "date illisible « demain » ; écrivez par exemple « 29/09/2020 » ou « 29 septembre 2020 »"),
    ],
)
def test_impossible_dates_are_refused_with_a_french_message(typed: str, message: str) -> None:
    with pytest.raises(ValueFormatError) as caught:
        french.parse_date(typed)
    assert str(caught.value) == message


def test_babel_formats() -> None:
    assert french.format_amount(1712989) == f"1{NNBSP}712{NNBSP}989{NBSP}€"
    assert french.format_amount(Decimal("1234.5")) == f"1{NNBSP}234,50{NBSP}€"
    assert french.format_percent(Decimal("35.3")) == f"35,3{NBSP}%"
    assert french.format_long_date(dt.date(2020, 9, 29)) == "29 septembre 2020"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Les Associations:", f"Les Associations{NBSP}:"),
        ("en 2019 : 71", f"en 2019{NBSP}: 71"),
        ("Consommons, citoyens !!", f"Consommons, citoyens{NNBSP}!!"),
        ("Pourquoi ?", f"Pourquoi{NNBSP}?"),
        ("« PAQTE »", f"«{NBSP}PAQTE{NBSP}»"),
        ("«PAQTE»", f"«{NBSP}PAQTE{NBSP}»"),
        ("réunion à 10:30", "réunion à 10:30"),
        ("soit 400 809 € et 33%", f"soit 400{NNBSP}809{NBSP}€ et 33{NBSP}%"),
        ("3 078 hommes en 2019 100 jeunes", f"3{NNBSP}078 hommes en 2019 100 jeunes"),
        ("voir https://exemple.fr : ici", "voir https://exemple.fr : ici"),
    ],
)
def test_typography_puts_non_breaking_spaces_where_french_wants_them(text: str, expected: str) -> None:
    assert french.typography(text) == expected


@given(st.text())
def test_typography_is_idempotent(text: str) -> None:
    once = french.typography(text)
    assert french.typography(once) == once


@given(st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False))
def test_a_formatted_amount_reads_back_to_itself(value: Decimal) -> None:
    assert french.parse_amount(french.format_amount(value)) == value


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_written_date_reads_back_to_itself(day: dt.date) -> None:
    assert french.parse_date(french.format_long_date(day)) == day
    assert french.parse_date(day.strftime("%d/%m/%Y")) == day


def test_a_colon_just_before_a_closing_quote_gets_its_space_at_once() -> None:
    """Found by hypothesis: « 0:» » gained the colon's space only on a second pass."""
    assert french.typography("0:»") == "0\u00a0:\u00a0»"
