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
