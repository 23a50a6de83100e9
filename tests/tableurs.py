"""Spreadsheets the tests write themselves (the ANCT's open data layout, a local follow-up workbook), and the
contract they are read against."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from assembleur.programmation.colonnes import Financeur
from assembleur.programmation.lecture import Contexte

ANCT_HEADER = [
    "Numéro de l'action PRJ",
    "Libellé de l'action",
    "Raison sociale longue",
    "Type de tiers",
    "Code contrat ville",
    "Libellé contrat ville",
    "Thème",
    "Sous-thèmes",
    "Mt engagé",
    "Région",
    "Année",
]
ETAT = Financeur("etat", "État (crédits spécifiques)", "etat_credits_specifiques")
REGION = Financeur("region", "Région Hauts-de-France", "region")
CONTEXTE = Contexte(
    financeurs=(ETAT, REGION),
    communes=("Auchel", "Béthune"),
    intercommunal="Interco",
    quartiers={"QP062001": "Quartier A", "QP062002": "Quartier B", "QP062003": "Quartier C"},
    noeuds=frozenset({"1", "1.2", "10", "10.3"}),
    niveaux=("Pilier", "Priorité", "Sous-priorité"),
    correspondances={"2 1 emploi": "1.2", "1 1 education": "10.3"},
)
HERE = ("CV062001", "Béthune-Bruay Artois Lys Romane")  # the contract of the tests' project
ELSEWHERE = ("CV059042", "Métropole voisine")


def anct_row(
    numero: str,
    titre: str,
    porteur: str,
    montant: str,
    sous_theme: str = "1.1 Éducation",
    contrat: tuple[str, str] = HERE,
    annee: str = "2019",
) -> list[str]:
    """One row of the ANCT's « Subventions politique de la ville » file."""
    theme = {"1": "1 Cohésion sociale", "2": "2 Développement économique et emploi"}.get(sous_theme[:1], "")
    return [numero, titre, porteur, "Association", *contrat, theme, sous_theme, montant, "Hauts-de-France", annee]


def anct_rows() -> list[list[str]]:
    """Five actions of the contract for 2019, one of another contract, one of 2018: amounts written the French way."""
    return [
        ANCT_HEADER,
        anct_row("PRJ-2019-0001", "Business 4", "Club des Entrepreneurs ESS", "12 500,00", "2.1 Emploi"),
        anct_row("PRJ-2019-0002", "Lectures à partager", "Ville", "3\u00a0000,50\u00a0€"),
        anct_row("PRJ-2019-0003", "Médicasport", "UFOLEP", "8 000"),
        anct_row("PRJ-2019-0004", "Tremplin numérique", "Maison de l'emploi", "4500.00", "2.1 Emploi"),
        anct_row("PRJ-2019-0005", "Jardins partagés", "Les Jardiniers du Coron", "1 200", "3.2 Tranquillité"),
        anct_row("PRJ-2019-0901", "Une action d'ailleurs", "Association voisine", "9 999,99", contrat=ELSEWHERE),
        anct_row("PRJ-2018-0001", "Business 4", "Club des Entrepreneurs ESS", "11 000,00", "2.1 Emploi", annee="2018"),
    ]


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "cp1252", delimiter: str = ";") -> Path:
    """A CSV as Excel writes it: Windows-1252 and « ; » unless told otherwise."""
    with path.open("w", encoding=encoding, newline="") as stream:
        csv.writer(stream, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[Any]], sheet: str = "Programmation", before: list[str] = ()) -> Path:
    """A workbook of one sheet holding ``rows`` (after the sheets named in ``before``, left empty)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = before[0] if before else sheet
    for name in before[1:]:
        workbook.create_sheet(name)
    target = workbook.create_sheet(sheet) if before else workbook.active
    for row in rows:
        target.append(row)
    workbook.save(path)
    return path


def local_rows() -> list[list[Any]]:
    """A service's own follow-up: a title above the header, other spellings, numbers and a TOTAL row."""
    return [
        ["Programmation 2019 du contrat de ville — suivi du service"],
        [],
        ["Intitulé de l'action", "Porteur de projet", "Commune", "Quartiers", "Montant État (€)", "Montant Région (€)"],
        ["Business 4", "Club des Entrepreneurs ESS", "Interco", "intercommunal", 12500, None],
        ["Lectures à partager", "Ville", "Auchel", "QP062001", 3000.5, "1 000,00 €"],
        ["Atelier vélo", "Vélo Solidaire", "Béthune", "QP062002, QP062003", "2 250", 750],
        ["TOTAL", None, None, None, 17750.5, "1 750,00"],
    ]


ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"'
)


def _ods_cell(value: Any) -> str:
    """A cell as LibreOffice Calc writes it: a typed value for a number, the text as shown in ``text:p``."""
    from xml.sax.saxutils import escape, quoteattr

    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, int | float):
        shown = f"{value:,.2f}".replace(",", "\u202f").replace(".", ",") + "\u00a0€"
        return (
            f'<table:table-cell office:value-type="currency" office:currency="EUR" office:value={quoteattr(str(value))}>'
            f"<text:p>{shown}</text:p></table:table-cell>"
        )
    paragraphs = "".join(
        f"<text:p>{escape(line).replace('  ', ' <text:s/>')}</text:p>" for line in str(value).split("\n")
    )
    return f'<table:table-cell office:value-type="string">{paragraphs}</table:table-cell>'


def write_ods(path: Path, rows: list[list[Any]], sheet: str = "Programmation", before: list[str] = ()) -> Path:
    """A LibreOffice Calc file: the sheets of ``before`` (one cell each), then ``rows``; runs of empty cells and
    rows written once with their repeat count, up to the sheet's last column and row, as Calc does."""
    import zipfile

    def table(name: str, rows: list[list[Any]]) -> str:
        body = "".join(
            "<table:table-row>"
            + "".join(_ods_cell(value) for value in row)
            + '<table:table-cell table:number-columns-repeated="1016"/></table:table-row>'
            if row
            else '<table:table-row><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
            for row in rows
        )
        end = (
            f'<table:table-row table:number-rows-repeated="{1_048_576 - len(rows)}"><table:table-cell '
            'table:number-columns-repeated="1024"/></table:table-row>'
        )
        return f'<table:table table:name="{name}">{body}{end}</table:table>'

    tables = "".join(table(name, [["note"]]) for name in before) + table(sheet, rows)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NAMESPACES}>'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path
