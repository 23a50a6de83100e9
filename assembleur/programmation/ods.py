"""Read an OpenDocument spreadsheet (``.ods``, LibreOffice Calc) with the standard library.

The sheets are in the archive's ``content.xml``, read as a stream of XML
events (never built whole): each ``table:table`` is a sheet, each
``table:table-row`` a row, each ``table:table-cell`` a cell. A cell's value is
its typed value when it has one (``office:value`` for numbers, currencies and
percentages, ``office:date-value`` for dates), else its text. LibreOffice
writes a run of identical rows or cells once, with a repeat count (a sheet
often ends with a million empty rows): empty runs only move the numbering on;
a run of filled rows or cells is given as many times as it says, within the
bounds of :mod:`assembleur.limites`. The XML parser of the standard library
refuses the « billion laughs » of entities.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, iterparse

from ..errors import SpreadsheetError
from ..limites import MAX_SPREADSHEET_COLUMNS

TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
CELLS = (f"{TABLE}table-cell", f"{TABLE}covered-table-cell")
NUMBERS = ("float", "currency", "percentage")
MAX_SPACES = 1000  # spaces written as one coded run (« text:s »): a cell is not a page of blanks
SAVE_AGAIN = "Dans LibreOffice, enregistrez-le à nouveau (.ods), ou au format Excel (.xlsx)."


def is_encrypted(archive: zipfile.ZipFile) -> bool:
    """Is the document protected by a password (its manifest declares encrypted parts)?"""
    try:
        return b"encryption-data" in archive.read("META-INF/manifest.xml")
    except KeyError:
        return False


def sheet_names(path: Path, shown: Path) -> list[str]:
    """The names of the sheets, in order (one pass over ``content.xml``, nothing kept)."""
    names = []
    for event, element in _events(path, shown):
        if event == "start" and element.tag == f"{TABLE}table":
            names.append(element.get(f"{TABLE}name") or f"Feuille{len(names) + 1}")
        elif event == "end" and element.tag == f"{TABLE}table-row":
            element.clear()
    return names


def sheet_rows(path: Path, shown: Path, wanted: int) -> Iterator[tuple[int, list[Any]]]:
    """The filled rows of the sheet numbered ``wanted`` (from 0), each with its number as Calc shows it."""
    table, number = -1, 0
    for event, element in _events(path, shown):
        if element.tag == f"{TABLE}table":
            if event == "start":
                table += 1
            elif table == wanted:
                return
            continue
        if event != "end" or element.tag != f"{TABLE}table-row":
            continue
        if table != wanted:
            element.clear()  # another sheet's row: nothing kept
            continue
        values = _row_values(element, shown)
        repeat = _repeat(element, "rows")
        element.clear()
        if not any(value is not None for value in values):
            number += repeat  # a run of empty rows: only the numbering moves on
            continue
        for _ in range(repeat):
            number += 1
            yield number, list(values)


def _events(path: Path, shown: Path) -> Iterator[tuple[str, Element]]:
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
            yield from iterparse(stream, events=("start", "end"))
    except (ParseError, KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SpreadsheetError(
            f"{shown} ne peut pas être lu comme un classeur OpenDocument ({exc.__class__.__name__}).", SAVE_AGAIN
        ) from exc


def _count(element: Element, attribute: str) -> int:
    """A count written in an attribute (1 when absent or unreadable)."""
    try:
        return max(1, int(element.get(attribute) or 1))
    except ValueError:
        return 1


def _repeat(element: Element, what: str) -> int:
    return _count(element, f"{TABLE}number-{what}-repeated")


def _row_values(row: Element, shown: Path) -> list[Any]:
    """The values of a row: empty runs at its end dropped, filled runs repeated, within the bound of columns."""
    values: list[Any] = []
    pending = 0  # empty cells not written yet: only written when a filled one follows
    for cell in row:
        if cell.tag not in CELLS:
            continue
        value, repeat = _cell_value(cell), _repeat(cell, "columns")
        if value is None:
            pending += repeat
            continue
        if len(values) + pending + repeat > MAX_SPREADSHEET_COLUMNS:
            raise SpreadsheetError(
                f"{shown} : une ligne a plus de {MAX_SPREADSHEET_COLUMNS} colonnes remplies.",
                "Gardez seulement les colonnes de la programmation, ou vérifiez que c'est le bon fichier.",
            )
        values += [None] * pending + [value] * repeat
        pending = 0
    return values


def _cell_value(cell: Element) -> Any:
    kind = cell.get(f"{OFFICE}value-type")
    if kind in NUMBERS:
        try:
            return Decimal(cell.get(f"{OFFICE}value", ""))
        except InvalidOperation:
            pass  # a broken value: its text says what the sheet shows
    elif kind == "date":
        try:
            return dt.date.fromisoformat(cell.get(f"{OFFICE}date-value", "")[:10])
        except ValueError:
            pass
    text = "\n".join(_text(paragraph) for paragraph in cell.findall(f"{TEXT}p"))  # not a comment's paragraphs
    return text or None


def _text(element: Element) -> str:
    """The text of a paragraph, its coded spaces, tabs and line breaks written out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{TEXT}s":
            parts.append(" " * min(_count(child, f"{TEXT}c"), MAX_SPACES))
        elif child.tag == f"{TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{TEXT}line-break":
            parts.append("\n")
        else:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
