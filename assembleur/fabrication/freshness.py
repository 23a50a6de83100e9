"""Is a rebuild needed? A light module (no document libraries) so that the answer comes at once.

The fingerprint of a build covers every input file (contents, templates,
scans), the options and the version of assembleur. The manifest of each
build records it; a projet build whose fingerprint equals the last one's
reuses it instead of making an identical new version. What the build's
checks proved about those inputs is recorded too (:class:`Proven`): an
unchanged projet is answered without loading the content model or a PDF
reader.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import OutputError, Problem
from ..files import atomic_output, remove_abandoned_stagings, sha256
from ..project import ANNEXES, CACHE_FOLDER, Year, placed
from . import manifest, versions

if TYPE_CHECKING:
    from ..pdf.scans import ScannedAvis
    from .options import BuildOptions


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


# --- what a build proved about its inputs, reused by an unchanged projet -------------------------

VERDICTS = "verdicts"
# the libraries whose answers the checks are: a new one checks again (its files' identity, read without importing it)
CHECKING_LIBRARIES = ("pydantic", "pydantic_core", "pypdf", "ruamel.yaml")


@dataclass(frozen=True)
class Proven:
    """What a build's checks proved about its inputs: their warnings, and the files of annexes/<année>/ they read.

    ``files`` are named as in the YAML (relative to annexes/<année>/): the scans of the avis, and
    with --actes the signed délibération and the Préfecture's classification file.
    """

    warnings: list[Problem]
    files: list[str] = field(default_factory=list)


def unchanged_projet(
    year: Year, folder: Path, options: BuildOptions, record: dict[str, Any]
) -> tuple[list[Problem], list[Path]] | None:
    """The last projet's warnings and files when its inputs and options are this build's; else None.

    An unchanged projet is taken up rather than numbered again, once its inputs pass a new build's checks.
    The checks of the content (YAML, models, scans read as PDF) are those a build already made on
    the same bytes, with the same assembleur and libraries (:func:`recall`); the places of the files
    of annexes/<année>/ are checked again, since a scan turned into a link out of that folder keeps
    its bytes and its fingerprint.
    Without such a record, every check is made again (and recorded).
    """
    if options.version != versions.PROJET or options.apercu:
        return None
    print_ = fingerprint(year, options.gabarits or year.templates, record)
    files = latest_identical(folder, year.annee, print_)
    if files is None:
        return None
    remove_abandoned_stagings(folder)  # what a killed build left, as a build would
    proven = recall(year, print_)
    if proven is None or not _in_place(year, proven):
        from . import verification  # the content model and the PDF readers: only when the checks must be made

        checked = verification.check_inputs(year, record["commande"], options)
        proven = verification.proven(checked, record["commande"], options)
        remember(year, print_, proven)
    return proven.warnings, files


def unchanged_message(files: list[Path]) -> str:
    """What is said when an unchanged projet is taken up (:func:`unchanged_projet`): its manifest named."""
    return f"Rien n'a changé depuis la dernière version projet : elle est reprise telle quelle ({files[-1].name})."


def _in_place(year: Year, proven: Proven) -> bool:
    """Is every file of annexes/<année>/ the checks read still a file inside it (links resolved)?"""
    folder = year.root / ANNEXES / str(year.annee)
    return all(placed(folder / name, folder) for name in proven.files)


def remember(year: Year, print_: str, proven: Proven) -> None:
    """Record what the checks of a build whose inputs have the fingerprint ``print_`` proved."""
    data = {
        "avertissements": [
            {
                "fichier": str(p.file) if p.file is not None else None,
                "message": p.message,
                "ligne": p.line,
                "colonne": p.column,
                "chemin": p.path,
            }
            for p in proven.warnings
        ],
        "fichiers": proven.files,
    }
    # not recorded (a cache that cannot be written): checked again next time
    with contextlib.suppress(OSError, OutputError), atomic_output(_verdict_path(year, print_)) as temporary:
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def recall(year: Year, print_: str) -> Proven | None:
    """What the checks proved about inputs of fingerprint ``print_``, with this assembleur and these libraries."""
    try:
        data = json.loads(_verdict_path(year, print_).read_text(encoding="utf-8"))
        warnings = [
            Problem(Path(w["fichier"]) if w["fichier"] else None, w["message"], w["ligne"], w["colonne"], w["chemin"])
            for w in data["avertissements"]
        ]
        files = [str(name) for name in data["fichiers"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Proven(warnings, files)


def recall_scans(year: Year, folder: Path, names: list[str]) -> tuple[dict[str, int] | None, dict[Path, str]]:
    """The pages of each scan ``names`` of ``folder`` if every one passed the scan checks before (else None),
    and each scan's SHA-256 by path, read once for :func:`remember_scans` too.

    Keyed by each scan's SHA-256, this assembleur and the checking libraries; the places are checked
    again (a link out of the folder keeps the bytes). Any doubt, and every scan is checked again.
    """
    if len(set(names)) != len(names) or not all(placed(folder / name, folder) for name in names):
        return None, {}
    digests = {folder / name: sha256(folder / name) for name in names}
    pages: dict[str, int] = {}
    for name in names:
        try:
            data = json.loads(_scan_verdict_path(year, digests[folder / name]).read_text(encoding="utf-8"))
            pages[name] = int(data["pages"])
        except (OSError, ValueError, KeyError, TypeError):
            return None, digests
    return pages, digests


def remember_scans(year: Year, scans: list[ScannedAvis], digests: dict[Path, str]) -> None:
    """Record that each of ``scans`` passed the scan checks, with its number of pages.

    ``digests`` are the SHA-256 that :func:`recall_scans` read just before the checks (a scan it
    did not hash, its place in doubt, is not recorded).
    """
    for scan in scans:
        if (digest := digests.get(scan.path)) is None:
            continue
        with contextlib.suppress(OSError, OutputError), atomic_output(_scan_verdict_path(year, digest)) as temporary:
            temporary.write_text(json.dumps({"pages": scan.pages}), encoding="utf-8")


def _scan_verdict_path(year: Year, digest: str) -> Path:
    key = hashlib.sha256(f"scan {digest}\n{__version__}\n{_libraries()}".encode()).hexdigest()
    return year.root / CACHE_FOLDER / VERDICTS / f"{key}.json"


def _verdict_path(year: Year, print_: str) -> Path:
    # the fingerprint holds assembleur's version, the options and every input's SHA-256
    key = hashlib.sha256(f"{print_}\n{_libraries()}".encode()).hexdigest()
    return year.root / CACHE_FOLDER / VERDICTS / f"{key}.json"


def _libraries() -> str:
    """The identity of the installed checking libraries and of Python, without importing the libraries."""
    return _identities(CHECKING_LIBRARIES)


@functools.cache  # asked once per scan
def _identities(names: tuple[str, ...]) -> str:
    identities = [sys.version]
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
            details = os.stat(spec.origin) if spec is not None and spec.origin else None
        except (ImportError, ValueError, OSError):
            details = None
        identities.append(f"{name} {details.st_size} {details.st_mtime_ns}" if details else f"{name} absente")
    return "\n".join(identities)
