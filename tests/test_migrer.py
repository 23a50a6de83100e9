"""« assembleur migrer » : a year of the model before contrat.yaml, rewritten with its comments and figures."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from assembleur.documents import annexes, derive
from assembleur.fabrication import verification
from assembleur.project import Year

from .aides import DATA, PROJET_FIGE, edit

OLD = DATA / "ancien-2019"  # the files of the frozen 2019 as the model before contrat.yaml wrote them


@pytest.fixture
def ancien(projet: Path) -> Path:
    """The project with its 2019 written for the old model (as a user's year made before the upgrade)."""
    contenus = projet / "contenus" / "2019"
    (contenus / "contrat.yaml").unlink()
    for path in OLD.glob("*.yaml"):
        shutil.copyfile(path, contenus / path.name)
    return contenus


def data(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def comments(path: Path) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in path.read_text(encoding="utf-8").splitlines() if "# " in line]


def test_verifier_on_an_old_year_says_to_migrate_it(ancien: Path, cli) -> None:
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "Erreur : 1 erreur dans les contenus :",
        "- contenus/2019/contrat.yaml : cette année est écrite selon l'ancien modèle (sans contrat.yaml, les "
        "communes dans programmation.yaml) ; elle ne se lit plus telle quelle : lancez « assembleur migrer 2019 "
        "--essai » pour voir les changements, puis « assembleur migrer 2019 » pour la réécrire (commentaires et "
        "chiffres gardés).",
    ]


def test_essai_shows_the_changes_and_writes_nothing(ancien: Path, cli) -> None:
    before = {p.name: p.read_bytes() for p in ancien.iterdir()}
    result = cli("migrer", "2019", "--essai")
    assert result.exit_code == 0, result.stderr
    assert {p.name: p.read_bytes() for p in ancien.iterdir()} == before
    assert "+++ 2019/contrat.yaml (après)" in result.stdout
    assert '-  - {titre: "Business 4", commune: Interco, porteur: Club des Entrepreneurs ESS, sous_priorite: "1.2"' in (
        result.stdout
    )
    assert result.stderr == "Essai : rien n'est écrit. « assembleur migrer 2019 » écrira ces 7 fichiers.\n"


def test_a_migrated_year_gives_the_same_dossier(ancien: Path, annee: Year, cli) -> None:
    result = cli("migrer", "2019")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "contenus/2019/contrat.yaml"
    frozen = PROJET_FIGE / "contenus" / "2019"
    for path in OLD.glob("*.yaml"):  # the same data as the shipped 2019, written for today's model
        assert data(ancien / path.name) == data(frozen / path.name), path.name
    migrated, shipped = verification.check(annee).content, verification.check(Year(PROJET_FIGE, 2019)).content
    assert derive.build_document(migrated) == derive.build_document(shipped)
    assert annexes.build_grille(migrated) == annexes.build_grille(shipped)
    assert annexes.build_protocole(migrated) == annexes.build_protocole(shipped)
    assert len(verification.check(annee).warnings) == len(verification.check(Year(PROJET_FIGE, 2019)).warnings)


def test_every_comment_is_kept(ancien: Path, cli) -> None:
    assert cli("migrer", "2019").exit_code == 0
    for path in OLD.glob("*.yaml"):
        old = [re.sub(r"\bsous_priorite\b", "strategie", c) for c in comments(path)]
        assert comments(ancien / path.name) == old, path.name


def test_a_year_of_todays_model_is_not_migrated(projet: Path, cli) -> None:
    result = cli("migrer", "2019")
    assert result.exit_code == 1
    assert result.stderr == (
        "Erreur : L'année 2019 n'est pas écrite selon l'ancien modèle (elle a contrat.yaml, ou pas de "
        "programmation.yaml) : rien à migrer.\nLancez « assembleur verifier 2019 » pour la vérifier telle qu'elle est.\n"
    )


def test_the_identity_typed_in_rapport_yaml_moves_to_the_contract(ancien: Path, cli) -> None:
    edit(ancien / "rapport.yaml", "  sigle: CABBALR\n", '  sigle: CABBALR\n  siren: "200072460"\n  departement: "062"\n')
    assert cli("migrer", "2019").exit_code == 0
    pilote = data(ancien / "contrat.yaml")["territoire"]["pilote"]
    assert (pilote["siren"], pilote["departement"]) == ("200072460", "062")
    assert set(data(ancien / "rapport.yaml")["collectivite"]) == {"couverture"}
    assert cli("verifier", "2019").exit_code == 0
