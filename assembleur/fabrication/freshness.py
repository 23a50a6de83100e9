"""Is a rebuild needed? A light module (no document libraries) so that the answer comes at once.

The fingerprint of a build covers every input file (contents, templates,
scans), the options and the version of assembleur. The manifest of each
build records it; a projet build whose fingerprint equals the last one's
reuses it instead of making an identical new version.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .. import __version__
from ..files import sha256
from ..project import ANNEXES, Year
from . import manifest, versions


def input_files(year: Year, templates: Path) -> list[Path]:
    """Every file a build of ``year`` reads."""
    files = [*year.contents.glob("*.yaml"), *templates.glob("*.docx"), *templates.glob("*.odt")]
    files += (year.root / ANNEXES / str(year.annee)).rglob("*")  # any name: a scan may be AVIS.PDF
    return sorted(path for path in files if path.is_file())


def fingerprint(year: Year, templates: Path, options: dict[str, Any]) -> str:
    """One SHA-256 for all the inputs and options of a build."""
    digest = hashlib.sha256(f"assembleur {__version__}\n{json.dumps(options, sort_keys=True)}\n".encode())
    for path in input_files(year, templates):
        digest.update(f"{path.name}\t{sha256(path)}\n".encode())
    return digest.hexdigest()


def latest_identical(output_folder: Path, annee: int, print_: str) -> list[Path] | None:
    """The files of the latest projet build with this fingerprint, if they are all still intact."""
    projets = sorted(
        (version for version in versions.built(output_folder, annee) if version.number and version.manifest.is_file()),
        key=lambda version: version.number or 0,
    )
    if not projets:
        return None
    latest = projets[-1].manifest
    data = manifest.read(latest)
    if data is None or data.get("empreinte") != print_:  # not a manifest we wrote, or other inputs
        return None
    entries = [(str(entry["fichier"]), str(entry["sha256"])) for entry in data["sorties"]]
    files = [latest.parent / name for name, _ in entries]
    if not all(path.is_file() and sha256(path) == digest for path, (_, digest) in zip(files, entries, strict=True)):
        return None
    return [*files, latest]
