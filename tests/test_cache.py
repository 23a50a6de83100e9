"""Fast rebuilds: unchanged parts come from the cache, an unchanged build is taken back at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assembleur.documents import render
from assembleur.fabrication import build, freshness, verification
from assembleur.project import Year

from .aides import classify, edit

pytestmark = pytest.mark.libreoffice


def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    rendered: list[str] = []
    real = render.render_docx

    def counting(document, template, output, work, shown=None):
        rendered.append(output.name)
        return real(document, template, output, work, shown=shown)

    monkeypatch.setattr(render, "render_docx", counting)
    return rendered


def test_only_the_part_whose_content_changed_is_made_again(projet: Path, contenus: Path, monkeypatch) -> None:
    year = Year(projet, 2019)
    rendered = count_renders(monkeypatch)
    build.build_dossier(year, year.outputs)
    assert len(rendered) == 6  # rapport, grille, protocole, synthèse, two intercalaires
    rendered.clear()
    edit(contenus / "rapport.yaml", "  nom: Eric EDOUARD", "  nom: Éric EDOUARD")
    _, written = build.build_dossier(year, year.outputs)
    assert rendered == ["rapport-politique-de-la-ville-2019-projet-v2.docx"]
    assert "sortie/2019/dossier-politique-de-la-ville-2019-projet-v2.pdf" in [year.shown(p).as_posix() for p in written]


def test_a_part_from_the_cache_is_identical_to_a_fresh_one(projet: Path, tmp_path: Path) -> None:
    year = Year(projet, 2019)
    options = build.BuildOptions(version="definitif")
    edit(projet / "contenus/2019/avis.yaml", "consultation:\n", "consultation:\n  envoi: 2020-10-01\n")
    _, first = build.build_dossier(year, tmp_path / "a", options)  # fills the cache
    _, second = build.build_dossier(year, tmp_path / "b", options)  # every part from the cache
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name


def test_the_fingerprint_follows_every_input(projet: Path) -> None:
    year = Year(projet, 2019)
    record = build.BuildOptions().record("dossier")
    reference = freshness.fingerprint(year, year.templates, record)
    assert freshness.fingerprint(year, year.templates, record) == reference
    scan = next((projet / "annexes/2019").glob("*.pdf"))
    scan.write_bytes(scan.read_bytes() + b"\n")
    assert freshness.fingerprint(year, year.templates, record) != reference
    assert freshness.fingerprint(year, year.templates, build.BuildOptions(ocr=True).record("dossier")) != reference


def test_an_unchanged_projet_reuses_what_the_checks_proved_on_the_same_bytes(projet: Path, cli, monkeypatch) -> None:
    first = cli("rapport", "2019")
    assert first.exit_code == 0
    monkeypatch.setattr(verification, "check_inputs", lambda *arguments: pytest.fail("contrôlé à nouveau"))
    again = cli("rapport", "2019")
    assert again.exit_code == 0
    assert again.stderr.splitlines()[0].startswith("Rien n'a changé depuis la dernière version projet")
    assert again.stderr.splitlines()[1:] == first.stderr.splitlines()[1:]  # the same 19 warnings, in order


def test_an_unchanged_projet_is_checked_again_without_a_record_for_these_bytes_and_libraries(
    projet: Path, cli, monkeypatch
) -> None:
    assert cli("rapport", "2019").exit_code == 0
    checks = []
    real = verification.check_inputs
    monkeypatch.setattr(verification, "check_inputs", lambda *arguments: checks.append(arguments) or real(*arguments))
    monkeypatch.setattr(freshness, "CHECKING_LIBRARIES", (*freshness.CHECKING_LIBRARIES, "bibliotheque_nouvelle"))
    assert cli("rapport", "2019").exit_code == 0  # another library: checked again, and recorded
    assert cli("rapport", "2019").exit_code == 0
    assert len(checks) == 1
    for record in (projet / ".cache/assembleur/verdicts").iterdir():
        record.unlink()
    assert cli("rapport", "2019").exit_code == 0  # the record gone: checked again
    assert len(checks) == 2


def test_an_unchanged_actes_projet_checks_again_where_the_prefecture_file_lies(projet: Path, cli) -> None:
    """The classification file turned into a link out of annexes/2019/, same bytes: refused as by --forcer."""
    path = classify(projet)
    assert cli("dossier", "2019", "--actes").exit_code == 0
    outside = projet / "ailleurs.xml"
    path.rename(outside)
    path.symlink_to(outside)

    reused, forced = cli("dossier", "2019", "--actes"), cli("dossier", "2019", "--actes", "--forcer")

    assert reused.exit_code == forced.exit_code != 0
    assert reused.stderr == forced.stderr
    assert "le fichier de classification doit se trouver dans annexes/2019/." in reused.stderr


def test_an_unchanged_projet_is_answered_without_loading_the_content_model(projet: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}

    def imported(*arguments: str) -> str:
        command = [sys.executable, "-X", "importtime", "-m", "assembleur", *arguments]
        result = subprocess.run(command, cwd=projet, env=environment, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stderr

    assert "assembleur.contenus.model" in imported("rapport", "2019")
    again = imported("rapport", "2019")
    assert "Rien n'a changé depuis la dernière version projet" in again
    assert "assembleur.contenus.model" not in again and "pypdf" not in again


def test_the_cache_can_be_emptied(projet: Path, cli) -> None:
    assert cli("dossier", "2019").exit_code == 0
    assert list((projet / ".cache/assembleur/parties").iterdir())
    result = cli("cache", "vider")
    assert result.exit_code == 0 and result.stderr.startswith("Cache vidé (")
    assert not (projet / ".cache/assembleur/parties").exists()


def test_emptying_the_cache_keeps_the_crash_logs_and_a_running_builds_lock(projet: Path, cli) -> None:
    cache = projet / ".cache/assembleur"
    (cache / "parties" / "x").mkdir(parents=True)
    (cache / "parties" / "x" / "rapport.pdf").write_bytes(b"0" * 2_000_000)
    (cache / "plantages").mkdir()
    (cache / "plantages" / "plantage-2020-12-01-10h30m00s.txt").write_text("Traceback…", encoding="utf-8")
    (cache / "2019.verrou").write_text("{}", encoding="utf-8")
    result = cli("cache", "vider")
    assert result.exit_code == 0
    assert result.stderr.startswith("Cache vidé (2,0 Mo libérés).")  # the parts only
    assert not (cache / "parties").exists()
    assert (cache / "plantages" / "plantage-2020-12-01-10h30m00s.txt").is_file()  # to attach to a report
    assert (cache / "2019.verrou").is_file()


def test_a_scan_checked_once_is_not_read_again_until_its_bytes_change(projet: Path, cli, monkeypatch) -> None:
    from assembleur.pdf import scans

    read = []
    real = scans._open_pages
    monkeypatch.setattr(scans, "_open_pages", lambda path, *rest: read.append(path.name) or real(path, *rest))
    assert cli("verifier", "2019").exit_code == 0
    first = len(read)
    assert first > 0  # every received avis read once
    assert cli("verifier", "2019").exit_code == 0
    assert len(read) == first  # the same bytes: their verdict is reused, no scan read

    scan = projet / "annexes/2019/avis-marles-les-mines-2020-11-18.pdf"
    scan.write_bytes(scan.read_bytes()[: scan.stat().st_size // 2])  # the same name, other (damaged) bytes
    result = cli("verifier", "2019")
    assert result.exit_code != 0
    assert "avis-marles-les-mines-2020-11-18.pdf" in result.stderr and "endommagé" in result.stderr
