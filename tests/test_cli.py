"""The command line: exact messages on stderr, written files on stdout, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembleur.errors import ConversionError
from assembleur.pdf import libreoffice

from .conftest import edit


def test_verifier_accepts_the_shipped_year_and_lists_warnings(projet: Path, cli) -> None:
    result = cli("verifier", "2019")
    assert result.exit_code == 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "Contenus 2019 valides : 3 chapitres, 123 actions, 3 avis scannés."
    assert lines[1] == "19 avertissements (le rapport garde les chiffres tapés) :"
    assert (
        "- contenus/2019/chapitre2.yaml, ligne 51, colonne 11 : les parts du financement totalisent 109,2\u00a0%, et non 100 %."
        in lines
    )


def test_verifier_defaults_to_the_newest_year_and_takes_a_folder(projet: Path, cli) -> None:
    assert cli("verifier", "2019").stderr.startswith("Contenus 2019 valides")
    assert cli("verifier", "contenus/2019").stderr.startswith("Contenus 2019 valides")


def test_a_broken_yaml_gives_file_line_column_and_exit_1(projet: Path, contenus: Path, cli) -> None:
    edit(contenus / "rapport.yaml", "annee: 2019", "annee: 2019\n\tdate: x")
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Erreur : 1 erreur dans les contenus :\n"
        "- contenus/2019/rapport.yaml, ligne 17, colonne 1 : tabulation trouvée : le YAML n'accepte que des espaces "
        "pour l'indentation ; remplacez la tabulation par des espaces.\n"
        "Corrigez ces points dans les fichiers indiqués, puis relancez « assembleur verifier ».\n"
    )


def test_an_unknown_year(projet: Path, cli) -> None:
    result = cli("verifier", "2018")
    assert result.exit_code == 1
    assert result.stderr == (
        "Erreur : L'année 2018 n'a pas de dossier contenus/2018/ (années présentes : 2019).\n"
        "Vérifiez l'année demandée, ou créez son dossier de contenus.\n"
    )


def test_outside_a_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("verifier")  # no year on purpose: there is none to take
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Erreur : Aucun dossier d'année dans {tmp_path / 'contenus'}.\n")
    named = cli("verifier", "2019")
    assert named.exit_code == 1
    assert named.stderr.startswith("Erreur : L'année 2019 n'a pas de dossier contenus/2019/ (années présentes : aucune).\n")


def test_without_a_year_the_newest_is_taken(projet: Path, cli) -> None:
    assert cli("nouveau", "2020").exit_code == 0
    result = cli("verifier")  # no year on purpose: the newest, 2020, still to be completed
    assert result.exit_code == 1
    assert "contenus/2020/" in result.stderr and "contenus/2019/" not in result.stderr


def test_rapport_prints_the_files_it_writes(projet: Path, cli) -> None:
    result = cli("rapport", "2019", "--sortie", "ailleurs")
    assert result.exit_code == 0, result.stderr
    assert (
        result.stdout
        == "ailleurs/rapport-politique-de-la-ville-2019-projet-v1.docx\nailleurs/manifeste-2019-projet-v1.json\n"
    )
    assert (projet / "ailleurs" / "rapport-politique-de-la-ville-2019-projet-v1.docx").is_file()
    assert result.stderr.startswith("Rapport 2019 : mise en page…\n19 avertissements")


@pytest.mark.libreoffice
def test_rapport_pdf_into_sortie(projet: Path, cli) -> None:
    result = cli("rapport", "2019", "--pdf")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "sortie/2019/rapport-politique-de-la-ville-2019-projet-v1.docx",
        "sortie/2019/rapport-politique-de-la-ville-2019-projet-v1.pdf",
        "sortie/2019/manifeste-2019-projet-v1.json",
    ]
    assert (projet / "sortie/2019/rapport-politique-de-la-ville-2019-projet-v1.pdf").read_bytes().startswith(b"%PDF")


def test_libreoffice_failure_is_exit_2_without_traceback(projet: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(pairs: list[tuple[Path, Path]], **_: object) -> list[Path]:
        raise ConversionError("LibreOffice n'a pas pu convertir r.docx en PDF (code de sortie 1).", "Relancez.")

    monkeypatch.setattr(libreoffice, "convert_batch", crash)
    result = cli("rapport", "2019", "--pdf")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(
        "Erreur : LibreOffice n'a pas pu convertir r.docx en PDF (code de sortie 1).\nRelancez.\n"
    )
    assert "Traceback" not in result.stderr


def test_missing_libreoffice_is_exit_2_with_install_advice(projet: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSEMBLEUR_SOFFICE", "/nulle/part/soffice")
    result = cli("rapport", "2019", "--pdf")
    assert result.exit_code == 2
    assert (
        "Erreur : ASSEMBLEUR_SOFFICE désigne /nulle/part/soffice, qui n'existe pas.\nInstallez LibreOffice"
        in result.stderr
    )


def test_debug_shows_the_traceback(projet: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSEMBLEUR_SOFFICE", "/nulle/part/soffice")
    result = cli("--debug", "rapport", "2019", "--pdf")
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr


def test_unwritable_output_folder_is_exit_2(projet: Path, cli) -> None:
    (projet / "fichier").write_text("x", encoding="utf-8")
    result = cli("rapport", "2019", "--sortie", "fichier/sous-dossier")
    assert result.exit_code == 2
    assert "Erreur : Le dossier de sortie fichier/sous-dossier ne peut pas être créé" in result.stderr


def test_help_is_in_french(cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    assert "verifier" in result.stdout and "Vérifie les contenus" in result.stdout


def test_the_installed_command_exits_with_the_right_code_and_all_its_output(projet: Path) -> None:
    """The console script leaves without tearing Python down: nothing it prints may be lost on the way."""
    import os
    import subprocess
    import sys

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "ASSEMBLEUR_MESURE": "1"}
        command = [sys.executable, "-c", "from assembleur.cli import main; main()", *arguments]
        return subprocess.run(command, capture_output=True, text=True, env=environment, cwd=projet)

    done = run("verifier", "2019")
    assert done.returncode == 0
    assert done.stderr.startswith("Contenus 2019 valides")
    assert done.stderr.count("\n- ") == 19  # every warning reached the terminal
    assert done.stderr.splitlines()[-1].startswith("mémoire maximale : ")  # exit handlers ran
    refused = run("verifier", "1999")
    assert refused.returncode == 1
    assert refused.stderr.startswith("Erreur : L'année 1999 n'a pas de dossier contenus/1999/")
    assert run("inconnue").returncode == 2  # Typer's own usage error
    assert run("--help").returncode == 0
