"""A workbook saved by the real LibreOffice Calc (``.ods``), read as Calc shows it: the reader of
:mod:`assembleur.programmation.ods` is written on the standard library, so it is checked on Calc's own output
(merged cells, comments, formulas and their errors, number formats, coded spaces, equal neighbour cells written
once, a million empty rows)."""

from __future__ import annotations

import datetime as dt
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from assembleur.errors import ImportRefused
from assembleur.pdf.libreoffice import find_soffice
from assembleur.programmation import tableur
from assembleur.programmation.lecture import read_programmation

from .tableurs import CONTEXTE, anct_rows, local_rows, write_csv, write_xlsx

pytestmark = pytest.mark.libreoffice


def saved_by_calc(workbook: Path, tmp_path: Path) -> Path:
    """``workbook`` opened and saved as ``.ods`` by LibreOffice Calc (its own profile, in ``tmp_path``)."""
    outdir = tmp_path / "calc"
    subprocess.run(
        [
            str(find_soffice()),
            f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}",
            "--headless",
            "--convert-to",
            "ods",
            "--outdir",
            str(outdir),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return outdir / f"{workbook.stem}.ods"


def service_workbook(path: Path, rows: list[list]) -> Path:
    """The local follow-up as a service keeps it in Excel: a merged title, a comment, a total by formula, amounts
    in a currency format, a date, a porteur on two lines and spaces typed twice."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment

    write_xlsx(path, rows)
    workbook = load_workbook(path)
    sheet = workbook.active
    sheet.merge_cells("A1:F1")
    sheet["A4"].comment = Comment("Une note du service", "Service")
    last = sheet.max_row
    sheet[f"E{last}"], sheet[f"F{last}"] = f"=SUM(E4:E{last - 1})", f"=SUM(F4:F{last - 1})"
    for row in sheet.iter_rows(min_row=4, max_row=last, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = '#,##0.00 "€"'
    sheet["G3"], sheet["G4"] = "Date de la convention", dt.date(2019, 3, 1)
    workbook.save(path)
    return path


def test_a_workbook_saved_by_calc_reads_as_calc_shows_it(tmp_path: Path) -> None:
    rows = local_rows()
    rows[4][0] = "Lectures  à   partager"  # Calc codes the extra spaces as <text:s/> and <text:s text:c="2"/>
    rows[5][1] = "Vélo\nSolidaire"  # two paragraphs in the cell
    rows[4][5], rows[5][4] = 1000, 2250  # numbers, shown as « 1,000.00 € »: the value is read, not the text
    path = saved_by_calc(service_workbook(tmp_path / "suivi.xlsx", rows), tmp_path)
    with tableur.open_sheets(path) as sheets:
        assert [sheet.name for sheet in sheets] == ["Programmation"]
        read = list(sheets[0].rows())
    assert [number for number, _ in read] == [1, 3, 4, 5, 6, 7]  # line 2 and the million after 7 are empty
    assert read[0][1] == ["Programmation 2019 du contrat de ville — suivi du service"]  # covered cells dropped
    assert read[2][1][4:] == [Decimal("12500"), None, dt.date(2019, 3, 1)]
    assert read[4][1][1] == "Vélo\nSolidaire"
    assert read[5][1][4:] == [Decimal("17750.5"), Decimal("1750")]  # the formulas' values, computed by Calc
    lecture = read_programmation(path, CONTEXTE, 2019)
    assert (lecture.header_line, lecture.total) == (3, True)
    assert [(a.titre, a.porteur, a.communes, a.quartiers, a.montants) for a in lecture.lignes] == [
        ("Business 4", "Club des Entrepreneurs ESS", ("Interco",), ("intercommunal",), {"etat": Decimal("12500.00")}),
        (
            "Lectures à partager",
            "Ville",
            ("Auchel",),
            ("QP062001",),
            {"etat": Decimal("3000.50"), "region": Decimal("1000.00")},
        ),
        (
            "Atelier vélo",
            "Vélo Solidaire",
            ("Béthune",),
            ("QP062002", "QP062003"),
            {"etat": Decimal("2250.00"), "region": Decimal("750.00")},
        ),
    ]


def test_equal_neighbour_cells_that_calc_writes_once_are_each_read(tmp_path: Path) -> None:
    rows = local_rows()[:-1]
    rows[4][4:6] = [1000, 1000]  # Calc writes one cell « repeated 2 times » for equal neighbours
    rows[5][0:2] = ["Vélo Solidaire", "Vélo Solidaire"]
    path = saved_by_calc(write_xlsx(tmp_path / "suivi.xlsx", rows), tmp_path)
    with zipfile.ZipFile(path) as archive:
        assert archive.read("content.xml").count(b'table:number-columns-repeated="2" office:value-type') == 2
    lecture = read_programmation(path, CONTEXTE, 2019)
    assert [(a.titre, a.porteur, a.communes, a.montants) for a in lecture.lignes[1:]] == [
        ("Lectures à partager", "Ville", ("Auchel",), {"etat": Decimal("1000.00"), "region": Decimal("1000.00")}),
        ("Vélo Solidaire", "Vélo Solidaire", ("Béthune",), {"etat": Decimal("2250.00"), "region": Decimal("750.00")}),
    ]


def test_the_export_saved_again_by_calc_imports_back_unchanged(projet: Path, cli) -> None:
    write_csv(projet / "subventions.csv", anct_rows())
    assert cli("importer", "programmation", "subventions.csv", "2019", "--contrat", "CV062001").exit_code == 0
    assert cli("exporter", "programmation", "programmation-2019.xlsx", "2019").exit_code == 0
    imported = (projet / "contenus/2019/programmation.yaml").read_bytes()
    saved = saved_by_calc(projet / "programmation-2019.xlsx", projet / "calc")  # as a service using LibreOffice would

    back = cli("importer", "programmation", str(saved), "2019")

    assert back.exit_code == 0, back.output
    assert back.stdout.splitlines()[:2] == [
        f"{saved}, feuille « Programmation », en-tête ligne 1 : 125 action(s) lue(s), ligne de total vérifiée.",
        "Actions (contenus/2019/programmation.yaml est déjà à jour) : 0 ajoutée(s), 0 modifiée(s), "
        "125 inchangée(s), 2 à classer.",
    ]
    assert (projet / "contenus/2019/programmation.yaml").read_bytes() == imported


def test_a_formula_in_error_is_refused_naming_its_cell(tmp_path: Path) -> None:
    rows = local_rows()[:-1]
    rows[4][4] = "=1/0"  # Calc writes the error as text (« #DIV/0! »), with a typed value of its own
    path = saved_by_calc(write_xlsx(tmp_path / "suivi.xlsx", rows), tmp_path)
    with pytest.raises(ImportRefused) as refused:
        read_programmation(path, CONTEXTE, 2019)
    assert [str(p) for p in refused.value.problems] == [
        f"{path}, feuille « Programmation », ligne 5 : colonne E (« Montant État (€) ») : montant illisible "
        "« #DIV/0! » ; écrivez par exemple « 12 500,00 € »"
    ]
