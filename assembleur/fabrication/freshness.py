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
from ..limites import MAX_MANIFEST_BYTES
from ..project import ANNEXES, Year


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
    manifests = sorted(
        output_folder.glob(f"manifeste-{annee}-projet-v*.json"),
        key=lambda path: int(path.stem.rsplit("-v", 1)[1]) if path.stem.rsplit("-v", 1)[1].isdigit() else 0,
    )
    if not manifests:
        return None
    latest = manifests[-1]
    try:
        if latest.stat().st_size > MAX_MANIFEST_BYTES:
            return None
        data = json.loads(latest.read_text(encoding="utf-8"))
        if data.get("empreinte") != print_:
            return None
        entries = [(str(entry["fichier"]), entry["sha256"]) for entry in data.get("sorties", [])]
    except (OSError, ValueError, RecursionError, AttributeError, KeyError, TypeError):  # not a manifest we wrote
        return None
    files = [latest.parent / name for name, _ in entries]
    if not all(path.is_file() and sha256(path) == digest for path, (_, digest) in zip(files, entries, strict=True)):
        return None
    return [*files, latest]
