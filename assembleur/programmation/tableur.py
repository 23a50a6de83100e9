"""Read a spreadsheet given to import: its sheets, each as numbered rows of plain values.

The kind of file is read from its bytes, never from its name: an Excel
workbook (``.xlsx``, read by openpyxl in read-only mode, streamed), a
LibreOffice Calc one (``.ods``, :mod:`.ods`), or a CSV text whose encoding
(UTF-8 with or without BOM, UTF-16 as Excel's « texte Unicode »,
Windows-1252 as Excel writes « CSV ») and separator (``;``, tab, ``,``) are
detected. An old ``.xls``, an encrypted workbook, a PDF or anything else is
refused with a French message saying how to save it. Every bound of
:mod:`assembleur.limites` is checked before or while reading: the file's
size, what the workbook expands to, the rows and cells read. Rows are
numbered as the spreadsheet shows them (line 1 is the first line of the file
or of the sheet).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..contenus import french
from ..errors import SpreadsheetError
from ..files import reason
from ..limites import MAX_SPREADSHEET_BYTES, MAX_SPREADSHEET_COLUMNS, MAX_SPREADSHEET_ROWS, expands_too_much
from . import ods

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: an encrypted workbook, or an Excel 97-2003 .xls
SAVE_AS_XLSX = "Ouvrez-le dans Excel ou LibreOffice et choisissez « Enregistrer sous… » au format Excel (.xlsx)."
SEPARATORS = (";", "\t", ",")  # in this order of preference when the counts are equal


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook (or the one table of a CSV): where it is, and its rows."""

    file: Path  # as messages show it
    name: str | None  # None for a CSV
    _rows: Any  # a callable giving the rows: (line number, values)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """The rows, numbered as the spreadsheet shows them; values stripped, empty cells None.

        Empty rows are given too (a row may hold no value at all): the header
        is looked for among the first rows as numbered, however many are empty.
        """
        for read, (number, values) in enumerate(self._rows(), start=1):
            if read > MAX_SPREADSHEET_ROWS:
                raise SpreadsheetError(
                    f"{self.where()} a plus de {french.format_number(MAX_SPREADSHEET_ROWS)} lignes : "
                    "ce n'est pas une programmation.",
                    "Gardez seulement les lignes de votre contrat, ou vérifiez que c'est le bon fichier.",
                )
            if len(values) > MAX_SPREADSHEET_COLUMNS:
                values = _trim(values, self.where(), number)
            yield number, [_clean(value) for value in values]

    def where(self) -> Path:
        """The file, and the sheet of a workbook: ``prog.xlsx, feuille « 2019 »``."""
        return self.file if self.name is None else Path(f"{self.file}, feuille « {self.name} »")

    def column(self, index: int, header: str) -> str:
        """A column as messages name it: ``colonne D (« Mt engagé »)`` in a workbook, by its header in a CSV."""
        if self.name is None:
            return f"colonne « {header} »"
        from openpyxl.utils import get_column_letter

        return f"colonne {get_column_letter(index + 1)} (« {header} »)"


def _trim(values: list[Any], where: Path, number: int) -> list[Any]:
    """A row's cells beyond the bound are refused unless they are empty (Excel pads some rows)."""
    if any(_clean(value) is not None for value in values[MAX_SPREADSHEET_COLUMNS:]):
        raise SpreadsheetError(
            f"{where}, ligne {number} : plus de {MAX_SPREADSHEET_COLUMNS} colonnes remplies.",
            "Gardez seulement les colonnes de la programmation, ou vérifiez que c'est le bon fichier.",
        )
    return values[:MAX_SPREADSHEET_COLUMNS]


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


@contextlib.contextmanager
def open_sheets(path: Path, shown: Path | None = None) -> Iterator[list[Sheet]]:
    """The sheets of the spreadsheet ``path`` (one for a CSV), readable while the context is open.

    Raises :class:`SpreadsheetError` for what is not a readable spreadsheet.
    """
    shown = shown or path
    data = _read_bounded(path, shown)
    if data.startswith(b"PK\x03\x04"):
        with _workbook(path, shown) as sheets:
            yield sheets
        return
    _refuse_other_kinds(data, shown)
    text, _ = decode(data, shown)
    separator = detect_separator(text)
    yield [Sheet(shown, None, lambda: _csv_rows(text, separator, shown))]


def _read_bounded(path: Path, shown: Path) -> bytes:
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a pipe or a device would be read forever
            raise SpreadsheetError(f"{shown} n'est pas un fichier ordinaire.", "Donnez le fichier du tableau.")
        if status.st_size > MAX_SPREADSHEET_BYTES:
            raise SpreadsheetError(
                f"{shown} pèse {status.st_size // (1024 * 1024)} Mio, plus que la limite de "
                f"{MAX_SPREADSHEET_BYTES // (1024 * 1024)} Mio pour un tableau.",
                "Gardez seulement les lignes de votre contrat, ou vérifiez que c'est le bon fichier.",
            )
        with path.open("rb") as handle:
            head = handle.read(len(b"PK\x03\x04"))
            if head == b"PK\x03\x04":  # a workbook: openpyxl reads it from the file itself
                return head
            return head + handle.read(MAX_SPREADSHEET_BYTES)
    except OSError as exc:
        raise SpreadsheetError(
            f"Le fichier {shown} ne peut pas être lu ({reason(exc)}).", "Vérifiez son nom et son dossier."
        ) from exc


def _refuse_other_kinds(data: bytes, shown: Path) -> None:
    """Known kinds that are not a CSV: each refused with what to do."""
    if data.startswith(CFB_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise SpreadsheetError(
                f"{shown} est un classeur protégé par un mot de passe : il ne peut pas être lu.",
                "Ouvrez-le dans Excel, retirez le mot de passe (Fichier › Informations › Protéger le classeur), "
                "enregistrez-le, puis relancez.",
            )
        raise SpreadsheetError(f"{shown} est un classeur Excel 97-2003 (.xls), qui n'est pas lu.", SAVE_AS_XLSX)
    if data[:1024].lstrip().startswith(b"%PDF"):
        raise SpreadsheetError(f"{shown} est un PDF, pas un tableau.", "Donnez le tableau lui-même (.xlsx ou .csv).")


def decode(data: bytes, shown: Path) -> tuple[str, str]:
    """The text of a CSV and the name of its encoding: BOMs first, then UTF-8, then Windows-1252."""
    for bom, encoding, name in (
        (codecs.BOM_UTF8, "utf-8", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), name
            except UnicodeDecodeError as exc:
                raise _not_text(shown, data, exc.start) from None
    if b"\x00" in data[:65536]:
        raise _not_text(shown, data, data.index(b"\x00"))
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:  # cp1252 leaves five bytes undefined: not text in any case
        raise _not_text(shown, data, exc.start) from None


def _not_text(shown: Path, data: bytes, offset: int) -> SpreadsheetError:
    line = data[:offset].count(b"\n") + 1
    return SpreadsheetError(
        f"{shown} n'est ni un classeur Excel (.xlsx) ni un texte CSV lisible (octet illisible ligne {line}).",
        "Enregistrez le tableau au format Excel (.xlsx), ou en CSV (UTF-8 ou Windows), puis relancez.",
    )


def detect_separator(text: str) -> str:
    """The separator of a CSV: the one that cuts the most of its first lines into the same number of fields."""
    sample = [line for line in text[:200_000].splitlines()[:50] if line.strip()]

    def score(separator: str) -> tuple[int, int]:
        try:
            counts = [len(row) for row in csv.reader(sample, delimiter=separator)]
        except csv.Error:  # a quote left open: this separator does not say; reading will, with the line
            return (0, 0)
        wide = [count for count in counts if count > 1]
        if not wide:
            return (0, 0)
        mode = max(set(wide), key=wide.count)
        return (wide.count(mode), mode)

    best = max(SEPARATORS, key=lambda separator: (score(separator), -SEPARATORS.index(separator)))
    return best


def _csv_rows(text: str, separator: str, shown: Path) -> Iterator[tuple[int, list[Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    number = 0
    try:
        for row in reader:
            number = reader.line_num - (row_lines(row) - 1)  # a quoted cell may hold line breaks: its first line
            yield number, row
    except csv.Error as exc:  # the csv module's messages are English: said here in French
        limit = french.format_number(csv.field_size_limit())
        reason = f"une cellule dépasse {limit} caractères" if "field limit" in str(exc) else "guillemets mal fermés"
        raise SpreadsheetError(
            f"{shown}, ligne {reader.line_num} : ligne illisible ({reason}).",
            'Vérifiez les guillemets de cette ligne : une cellule qui commence par « " » doit finir par « " ».',
        ) from None


def row_lines(row: list[str]) -> int:
    """How many lines of the file a row read by :mod:`csv` spans."""
    return 1 + sum(cell.count("\n") for cell in row)


@contextlib.contextmanager
def _workbook(path: Path, shown: Path) -> Iterator[list[Sheet]]:
    """The sheets of an Excel workbook, after the checks that refuse what is not one or expands like a bomb."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SpreadsheetError(f"{shown} est une archive endommagée ({exc}).", SAVE_AS_XLSX) from exc
    names = {entry.filename for entry in entries}
    opendocument = "content.xml" in names and "xl/workbook.xml" not in names
    if not opendocument and "xl/workbook.xml" not in names:
        raise SpreadsheetError(
            f"{shown} n'est ni un classeur Excel (.xlsx) ni un classeur OpenDocument (.ods) : c'est une autre archive.",
            SAVE_AS_XLSX,
        )
    if unzipped := expands_too_much(entries):
        raise SpreadsheetError(
            f"{shown} se décompresse en {unzipped // (1024 * 1024)} Mio : ce n'est pas un tableau normal, "
            "il est refusé par précaution.",
            "Gardez seulement les lignes de votre contrat, ou vérifiez que c'est le bon fichier.",
        )
    if opendocument:
        yield _opendocument(path, shown)
        return
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a broken package
        raise SpreadsheetError(
            f"{shown} ne peut pas être lu comme un classeur Excel ({exc.__class__.__name__}).", SAVE_AS_XLSX
        ) from exc
    try:
        sheets = [
            Sheet(shown, worksheet.title, _sheet_reader(worksheet, shown))
            for worksheet in workbook.worksheets
            if hasattr(worksheet, "iter_rows")  # a chart sheet has no cells
        ]
        yield sheets
    finally:
        workbook.close()


def _opendocument(path: Path, shown: Path) -> list[Sheet]:
    """The sheets of an OpenDocument spreadsheet (:mod:`.ods`), after the refusal of an encrypted one."""
    with zipfile.ZipFile(path) as archive:
        encrypted = ods.is_encrypted(archive)
    if encrypted:
        raise SpreadsheetError(
            f"{shown} est un classeur protégé par un mot de passe : il ne peut pas être lu.",
            "Dans LibreOffice, enregistrez-le sans mot de passe (Fichier › Propriétés › Sécurité), puis relancez.",
        )
    names = ods.sheet_names(path, shown)
    return [
        Sheet(shown, name, lambda index=index: ods.sheet_rows(path, shown, index)) for index, name in enumerate(names)
    ]


def _sheet_reader(worksheet: Any, shown: Path) -> Any:
    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
        except SpreadsheetError:
            raise
        except Exception as exc:  # a broken sheet inside a readable package
            raise SpreadsheetError(
                f"{shown}, feuille « {worksheet.title} » ne peut pas être lue ({exc.__class__.__name__}).",
                SAVE_AS_XLSX,
            ) from exc

    return rows
