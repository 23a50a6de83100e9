"""Shared fixtures: a throw-away copy of the tests' own frozen project, and the real 2019 build.

The tests never read the working tree's ``contenus/``, ``annexes/`` or
``gabarits/``: those belong to the users, who edit them, add scans and start
new years. The tests work on ``tests/projet-fige/``, a frozen copy of the
2019 project (content, templates, scans), copied afresh for each test that
writes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from assembleur.cli import app
from assembleur.fabrication import build, verification
from assembleur.project import Year

from .aides import PROJET_FIGE, classify, copy_project, send_projet, sign_deliberation

# CI explores the same examples on every run (a red CI is then always reproducible);
# developers' runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def converter_of_the_session(tmp_path_factory: pytest.TempPathFactory):
    """The tests' own warm converter (not the user's), stopped when the tests end.

    The warm tool is off: a command the tests run starts a process of its own, whose
    modules, limits and death they observe (test_outil_pret.py turns it on, in this state folder).
    """
    from assembleur import warm
    from assembleur.pdf import libreoffice

    saved = {name: os.environ.get(name) for name in (libreoffice.ENV_CACHE, warm.ENV_WARM_TOOL)}
    os.environ[libreoffice.ENV_CACHE] = str(tmp_path_factory.mktemp("convertisseur"))
    os.environ[warm.ENV_WARM_TOOL] = "non"
    yield
    libreoffice.stop_servers()
    warm.ask("stop")
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def projet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project, made the current folder (the CLI works on the current folder)."""
    copy_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def annee(projet: Path) -> Year:
    return Year(projet, 2019)


@pytest.fixture
def contenus(projet: Path) -> Path:
    return projet / "contenus" / "2019"


@pytest.fixture(scope="session")
def checked_2019() -> verification.Checked:
    """The frozen 2019 content, validated (read-only)."""
    return verification.check(Year(PROJET_FIGE, 2019))


@pytest.fixture(scope="session")
def rapport_2019(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The frozen 2019 rapport built once, DOCX and PDF, with the real LibreOffice."""
    root = copy_project(tmp_path_factory.mktemp("projet"))
    _, written = build.build_rapport(Year(root, 2019), root / "sortie" / "2019", pdf=True)
    return {path.suffix.lstrip("."): path for path in written}


@pytest.fixture(scope="session")
def dossier_2019(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The frozen 2019 dossier built once with the real LibreOffice: every file written, by name."""
    root = copy_project(tmp_path_factory.mktemp("projet"))
    _, written = build.build_dossier(Year(root, 2019), root / "sortie" / "2019")
    return {path.name: path for path in written}


@pytest.fixture(scope="session")
def definitif_2019(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """A définitif dossier (delay passed: the missing avis are réputés favorables), with @ctes."""
    root = copy_project(tmp_path_factory.mktemp("definitif"))
    send_projet(root / "contenus" / "2019")
    sign_deliberation(root)
    classify(root)
    options = build.BuildOptions(version="definitif", actes=True)
    _, written = build.build_dossier(Year(root, 2019), root / "sortie" / "2019", options)
    return root, {path.relative_to(root / "sortie" / "2019").as_posix(): path for path in written}


class Cli:
    """Runs ``assembleur`` in-process; stdout and stderr kept apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str):
        return self.runner.invoke(app, list(args))


@pytest.fixture
def cli() -> Cli:
    return Cli()
