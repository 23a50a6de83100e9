"""Merging imported rows into the YAML list of actions: never duplicating, keeping what was typed by hand."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from assembleur.contenus import load
from assembleur.programmation import export
from assembleur.programmation.fusion import Bilan, merge, report, restore_comments
from assembleur.programmation.lecture import read_programmation

from .tableurs import CONTEXTE, ETAT, REGION, anct_row, anct_rows, write_csv

PROGRAMMATION = """\
# Programmation : la liste unique des actions.
porteurs:
  - Club des Entrepreneurs ESS
  - Ville   # la ville

actions:
  # Emploi
  - {titre: "Business 4", commune: Interco, porteur: Club des Entrepreneurs ESS, strategie: "1.2"}
  - {titre: "Lectures à partager", commune: Auchel, porteur: Ville, strategie: "10.3"}   # à la main
  - {titre: "Action à la main", commune: Béthune, porteur: Ville, strategie: "10.3"}

# la fin du fichier
chiffres: {}
"""

MERGED = """\
# Programmation : la liste unique des actions.
porteurs:
  - Club des Entrepreneurs ESS
  - Ville   # la ville
  - UFOLEP
  - Maison de l'emploi
  - Les Jardiniers du Coron

actions:
  # Emploi
  - {titre: "Business 4", commune: Interco, porteur: Club des Entrepreneurs ESS, strategie: "1.2", dauphin: PRJ-2019-0001, montants: {etat: 12500}}
  - {titre: "Lectures à partager", commune: Auchel, porteur: Ville, strategie: "10.3", dauphin: PRJ-2019-0002, montants: {etat: 3000.5}} # à la main
  - {titre: "Action à la main", commune: Béthune, porteur: Ville, strategie: "10.3"}
  - {titre: "Médicasport", porteur: UFOLEP, strategie: "10.3", dauphin: PRJ-2019-0003, montants: {etat: 8000}}
  - {titre: "Tremplin numérique", porteur: Maison de l'emploi, strategie: "1.2", dauphin: PRJ-2019-0004, montants: {etat: 4500}}
  - {titre: "Jardins partagés", porteur: Les Jardiniers du Coron, strategie: "à classer", dauphin: PRJ-2019-0005, montants: {etat: 1200}}

# la fin du fichier
chiffres: {}
"""


def merged(text: str, path: Path) -> tuple[str, Bilan]:
    document = load.round_trip().load(text)
    bilan = merge(document, read_programmation(path, CONTEXTE, 2019, contrat="CV062001"))
    out = io.StringIO()
    load.round_trip().dump(document, out)
    return out.getvalue(), bilan


def test_a_first_import_completes_the_hand_written_actions_and_adds_the_others(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "subventions.csv", anct_rows())
    text, bilan = merged(PROGRAMMATION, path)
    assert text == MERGED
    assert report(bilan, Path("programmation.yaml"), wrote=False) == [
        "Actions (essai, rien n'a été écrit dans programmation.yaml) : 3 ajoutée(s), 2 modifiée(s), "
        "0 inchangée(s), 1 à classer.",
        "- ajoutée : Médicasport",
        "- ajoutée : Tremplin numérique",
        "- ajoutée : Jardins partagés",
        "- modifiée : Business 4 (numéro Dauphin PRJ-2019-0001 ; État (crédits spécifiques) : aucun → 12\u202f500\u00a0€)",
        "- modifiée : Lectures à partager (numéro Dauphin PRJ-2019-0002 ; État (crédits spécifiques) : aucun → 3\u202f000,50\u00a0€)",
        "- à classer : Jardins partagés",
        "- porteur ajouté à la liste : UFOLEP",
        "- porteur ajouté à la liste : Maison de l'emploi",
        "- porteur ajouté à la liste : Les Jardiniers du Coron",
        "Total État (crédits spécifiques) : 29\u202f200,50\u00a0€",
    ]


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "subventions.csv", anct_rows())
    text, bilan = merged(MERGED, path)
    assert text == MERGED
    assert not bilan.changed
    assert (bilan.inchangees, bilan.ajoutees, bilan.modifiees, bilan.absentes) == (5, [], [], [])
    assert bilan.a_classer == ["Jardins partagés"]  # still to classify: said again


def test_a_newer_file_updates_amounts_and_reports_the_missing_without_deleting(tmp_path: Path) -> None:
    rows = anct_rows()
    rows[1][8] = "13 000,00"  # Business 4: a new amount
    del rows[3]  # Médicasport is no longer in the file
    rows.append(anct_row("PRJ-2019-0006", "Nouvelle action", "Ville", "500"))
    text, bilan = merged(MERGED, write_csv(tmp_path / "subventions.csv", rows))
    assert [(m.titre, m.changes) for m in bilan.modifiees] == [
        ("Business 4", ["État (crédits spécifiques) : 12\u202f500\u00a0€ → 13\u202f000\u00a0€"])
    ]
    assert bilan.ajoutees == ["Nouvelle action"]
    assert bilan.absentes == ["Médicasport"]
    assert 'strategie: "10.3", dauphin: PRJ-2019-0003, montants: {etat: 8000}}' in text  # kept as it was
    assert "montants: {etat: 13000}}" in text
    assert '- {titre: "Action à la main", commune: Béthune, porteur: Ville, strategie: "10.3"}\n' in text


def test_a_row_classified_later_and_a_hand_classification_that_stays(tmp_path: Path) -> None:
    text = MERGED.replace('strategie: "1.2", dauphin: PRJ-2019-0004', 'strategie: "10", dauphin: PRJ-2019-0004')
    rows = anct_rows()
    rows[5][7] = "1.1 Éducation"  # Jardins partagés: now mapped
    text, bilan = merged(text, write_csv(tmp_path / "subventions.csv", rows))
    assert [(m.titre, m.changes) for m in bilan.modifiees] == [("Jardins partagés", ["classée en 10.3"])]
    assert 'strategie: "10", dauphin: PRJ-2019-0004' in text  # classified by hand: the sheet does not undo it
    assert bilan.a_classer == []


def test_porteurs_are_written_as_the_list_spells_them(tmp_path: Path) -> None:
    rows = [anct_rows()[0], anct_row("PRJ-1", "Business 4", "CLUB DES ENTREPRENEURS ESS", "1")]
    _, bilan = merged(PROGRAMMATION, write_csv(tmp_path / "subventions.csv", rows))
    assert bilan.porteurs == []
    assert [(m.titre, m.changes[0]) for m in bilan.modifiees] == [("Business 4", "numéro Dauphin PRJ-1")]


def test_the_exported_workbook_imports_back_without_a_change(tmp_path: Path) -> None:
    document = load.round_trip().load(MERGED.replace("{etat: 3000.5}", '{etat: 3000.5, region: "1 000 €"}'))
    workbook = tmp_path / "programmation.xlsx"
    assert export.write_workbook(document["actions"], [ETAT, REGION], workbook) == 6
    lecture = read_programmation(workbook, CONTEXTE, 2019)
    assert lecture.financeurs == ["etat", "region"]
    assert lecture.lignes[1].montants == {"etat": Decimal("3000.50"), "region": Decimal("1000.00")}
    bilan = merge(document, lecture)
    assert not bilan.changed
    assert (bilan.inchangees, bilan.absentes, bilan.a_classer) == (6, [], ["Jardins partagés"])


def test_the_workbook_is_made_for_staff(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    document = load.round_trip().load(MERGED)
    export.write_workbook(document["actions"], [ETAT, REGION], tmp_path / "p.xlsx")
    sheet = load_workbook(tmp_path / "p.xlsx").active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Numéro de l'action PRJ",
        "Libellé de l'action",
        "Porteur de projet",
        "Commune",
        "Code stratégie",
        "Montant État (crédits spécifiques) (€)",
        "Montant Région Hauts-de-France (€)",
    ]
    assert rows[1] == ["PRJ-2019-0001", "Business 4", "Club des Entrepreneurs ESS", "Interco", "1.2", 12500, None]
    assert rows[3] == [None, "Action à la main", "Ville", "Béthune", "10.3", None, None]
    assert rows[6][4] == "à classer"
    assert rows[7] == [None, "Total", None, None, None, "=SUM(F2:F7)", "=SUM(G2:G7)"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G7"
    assert sheet["F2"].number_format == export.EURO_FORMAT == '#,##0.00\\ "€"'
    assert sheet["A1"].font.bold


def test_a_comment_the_round_trip_drops_is_put_back() -> None:
    """ruamel.yaml loses « # Santé » when the next item ends with a comment: the merge puts it back at its place."""
    before = (
        "actions:\n"
        '  - {titre: "A", strategie: "1"}\n'
        "\n"
        "  # Santé\n"
        '  - {titre: "B", strategie: "6"}   # rattaché à la priorité 6\n'
    )
    document = load.round_trip().load(before)
    document["actions"][0]["montants"] = {"etat": 1}
    out = io.StringIO()
    load.round_trip().dump(document, out)
    assert "# Santé" not in out.getvalue()  # what ruamel.yaml does (if it stops, this test says so)
    assert restore_comments(before, out.getvalue()) == (
        "actions:\n"
        '  - {titre: "A", strategie: "1", montants: {etat: 1}}\n'
        "\n"
        "  # Santé\n"
        '  - {titre: "B", strategie: "6"}   # rattaché à la priorité 6\n'
    )
