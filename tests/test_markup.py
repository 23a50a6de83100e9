"""The light inline markup of the YAML texts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assembleur.contenus.markup import Segment, parse, plain


def test_bold_italic_and_superscript() -> None:
    assert parse("Il **cible l'année** 2019, le 5^{ème} *quartier*") == [
        Segment("Il "),
        Segment("cible l'année", bold=True),
        Segment(" 2019, le 5"),
        Segment("ème", superscript=True),
        Segment(" "),
        Segment("quartier", italic=True),
    ]


def test_italic_inside_bold_stays_bold() -> None:
    assert parse("**un *mot* fort**") == [
        Segment("un ", bold=True),
        Segment("mot", bold=True, italic=True),
        Segment(" fort", bold=True),
    ]


def test_a_lone_asterisk_stays_as_typed() -> None:
    # "Etat - Droit commun*" and its footnote "*Droit commun : …" are two blocks
    assert plain("Etat - Droit commun*") == "Etat - Droit commun*"
    assert plain("* Voir annexe n°2") == "* Voir annexe n°2"


@given(st.text(alphabet=st.characters(blacklist_characters="*^{}")))
def test_text_without_markers_is_unchanged(text: str) -> None:
    assert plain(text) == text


@given(st.text())
def test_markup_never_invents_text(text: str) -> None:
    # every character shown comes from the text, in order
    shown = plain(text)
    remaining = iter(text)
    assert all(char in remaining for char in shown)
