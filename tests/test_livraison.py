"""The files the project ships (as committed) still pass ``verifier``.

This is the one test that looks at the working tree's ``contenus/``,
``gabarits/`` and ``annexes/``, and it reads them as committed in git, not
as the users have since edited them: a user who changes a figure, registers an
avis or starts a new year still gets a green ``make test``.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from .aides import REPO

SHIPPED = ("contenus", "gabarits", "gabarits-odt", "annexes")


def shipped_copy(target: Path) -> list[str]:
    """Extract the committed project files into ``target``; the years shipped, oldest first."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", "HEAD", *SHIPPED],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("pas un dépôt git : les fichiers livrés ne peuvent pas être distingués des fichiers modifiés")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return sorted(path.name for path in (target / "contenus").iterdir() if path.is_dir())


@pytest.mark.libreoffice  # the ODT set is read through LibreOffice
def test_every_shipped_year_passes_verifier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli) -> None:
    years = shipped_copy(tmp_path)
    assert years, "aucune année livrée dans contenus/"
    monkeypatch.chdir(tmp_path)
    for year in years:
        for templates in ("gabarits", "gabarits-odt"):
            result = cli("verifier", year, "--gabarits", templates)
            assert result.exit_code == 0, f"{year} avec {templates} :\n{result.stderr}"
            assert result.stderr.startswith(f"Contenus {year} valides")
