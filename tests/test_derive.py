"""Derived figures: counts from the one list of actions, and the checks of ``verifier``."""

from __future__ import annotations

from pathlib import Path

from assembleur.contenus.french import NBSP, NNBSP
from assembleur.documents import derive
from assembleur.fabrication import verification
from assembleur.project import Year

from .aides import edit


def warnings_of(checked: verification.Checked) -> list[str]:
    return [p.message for p in checked.warnings]


def test_projets_per_element_of_the_first_level_come_from_the_actions(checked_2019: verification.Checked) -> None:
    counts = derive.count(checked_2019.content)
    firsts = [e.code for e in checked_2019.content.contrat.strategie.at_level(1)]
    assert {code: tally.projets for code, tally in counts.by_element.items() if code in firsts} == {
        "emploi": 24,
        "cohesion_sociale": 96,
        "cadre_de_vie": 10,
    }
    assert counts.total.projets == 130


def test_projets_per_thematique_match_the_seed_tables(checked_2019: verification.Checked) -> None:
    counts = derive.count(checked_2019.content).by_thematique
    assert {name: tally.projets for name, tally in counts.items()} == {
        "Emploi et développement économique": 24,
        "Education": 23,
        "Santé": 15,
        "Sport": 5,
        "Culture": 13,
        "Numérique": 7,
        "Environnement - Mobilité": 15,
        "Prévention": 3,
        "Accès aux droits": 5,
        "Participation des habitants": 10,
        "Cadre de vie": 10,
    }


def test_a_multi_commune_action_counts_one_projet_per_commune(checked_2019: verification.Checked) -> None:
    [pre] = [a for a in checked_2019.content.programmation.actions if a.titre == "PRE"]
    assert len(pre.communes) == 8
    tally = derive.Tally()
    tally.add(pre)
    assert tally.projets == 8
    assert len(tally.porteurs) == 8


def test_local_porteurs_are_told_apart_by_commune(checked_2019: verification.Checked) -> None:
    actions = checked_2019.content.programmation.actions
    villes = {derive.porteur_key(a, a.communes[0]) for a in actions if a.porteur == "Ville"}
    assert "ville — Auchel" in villes and "ville — Lillers" in villes
    assert derive.porteur_key(next(a for a in actions if a.porteur == "Prévert"), "x") == "prevert"


def test_the_seed_inconsistencies_are_reported(checked_2019: verification.Checked) -> None:
    found = warnings_of(checked_2019)
    for expected in [
        f"les parts du financement totalisent 109,2{NBSP}%, et non 100 %.",
        "129 projets accompagnés par « Etat - CGET » (projets_cget), mais 127 projets retenus (projets_retenus).",
        "127 projets retenus annoncés, mais la liste des actions en compte 130.",
        "le chapitre 2 annonce 25 projets pour « Emploi et développement économique » (pilier), ce bilan en annonce 24.",
        "le chapitre 2 annonce 87 projets pour « Cohésion sociale » (pilier), ce bilan en annonce 96.",
        "le chapitre 2 annonce 14 projets pour « Cadre de vie et renouvellement urbain » (pilier), ce bilan en annonce 10.",
        "le porteur « ARTOIS INITIATIVE » figure deux fois (ligne 110 et ici) ; fusionnez les deux lignes.",
        "le porteur « ASSOCIATION HABITAT INSERTION » figure deux fois (ligne 98 et ici) ; fusionnez les deux lignes.",
    ]:
        assert expected in found


def test_sub_tables_that_add_up_raise_no_warning(checked_2019: verification.Checked) -> None:
    found = " ".join(warnings_of(checked_2019))
    assert "montants de « Etat - CGET »" not in found  # 1 712 989 €
    assert "fonds de concours" not in found  # 191 974 and 280 000
    assert "bilans par thématique" not in found  # 96 projets, 717 269 €, 1 595 490 €
    assert "Les Associations" not in found and "Les institutions" not in found  # 88 and 65
    assert "projets déposés" not in found  # 88 + 65 = 153


def test_every_warning_names_its_file_and_line(checked_2019: verification.Checked) -> None:
    assert checked_2019.warnings
    for warning in checked_2019.warnings:
        assert str(warning.file).startswith("contenus/2019/") and warning.line


def test_a_typed_figure_that_disagrees_is_warned_but_shown_as_typed(annee: Year, contenus: Path) -> None:
    edit(contenus / "chapitre2.yaml", 'montant_fdc: "51 974"', 'montant_fdc: "51 975"')
    checked = verification.check(annee)
    [warning] = [w for w in checked.warnings if "fonds de concours" in w.message]
    assert warning.message == (
        f"les lignes du fonds de concours totalisent 191{NNBSP}975{NBSP}€, et non 191{NNBSP}974{NBSP}€."
    )
    assert str(warning.file) == "contenus/2019/chapitre2.yaml" and warning.line
    document = derive.build_document(checked.content)
    cells = [
        line for item in document.body if item.table for row in item.table.rows for cell in row for line in cell.lines
    ]
    assert f"51{NNBSP}975" in cells  # what the staff typed
    assert f"191{NNBSP}974" in cells  # the typed total, not a corrected one


def test_placeholders_are_filled_with_french_figures(checked_2019: verification.Checked) -> None:
    document = derive.build_document(checked_2019.content)
    texts = [item.text for item in document.body]
    assert any(
        f"1{NNBSP}712{NNBSP}989{NBSP}€ de crédits CGET" in t or f"1{NNBSP}712{NNBSP}989{NBSP}€" in t for t in texts
    )
    assert not any("{credits_cget}" in t for t in texts)


def test_chapter_3_lists_are_generated_from_the_actions(checked_2019: verification.Checked) -> None:
    document = derive.build_document(checked_2019.content)
    texts = [item.text for item in document.body]
    start = texts.index("Education")
    education = texts[start : start + 25]
    assert "Priorité 10.1 Prévention illettrisme précoce" in education
    assert "Lectures à partager à Auchel (Ville)" in education
    assert "Le Quai des Mêmes à Auchel (Ville)" in education
    assert (
        derive.action_line(next(a for a in checked_2019.content.programmation.actions if a.titre == "Class'Départ 6"))
        == "Class'Départ 6 (L'Envol)"
    )


def test_the_document_follows_the_seed_order(checked_2019: verification.Checked) -> None:
    document = derive.build_document(checked_2019.content)
    headings = [item.text for item in document.body if item.kind == "titre1"]
    assert headings == [
        "1 – Le Contrat de Ville et ses orientations stratégiques",
        "2 – La programmation 2019 et les programmes connexes",
        "3 – La contribution de la programmation 2019 aux objectifs du Contrat de Ville",
        "Conclusion",
    ]
    assert document.cover["date_arret"] == "29 septembre 2020"
    assert document.cover["projet"] is True


def test_a_table_without_a_header_row_is_warned_for_accessibility(annee: Year, contenus: Path) -> None:
    assert not [w for w in verification.check(annee).warnings if "en-tête" in w.message]
    edit(contenus / "chapitre3.yaml", '          entetes: ["GROUPE", "ACCEPTÉ 2020", "CIBLE 2020", "Réalise"]\n', "")
    [warning] = [w for w in verification.check(annee).warnings if "en-tête" in w.message]
    assert str(warning.file) == "contenus/2019/chapitre3.yaml" and warning.line == 35  # the table, under « tableau: »
    assert warning.message.startswith("ce tableau n'a pas de ligne d'en-tête : un lecteur d'écran")


def test_a_figure_is_labelled_by_the_words_around_it_where_the_rapport_first_cites_it(checked_2019) -> None:
    labels = derive.figure_labels(checked_2019.content)
    assert labels["emplois_francs"] == "71 emplois francs ont été signés au cours de l'année 2019"
    # cut to a few words on each side, the cuts shown; the other figures of the clause filled in
    assert labels["feder_iti"] == "… représentent une mobilisation du FEDER à hauteur de 1\u202f053\u202f610\u00a0€"
    assert labels["projets_cget"] == (
        "… programmation 2019 du Contrat de Ville afin d'accompagner 129 projets portés par la Communauté "
        "d'Agglomération"
    )
    assert labels["projets_deposes"] == "LES PORTEURS DE PROJETS (153 déposés / 129 retenus)"  # a title cites it first
    # declared, never cited in the text: no label (the comparison names it by its key)
    assert set(checked_2019.content.programmation.chiffres) - set(labels) == {"fonds_de_concours_total"}

