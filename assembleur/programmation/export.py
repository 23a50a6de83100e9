"""Write the programmation as an Excel workbook staff can edit and import back.

One row per action, one column of amounts per funder of the contract, a
totals row (formulas, so that Excel and LibreOffice recompute them as staff
edit), the header frozen and filtered, amounts in the French format
(``12 500,00 €``). The headers are those :mod:`.colonnes` recognises, so that
importing the workbook back changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..files import atomic_output
from .colonnes import Financeur
from .fusion import Cles, plain_amount, read_amount
from .lecture import A_CLASSER

EURO_FORMAT = '#,##0.00\\ "€"'  # as Excel stores « # ##0,00 € »: shown with the reader's separators
HEADERS = (
    ("numero", "Numéro de l'action PRJ", 22),
    ("titre", "Libellé de l'action", 60),
    ("porteur", "Porteur de projet", 32),
    ("commune", "Commune", 24),
    ("quartiers", "Quartiers", 18),
    ("noeud", "Code stratégie", 16),
    ("nature", "Nature", 16),
)
TOTAL = "Total"


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or None
    return str(value)


def _cell(entry: dict, key: str, cles: Cles) -> str | None:
    text = _text(entry.get(getattr(cles, key)))
    return A_CLASSER if key == "noeud" and text is None else text


def amount_header(financeur: Financeur) -> str:
    """The header of a funder's column: « Montant <nom> (€) », which the import gives back to that funder."""
    return f"Montant {financeur.nom} (€)"


def write_workbook(
    actions: Sequence[Any], financeurs: Sequence[Financeur], target: Path, cles: Cles | None = None
) -> int:
    """Write ``actions`` (the YAML entries) as a workbook at ``target``; return the number of rows of actions."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    cles = cles or Cles()
    entries = [entry for entry in actions if isinstance(entry, dict)]
    fields = [
        (key, header, width)
        for key, header, width in HEADERS
        if key in ("titre", "noeud") or any(entry.get(getattr(cles, key)) not in (None, "", []) for entry in entries)
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Programmation"
    sheet.append([header for _, header, _ in fields] + [amount_header(f) for f in financeurs])
    for entry in entries:
        amounts = entry.get(cles.montants) if isinstance(entry.get(cles.montants), dict) else {}
        row: list[Any] = [_cell(entry, key, cles) for key, _, _ in fields]
        for financeur in financeurs:
            amount = read_amount(amounts.get(financeur.code)) if financeur.code in amounts else None
            row.append(None if amount is None else plain_amount(amount))
        sheet.append(row)
    last = len(entries) + 1
    totals: list[Any] = [TOTAL if key == "titre" else None for key, _, _ in fields]
    for index in range(len(financeurs)):
        letter = get_column_letter(len(fields) + index + 1)
        totals.append(f"=SUM({letter}2:{letter}{last})")
    sheet.append(totals)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[last + 1]:
        cell.font = bold
    for index, (_, _, width) in enumerate(fields, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for index in range(len(financeurs)):
        column = len(fields) + index + 1
        sheet.column_dimensions[get_column_letter(column)].width = 18
        for row_number in range(2, last + 2):
            sheet.cell(row_number, column).number_format = EURO_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(fields) + len(financeurs))}{last}"
    with atomic_output(target) as temporary:
        workbook.save(temporary)
    return len(entries)
