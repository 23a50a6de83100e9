"""The versions built, found in one place; their manifests read in one place, within every limit."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from assembleur import limites
from assembleur.atelier import etat
from assembleur.fabrication import comparer, freshness, manifest, versions
from assembleur.project import OUTPUTS, Year


def _write(path: Path, content: bytes | str, when: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    os.utime(path, ns=(when * 10**9, when * 10**9))
    return path


def _build(folder: Path, label: str, when: int, fingerprint: str = "empreinte") -> Path:
    """The files of one build as :mod:`build` names them, with a manifest that lists them."""
    names = versions.file_names(2019, label)
    outputs = [
        _write(folder / names["dossier"], f"dossier {label}", when),
        _write(folder / f"{names['rapport']}.docx", label, when),
    ]
    entries = [{"fichier": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in outputs]
    document = {"outil": "assembleur", "sorties": entries, "empreinte": fingerprint}
    return _write(folder / names["manifeste"], json.dumps(document), when)


def test_any_file_left_of_a_version_makes_it_known_in_build_order(tmp_path: Path) -> None:
    folder = tmp_path / OUTPUTS / "2019"
    _build(folder, "projet-v1", 100)
    _write(folder / "dossier-politique-de-la-ville-2019-projet-v3.pdf", "seul reste de la v3", 300)
    _write(folder / "rapport-politique-de-la-ville-2019-definitif.docx", "définitif sans manifeste", 400)
    _build(folder, "projet-v2", 200)
    _build(folder, "apercu", 250)
    (folder / "actes-projet-v7").mkdir()
    os.utime(folder / "actes-projet-v7", ns=(50 * 10**9, 50 * 10**9))
    _write(folder / "comparaison-2019-projet-v1-projet-v2.docx", "pas une version", 500)
    _write(folder / "manifeste-2018-projet-v9.json", "une autre année", 500)

    found = versions.built(folder, 2019)

    assert [(v.label, v.number, v.written // 10**9) for v in found] == [
        ("projet-v7", 7, 50),
        ("projet-v1", 1, 100),
        ("projet-v2", 2, 200),
        ("apercu", None, 250),
        ("projet-v3", 3, 300),
        ("definitif", None, 400),
    ]
    assert found[1].manifest == folder / "manifeste-2019-projet-v1.json"
    assert versions.next_projet_number(folder, 2019) == 8
    assert versions.next_projet_number(tmp_path / "absent", 2019) == 1
    # the versions handed out can be compared; the preview cannot
    assert [v.label for v in comparer.built_versions(folder, 2019)] == [v.label for v in found if v.label != "apercu"]
    # the atelier shows the builds whose manifest can be read, newest first
    assert [v.label for v in etat.built_versions(Year(tmp_path, 2019))] == ["apercu", "projet-v2", "projet-v1"]


def test_the_latest_projet_is_taken_up_only_with_its_fingerprint_and_intact_files(tmp_path: Path) -> None:
    folder = tmp_path / "2019"
    _build(folder, "projet-v9", 100, "ancienne")
    latest = _build(folder, "projet-v10", 50, "nouvelle")  # by number, not by time

    assert freshness.latest_identical(folder, 2019, "ancienne") is None
    files = freshness.latest_identical(folder, 2019, "nouvelle")
    assert files is not None and [p.name for p in files] == [
        "dossier-politique-de-la-ville-2019-projet-v10.pdf",
        "rapport-politique-de-la-ville-2019-projet-v10.docx",
        latest.name,
    ]
    files[0].write_text("retouché")
    assert freshness.latest_identical(folder, 2019, "nouvelle") is None


HOSTILE = {
    "huge": lambda: b" " * (limites.MAX_MANIFEST_BYTES + 1),
    "deeply-nested": lambda: b"[" * 1_000_000 + b"]" * 1_000_000,
    "not-an-object": lambda: b"[]",
    "not-a-list": lambda: json.dumps({"sorties": [3], "empreinte": "e"}).encode(),
    "too-many": lambda: json.dumps(
        {"sorties": [{"fichier": "a", "sha256": "0"}] * (limites.MAX_MANIFEST_FILES + 1), "empreinte": "e"}
    ).encode(),
    "outside": lambda: json.dumps({"sorties": [{"fichier": "../../secret", "sha256": "0"}], "empreinte": "e"}).encode(),
    "absolute": lambda: json.dumps({"sorties": [{"fichier": "/dev/zero", "sha256": "0"}], "empreinte": "e"}).encode(),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_manifest_is_read_by_no_one(tmp_path: Path, case: str) -> None:
    folder = tmp_path / OUTPUTS / "2019"
    path = _write(folder / "manifeste-2019-projet-v1.json", HOSTILE[case](), 100)
    _write(folder / "rapport-politique-de-la-ville-2019-projet-v1.docx", "rapport", 100)

    assert manifest.read(path) is None
    assert freshness.latest_identical(folder, 2019, "e") is None
    assert etat.built_versions(Year(tmp_path, 2019)) == []
    (version,) = comparer.built_versions(folder, 2019)
    assert comparer._manifest(version) == {}


def test_a_manifest_within_the_limits_is_read(tmp_path: Path) -> None:
    path = _build(tmp_path, "definitif", 100)
    document = manifest.read(path)
    assert document is not None and document["empreinte"] == "empreinte"
    assert [e["fichier"] for e in document["sorties"]] == [
        "dossier-politique-de-la-ville-2019-definitif.pdf",
        "rapport-politique-de-la-ville-2019-definitif.docx",
    ]
    assert manifest.check_manifest(path) == 2
