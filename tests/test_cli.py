"""The command line: exact messages on stderr, written files on stdout, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembleur.errors import ConversionError
from assembleur.pdf import libreoffice

from .aides import edit


def test_verifier_accepts_the_shipped_year_and_lists_warnings(projet: Path, cli) -> None:
    result = cli("verifier", "2019")
    assert result.exit_code == 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "Contenus 2019 valides : 3 chapitres, 123 actions, 3 avis scannés."
    assert lines[1] == "26 avertissements (le rapport garde les chiffres tapés) :"
    assert (
        "- contenus/2019/chapitre2.yaml, ligne 53, colonne 11 : les parts du financement totalisent 109,2\u00a0%, et non 100 %."
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
        "- contenus/2019/rapport.yaml, ligne 15, colonne 1 : tabulation trouvée : le YAML n'accepte que des espaces "
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
    assert result.stderr.startswith("Rapport 2019 : mise en page…\n26 avertissements")


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
    assert done.stderr.count("\n- ") == 26  # every warning reached the terminal
    assert done.stderr.splitlines()[-1].startswith("mémoire maximale : ")  # exit handlers ran
    refused = run("verifier", "1999")
    assert refused.returncode == 1
    assert refused.stderr.startswith("Erreur : L'année 1999 n'a pas de dossier contenus/1999/")
    assert run("inconnue").returncode == 64  # a wrong command line
    assert run("--help").returncode == 0


# --- Exit codes: 0 done, 1 the user's files, 2 the machine, 64 the command line, 70 a crash ---

CRASH_BEFORE_MAIN = """
import sys
from assembleur.documents import render

def crash(*args, **kwargs):
    raise RuntimeError("panne simulée au milieu de la fabrication")

render.render_docx = crash  # a stage of every build: the crash comes with the staging folder full
from assembleur.cli import main
main()
"""


def everything_under(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder under ``folder``: a staging folder left behind shows too."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in folder.rglob("*")}


def run_assembleur(project: Path, *arguments: str, crash: bool = False, **environment: str):
    """``python -m assembleur …`` in ``project``, a real process; with ``crash``, a stage of the build fails."""
    import os
    import subprocess
    import sys

    start = ["-c", CRASH_BEFORE_MAIN] if crash else ["-m", "assembleur"]
    return subprocess.run(
        [sys.executable, *start, *arguments],
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, **environment},
    )


def test_the_four_exit_codes_of_a_real_process(projet: Path, contenus: Path) -> None:
    assert run_assembleur(projet, "verifier", "2019").returncode == 0
    (projet / "fichier").write_text("x", encoding="utf-8")
    machine = run_assembleur(projet, "rapport", "2019", "--sortie", "fichier/sous-dossier")
    assert machine.returncode == 2
    assert machine.stderr.startswith("Rapport 2019 : mise en page…\nErreur : Le dossier de sortie fichier/sous-dossier")
    usage = run_assembleur(projet, "dossier", "2019", "--nope")
    assert usage.returncode == 64
    assert usage.stderr == (
        "Erreur : L'option --nope n'existe pas.\n"
        "Utilisation : assembleur dossier [OPTIONS] [ANNEE]\n"
        "Pour l'aide : assembleur dossier --help\n"
    )
    edit(contenus / "rapport.yaml", "annee: 2019", "annee: 2019\n\tdate: x")
    user = run_assembleur(projet, "verifier", "2019")
    assert user.returncode == 1
    assert user.stderr.startswith("Erreur : 1 erreur dans les contenus :\n- contenus/2019/rapport.yaml, ligne 15")


def test_a_crash_exits_70_with_a_log_and_leaves_the_published_files_alone(projet: Path, cli) -> None:
    assert cli("rapport", "2019").exit_code == 0
    published = everything_under(projet / "sortie")
    assert len(published) == 3  # 2019/, its DOCX and its manifest

    done = run_assembleur(projet, "rapport", "2019", "--forcer", crash=True)

    assert done.returncode == 70
    assert done.stdout == ""
    [log] = (projet / ".cache" / "assembleur" / "plantages").iterdir()
    assert done.stderr == (
        "Rapport 2019 : mise en page…\n"
        "Erreur inattendue : assembleur s'est arrêté sur un problème qu'il ne sait pas expliquer (RuntimeError).\n"
        "Aucun fichier déjà publié n'a été modifié.\n"
        f"Le détail est écrit dans .cache/assembleur/plantages/{log.name} : joignez ce fichier à votre signalement.\n"
    )
    assert "Traceback" not in done.stderr
    report = log.read_text(encoding="utf-8")
    import platform

    assert report.startswith("Plantage d'assembleur 0.1.0 le ")
    assert "\nCommande : assembleur rapport 2019 --forcer\n" in report
    assert f"\nPython : {platform.python_version()} (" in report
    assert f"\nSystème : {platform.platform()}\n" in report
    assert "Traceback (most recent call last):" in report
    assert report.rstrip().endswith("RuntimeError: panne simulée au milieu de la fabrication")
    # nothing half-written, nothing changed, no staging folder and no lock left behind
    assert everything_under(projet / "sortie") == published
    assert not list((projet / ".cache" / "assembleur").glob("*.verrou"))
    assert run_assembleur(projet, "rapport", "2019", "--forcer").returncode == 0


def test_a_crash_log_goes_to_the_user_cache_when_the_project_cache_cannot_be_written(projet: Path) -> None:
    (projet / ".cache" / "assembleur").mkdir(parents=True)
    (projet / ".cache" / "assembleur" / "plantages").write_text("pas un dossier", encoding="utf-8")
    user = projet.parent / f"{projet.name}-utilisateur"

    done = run_assembleur(projet, "rapport", "2019", crash=True, ASSEMBLEUR_CACHE=str(user))

    assert done.returncode == 70
    [log] = (user / "plantages").iterdir()
    assert f"Le détail est écrit dans {log} : joignez ce fichier" in done.stderr
    assert "RuntimeError: panne simulée" in log.read_text(encoding="utf-8")


def test_a_crash_with_debug_prints_the_traceback_too(projet: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from assembleur.documents import render

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(render, "render_docx", crash)
    result = cli("--debug", "rapport", "2019")
    assert result.exit_code == 70
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: panne simulée\n" in result.stderr
    assert "Le détail est écrit dans .cache/assembleur/plantages/plantage-" in result.stderr


def test_a_crash_while_publishing_leaves_no_partial_file(projet: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The manifest is the last file staged: every other file of the build is complete when this crash comes."""
    from assembleur.fabrication import manifest

    assert cli("rapport", "2019").exit_code == 0
    published = everything_under(projet / "sortie")

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(manifest, "write_manifest", crash)
    assert cli("rapport", "2019", "--forcer").exit_code == 70
    assert everything_under(projet / "sortie") == published


def test_ctrl_c_stays_130(projet: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from assembleur.documents import render

    def interrupt(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "render_docx", interrupt)
    result = cli("rapport", "2019")
    assert result.exit_code == 130
    assert result.stderr.endswith("Interrompu : aucun fichier déjà produit n'a été modifié.\n")
    assert not (projet / "sortie").exists()


# --- French everywhere: help pages and usage errors ---


def every_command_path() -> list[tuple[str, ...]]:
    from typer.main import get_command

    from assembleur.cli import app

    paths: list[tuple[str, ...]] = [()]
    pending = [((), get_command(app))]
    while pending:
        path, group = pending.pop()
        for name, command in getattr(group, "commands", {}).items():
            paths.append((*path, name))
            pending.append(((*path, name), command))
    return paths


ENGLISH = (
    "Usage",
    "Show this",
    "help",
    "default",
    "Commands",
    "Arguments]",
    "ARGS",
    "required",
    "<str>",
    "<int>",
    "<path>",
    "<float>",
    "Error",
    "Try",
)


@pytest.mark.parametrize("path", every_command_path(), ids=lambda path: " ".join(path) or "assembleur")
def test_every_help_page_is_french(path: tuple[str, ...], cli) -> None:
    result = cli(*path, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Utilisation : {' '.join(('assembleur', *path))} [OPTIONS]")
    assert "  -h, --help" in result.stdout and "Affiche cette aide." in result.stdout
    page = result.stdout.replace("-h, --help", "")
    assert [word for word in ENGLISH if word in page] == []


def test_the_help_of_a_command_word_for_word(cli) -> None:
    result = cli("nouveau", "-h")
    assert result.stdout == (
        "Utilisation : assembleur nouveau [OPTIONS] ANNEE\n"
        "\n"
        "  Crée les contenus d'une nouvelle année à partir de la précédente, ce qui\n"
        "  change marqué « À COMPLÉTER ».\n"
        "\n"
        "Arguments :\n"
        "  ANNEE  L'année à créer (2020).  [obligatoire]\n"
        "\n"
        "Options :\n"
        "  --depuis ANNEE  L'année modèle. Par défaut : la précédente.\n"
        "  -h, --help      Affiche cette aide.\n"
    )


@pytest.mark.parametrize(
    ("arguments", "message", "usage"),
    [
        (["verifer"], "La commande « verifer » n'existe pas ; vouliez-vous dire « verifier » ?", "assembleur"),
        (["cache", "vide"], "La commande « vide » n'existe pas ; vouliez-vous dire « vider » ?", "assembleur cache"),
        (
            ["dossier", "2019", "--forcr"],
            "L'option --forcr n'existe pas ; vouliez-vous dire --forcer ou --ocr ?",
            "assembleur dossier",
        ),
        (["nouveau"], "Il manque l'argument ANNEE.", "assembleur nouveau"),
        (
            ["nouveau", "deux-mille"],
            "Valeur incorrecte pour ANNEE : « deux-mille » n'est pas un nombre entier.",
            "assembleur nouveau",
        ),
        (
            ["dossier", "2019", "--limite-actes", "beaucoup"],
            "Valeur incorrecte pour --limite-actes : « beaucoup » n'est pas un nombre.",
            "assembleur dossier",
        ),
        (["verifier", "2019", "2020"], "Argument en trop : 2020.", "assembleur verifier"),
        (["rapport", "2019", "--forcer=oui"], "L'option --forcer ne prend pas de valeur.", None),
        (["--debug"], "Il manque la commande.", "assembleur"),
    ],
)
def test_a_wrong_command_line_is_said_in_french_and_exits_64(
    arguments: list[str], message: str, usage: str | None, cli
) -> None:
    result = cli(*arguments)
    assert result.exit_code == 64
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"Erreur : {message}"
    if usage is not None:
        assert lines[1].startswith(f"Utilisation : {usage} [OPTIONS]")
        assert lines[2:] == [f"Pour l'aide : {usage} --help"]


def test_an_option_without_its_value_exits_64(cli) -> None:
    result = cli("dossier", "2019", "--limite-actes")
    assert (result.exit_code, result.stderr) == (64, "Erreur : L'option --limite-actes demande une valeur.\n")


def test_an_unknown_version_is_a_wrong_command_line(projet: Path, cli) -> None:
    result = cli("rapport", "2019", "--version", "finale")
    assert result.exit_code == 64
    assert result.stderr == "Erreur : Version inconnue « finale ».\nÉcrivez --version projet ou --version definitif.\n"


def test_no_command_shows_the_help_and_exits_64(cli) -> None:
    result = cli()
    assert result.exit_code == 64
    assert result.stdout == ""
    assert result.stderr.startswith("Utilisation : assembleur [OPTIONS] COMMANDE [ARGUMENTS]...\n")
    assert "Commandes :\n  verifier" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "launched"),
    [
        (["dossier", "2019"], True),
        (["--debug", "dossier"], True),
        (["rapport", "--pdf"], True),
        (["rapport", "2019"], False),
        (["deliberation", "2019"], True),
        (["deliberation", "ajouter", "acte.pdf", "--numero", "2020-245"], False),
        (["comparer"], True),
        (["verifier", "2019"], False),
        (["avis", "ajouter", "avis.pdf"], False),
        (["dossier", "--help"], False),
        ([], False),
    ],
)
def test_libreoffice_is_launched_before_the_command_line_is_read_only_for_a_command_that_converts(
    arguments: list[str], launched: bool
) -> None:
    from assembleur.__main__ import converts

    assert converts(arguments) is launched
