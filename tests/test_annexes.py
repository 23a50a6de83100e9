"""Annexes derived from the content: the grid of actions, the protocole, the summary of the avis."""

from __future__ import annotations

from collections import Counter

from assembleur.contenus.french import typography
from assembleur.documents import annexes, derive
from assembleur.fabrication import verification


def table_lines(document: derive.Document) -> list[str]:
    return [
        line for item in document.body if item.table for row in item.table.rows for cell in row for line in cell.lines
    ]


def test_the_grid_lists_every_action_once(checked_2019: verification.Checked) -> None:
    lines = Counter(table_lines(annexes.build_grille(checked_2019.content)))
    for action in checked_2019.content.programmation.actions:
        assert lines[typography(annexes.grid_line(checked_2019.content, action))] == 1, action.titre
    assert "Lectures à partager - Auchel (Ville)" in lines
    assert "Class'Départ 6 - Interco (L'Envol)" in lines


def test_the_grid_shows_every_sous_priorite_even_empty(checked_2019: verification.Checked) -> None:
    lines = table_lines(annexes.build_grille(checked_2019.content))
    strategie = checked_2019.content.contrat.strategie
    for priorite in strategie.at_level(2):
        assert any(line.startswith(typography(f"PRIORITE n°{priorite.code} : ")) for line in lines)
        for sous in strategie.children(priorite.code):
            assert typography(f"{sous.code} {sous.titre}") in lines
    assert lines.count("*Aucune action en 2019*") >= 10  # 1.1, 1.3, 4.1 … 8.4
    assert "Priorité 6, sans sous-priorité" in lines  # the Conseil Local de Santé Mental


def test_the_grid_is_landscape_friendly_and_splits_long_rows(checked_2019: verification.Checked) -> None:
    [table] = [item.table for item in annexes.build_grille(checked_2019.content).body if item.table]
    assert table.can_split and table.header_rows == 1
    assert len(table.rows[0]) == 3


def test_the_protocole_carries_every_article_and_every_indicator(checked_2019: verification.Checked) -> None:
    content = checked_2019.content
    document = annexes.build_protocole(content)
    texts = [item.text for item in document.body] + table_lines(document)
    for section in content.protocole.sections:
        assert typography(section.titre) in texts
    assert texts.count(typography("Article 4 : Priorités d'intervention 2019-2022")) == 1
    assert typography("Article 4 : L'évaluation de la période 2019-2022 et du Contrat de Ville") in texts
    for priorite in content.feuille_de_route.priorites:
        assert any(t.startswith(typography(f"PRIORITE n°{priorite.numero} : ")) for t in texts)
        for indicateur in priorite.indicateurs:
            assert typography(indicateur) in texts
    assert "Fait à Arras le 06 MARS 2020 en deux exemplaires." in texts
    assert "Franck BOULANJON" in texts and "Serge MARCELLAK" in texts
    assert document.cover["numero_annexe"] == "ANNEXE 2"


def test_the_duplicate_article_4_is_warned_not_changed(checked_2019: verification.Checked) -> None:
    [warning] = [w for w in checked_2019.warnings if "articles portent" in w.message]
    assert str(warning.file) == "contenus/2019/protocole.yaml" and warning.line
    assert warning.message.startswith("deux articles portent le numéro 4 (« Article 4 : Priorités d'intervention")


def test_the_summary_of_the_avis_says_who_answered(checked_2019: verification.Checked) -> None:
    document = annexes.build_synthese_avis(checked_2019.content, verification.statuts(checked_2019))
    rows = [[cell.lines[0] for cell in row] for item in document.body if item.table for row in item.table.rows]
    assert ["Marles-les-Mines", "18 novembre 2020", "favorable", "25 novembre 2020"] in rows
    assert ["Bruay-La-Buissière", "7 novembre 2020", "prend acte", "10 novembre 2020"] in rows
    assert ["Auchel", "—", "en attente", "—"] in rows  # the 2019 content does not say when the projet was sent
    communes = [r for r in rows if r[0] != "Organisme consulté"]
    assert len(communes) == 15 + 4  # 14 communes, the unnamed council, 4 conseils citoyens
    assert document.body[0].text.endswith(typography("3 avis ont été reçus ; ils sont joints au présent dossier."))


def test_a_table_cell_typed_as_a_list_shows_one_line_per_element(checked_2019: verification.Checked) -> None:
    document = annexes.build_protocole(checked_2019.content)
    cells = [cell for item in document.body if item.table for row in item.table.rows for cell in row]
    assert not [cell for cell in cells if any(line.startswith("['") for line in cell.lines)]
    assert any(len(cell.lines) > 1 for cell in cells)  # the 2019 protocole has such cells
