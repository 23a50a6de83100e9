"""Nothing lost: full disks, concurrent builds, and the user's files never touched."""

from __future__ import annotations

import errno
import json
import os
import socket
from pathlib import Path

import pikepdf
import pytest

from assembleur.fabrication import build
from assembleur.files import sha256
from assembleur.project import Year

pytestmark = pytest.mark.libreoffice


def fingerprints(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): sha256(path)
        for folder in ("contenus", "gabarits", "annexes")
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }


def test_a_build_never_modifies_the_users_files(projet: Path, cli) -> None:
    before = fingerprints(projet)
    assert cli("dossier", "2019").exit_code == 0
    assert fingerprints(projet) == before


def test_a_full_disk_stops_the_build_and_leaves_earlier_outputs_intact(projet: Path, cli, monkeypatch) -> None:
    assert cli("dossier", "2019").exit_code == 0
    folder = projet / "sortie" / "2019"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    def full(self, *arguments, **options) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pikepdf.Pdf, "save", full)  # every PDF assembleur writes is written by qpdf
    result = cli("dossier", "2019", "--forcer")
    assert result.exit_code == 2
    assert "(le disque est plein)." in result.stderr
    assert (
        "Libérez de la place sur le disque, puis relancez : les fichiers déjà produits n'ont pas été modifiés."
        in result.stderr
    )
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before  # nothing changed, nothing half-written, no v2
    assert not [p for p in folder.rglob("*") if ".partiel" in p.name or ".assembleur-en-cours" in str(p)]


def test_a_second_build_of_the_same_year_is_refused_naming_the_first(projet: Path, cli) -> None:
    lock = build.lock_path(Year(projet, 2019))
    lock.parent.mkdir(parents=True)
    lock.write_text(
        json.dumps({"pid": os.getppid(), "machine": socket.gethostname(), "commande": "assembleur dossier 2019"}),
        encoding="utf-8",
    )
    result = cli("dossier", "2019")
    assert result.exit_code == 2
    assert (
        f"Erreur : Une autre fabrication est en cours : « assembleur dossier 2019 » (processus {os.getppid()} sur "
        in result.stderr
    )
    assert not (projet / "sortie").exists()


def test_a_lock_left_by_a_dead_build_is_taken_over(projet: Path, cli) -> None:
    lock = build.lock_path(Year(projet, 2019))
    lock.parent.mkdir(parents=True)
    lock.write_text(
        json.dumps({"pid": 2**22 + 12345, "machine": socket.gethostname(), "commande": "x"}), encoding="utf-8"
    )
    result = cli("rapport", "2019")
    assert result.exit_code == 0, result.stderr
    assert not lock.exists()


@pytest.mark.parametrize("umask", [0o022, 0o007])
def test_every_published_file_gets_the_mode_of_a_new_file(projet: Path, cli, umask: int) -> None:
    """DOCX, PDF (written by a LibreOffice started earlier), manifest, @ctes: all as the user's umask says."""
    previous = os.umask(umask)
    try:
        result = cli("dossier", "2019", "--actes")
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.stderr
    published = [path for path in (projet / "sortie").rglob("*") if path.is_file()]
    assert len(published) > 10
    modes = {path.relative_to(projet).as_posix(): oct(path.stat().st_mode & 0o777) for path in published}
    assert modes == dict.fromkeys(modes, oct(0o666 & ~umask))
