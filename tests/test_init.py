"""« assembleur init » : a project for any collectivité and either generation, whose PROJET builds at once."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest

from assembleur.contenus import projet_neuf

from .aides import REPO

CONTRACT_WORDS = re.compile(r"cget|cabbalr|b[ée]thune|pilier", re.IGNORECASE)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def init_and_build(cli, monkeypatch: pytest.MonkeyPatch, folder: Path, annee: int, *options: str) -> str:
    """« assembleur init FOLDER OPTIONS », then « assembleur dossier » in it: the text of the PROJET's PDF."""
    result = cli("init", str(folder), *options)
    assert result.exit_code == 0, result.stderr
    assert f"{folder}/contenus/{annee}/contrat.yaml" in result.stdout.splitlines()
    monkeypatch.chdir(folder)
    built = cli("dossier")
    assert built.exit_code == 0, built.stderr
    return pdf_text(folder / "sortie" / str(annee) / f"dossier-politique-de-la-ville-{annee}-projet-v1.pdf")


@pytest.mark.libreoffice
def test_a_2024_project_builds_its_projet_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli) -> None:
    annee = dt.date.today().year - 1  # a rapport covers a year that has ended
    text = init_and_build(
        cli, monkeypatch, tmp_path / "x", annee, "--collectivite", "Brest métropole", "--sigle", "BM",
        "--generation", "2024", "--niveaux", "Défi,Orientation,Objectif opérationnel",
    )  # fmt: skip
    assert "Brest métropole" in text and "Défi 1" in text and "Objectif opérationnel" in text
    assert "Engagements Quartiers 2030" in text and "sous toutes ses formes" in text
    assert "Le volet investissement" in text and "Projet de quartier" in text
    assert not CONTRACT_WORDS.search(text), CONTRACT_WORDS.search(text)
    assert "dotation de solidarité urbaine" not in text  # no commune receives the DSU yet


@pytest.mark.libreoffice
def test_a_2015_project_of_another_epci_builds_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli) -> None:
    text = init_and_build(
        cli, monkeypatch, tmp_path / "y", 2022, "--collectivite", "Communauté urbaine de Dunkerque", "--sigle", "CUD",
        "--generation", "2015", "--annee", "2022",
    )  # fmt: skip
    assert "Communauté urbaine de Dunkerque" in text and "Orientation 1" in text
    assert not CONTRACT_WORDS.search(text) and "ANCT" not in text and "Engagements Quartiers" not in text


def test_verifier_lists_every_value_to_fill_with_file_and_line(tmp_path: Path, monkeypatch, cli) -> None:
    folder = tmp_path / "z"
    assert (
        cli("init", str(folder), "--collectivite", "Brest métropole", "--sigle", "BM", "--annee", "2025").exit_code == 0
    )
    monkeypatch.chdir(folder)
    result = cli("verifier")
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "Contenus 2025 valides : 5 chapitres, 1 actions, 0 avis scanné."
    pending = [line for line in lines[2:] if line.endswith("à la place de « À COMPLÉTER ».")]
    assert len(pending) == len(lines) - 2 and len(pending) > 20
    assert (
        "- contenus/2025/contrat.yaml, ligne 19, colonne 12 [territoire › pilote › siren] : à compléter : "
        "tapez la valeur de l'année à la place de « À COMPLÉTER »."
    ) in lines
    files = {line.split(",")[0].removeprefix("- ") for line in pending}
    assert "contenus/2025/chapitre5.yaml" in files and "contenus/2025/programmation.yaml" in files


def test_a_folder_that_is_not_empty_is_never_overwritten(tmp_path: Path, cli) -> None:
    (tmp_path / "notes.txt").write_text("à garder", encoding="utf-8")
    result = cli("init", str(tmp_path), "--collectivite", "Brest métropole", "--sigle", "BM")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Erreur : Le dossier {tmp_path} existe déjà et n'est pas vide : « assembleur init » n'écrase jamais rien.\n"
        "Choisissez un dossier nouveau (ou vide).\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_wrong_generation_or_level_list_is_refused_in_french(tmp_path: Path, cli) -> None:
    result = cli("init", str(tmp_path / "a"), "--collectivite", "X", "--sigle", "X", "--generation", "2020")
    assert result.exit_code == 1
    assert result.stderr.startswith("Erreur : Génération de contrat inconnue : 2020.\n")
    result = cli("init", str(tmp_path / "b"), "--collectivite", "X", "--sigle", "X", "--niveaux", "A,B,C,D,E")
    assert result.stderr.startswith("Erreur : Niveaux de stratégie refusés : « A,B,C,D,E ».\n")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_the_package_ships_the_templates_of_the_project() -> None:
    shipped = sorted(p.name for p in (projet_neuf.MODELS / "gabarits").glob("*.docx"))
    assert shipped == sorted(p.name for p in (REPO / "gabarits").glob("*.docx"))
    for name in shipped:  # the same bytes: outils/fabriquer_gabarits.py makes both
        assert (projet_neuf.MODELS / "gabarits" / name).read_bytes() == (REPO / "gabarits" / name).read_bytes()
