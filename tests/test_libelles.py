"""The words of the annexes and of the dossier are content: rapport.yaml, section « libelles »."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from assembleur.contenus.libelles import Libelles
from assembleur.documents import annexes
from assembleur.errors import ContentError
from assembleur.fabrication import verification
from assembleur.project import Year


def rewrite(path: Path, change) -> None:
    """Load a content file (keeping its comments), apply ``change`` to its data, write it back."""
    yaml = YAML(typ="rt")
    data = yaml.load(path.read_text(encoding="utf-8"))
    change(data)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


def test_without_a_libelles_section_the_annexes_take_the_words_of_the_contract(annee: Year, contenus: Path) -> None:
    rewrite(contenus / "rapport.yaml", lambda data: data.pop("libelles", None))
    content = verification.check(annee).content
    assert content.rapport.libelles == Libelles()
    grille = annexes.build_grille(content)
    assert grille.cover["numero_annexe"] == "ANNEXE 1"
    assert (
        grille.cover["titre_annexe"] == "Grille de répartition des actions 2019 selon la stratégie du contrat de ville"
    )
    assert grille.body[0].text == "CONTRAT DE VILLE - GRILLE DES ACTIONS 2019"
    table = grille.body[1].table
    assert table.rows[0][0].lines == ["Sous-priorité"]  # the last level of the strategy, as contrat.yaml names it
    assert table.rows[1][0].lines[0].startswith("Priorité 1\u00a0: Optimiser")


def test_a_libelle_typed_in_rapport_yaml_replaces_the_default(annee: Year, contenus: Path) -> None:
    def change(data) -> None:
        data["libelles"] = {
            "grille_annexe": "ANNEXE I",
            "grille_entete": "GRILLE {annee}",
            "priorite_titre": "{numero}. {titre}",
        }

    rewrite(contenus / "rapport.yaml", change)
    content = verification.check(annee).content
    grille = annexes.build_grille(content)
    assert grille.cover["numero_annexe"] == "ANNEXE I"
    assert grille.body[0].text == "GRILLE 2019"
    first = content.contrat.strategie.at_level(2)[0]
    assert grille.body[1].table.rows[1][0].lines[0].startswith(f"{first.code}. {first.titre[:20]}")


def test_the_grid_title_counts_the_elements_that_group_its_lines(annee: Year, contenus: Path) -> None:
    def add_one(data) -> None:
        data["strategie"]["elements"].append({"code": "99", "titre": "Piloter le contrat", "parent": "emploi"})

    rewrite(contenus / "contrat.yaml", add_one)
    content = verification.check(annee).content
    count = len(content.contrat.strategie.at_level(2))
    assert count == 11
    assert f"au sein des {count} priorités" in annexes.build_grille(content).cover["titre_annexe"]


def test_a_libelle_naming_an_unknown_value_is_refused_at_its_line(annee: Year, contenus: Path) -> None:
    rewrite(contenus / "rapport.yaml", lambda data: data.update(libelles={"grille_titre": "Les {nombre} priorités"}))
    line = (
        (contenus / "rapport.yaml")
        .read_text(encoding="utf-8")
        .splitlines()
        .index("  grille_titre: Les {nombre} priorités")
    )
    with pytest.raises(ContentError) as refused:
        verification.check(annee)
    [problem] = refused.value.problems
    assert problem.message == "ce libellé ne connaît pas « {nombre} » ; valeurs possibles : {annee} ou {priorites}."
    assert problem.line == line + 1
