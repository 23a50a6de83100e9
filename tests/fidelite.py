"""Compare a rendered rapport's text with the facts of the seed (tests/donnees/faits_*.txt).

A facts file lists one fact per line, under two headings:
``# ordre`` facts must appear in that order (headings, list items);
``# presence`` facts must appear somewhere (table cells, figures), since a
PDF's text extraction may read a table's columns in any order.
Lines starting with ``##`` are comments.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_SPACES = re.compile(r"\s+")
_TRANSLATE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00ad": None,
        "\u2010": "-",
        "\u2011": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)


def normalize(text: str) -> str:
    """Text as compared: NFKC, plain quotes and dashes, single spaces, case-folded."""
    text = re.sub(r"(?<=\w)-\n(?=\w)", "-", text)  # a line broken after a hyphen: "Jean-\nJaurès"
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = text.replace("œ", "oe").replace("Œ", "OE")
    text = _SPACES.sub(" ", text).strip().casefold()
    return re.sub(r"(?<=\d) (?=[%€])", "", text)  # "86%" as typed reads "86 %" once typeset


def read_facts(path: Path) -> tuple[list[str], list[str]]:
    """The ordered facts and the presence facts of a facts file."""
    ordered: list[str] = []
    present: list[str] = []
    target = ordered
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("##"):
            continue
        if line.lower() == "# ordre":
            target = ordered
        elif line.lower() == "# presence":
            target = present
        else:
            target.append(line)
    return ordered, present


def compare(facts_file: Path, text: str) -> list[str]:
    """Every fact of ``facts_file`` missing from ``text`` or out of order, described."""
    haystack = normalize(text)
    ordered, present = read_facts(facts_file)
    problems: list[str] = []
    position = 0
    for fact in ordered:
        needle = normalize(fact)
        found = haystack.find(needle, position)
        if found < 0:
            problems.append(f"hors d'ordre : {fact}" if needle in haystack else f"absent : {fact}")
        else:
            position = found + len(needle)
    problems.extend(f"absent : {fact}" for fact in present if normalize(fact) not in haystack)
    return problems
