"""The manifest written beside every build: what went in, with what tools, and what came out.

Each input (YAML, template, scan) and output (with its size and page count)
is listed with its SHA-256, so that delivered files can be checked later
(``assembleur verifier --manifeste``). No clock time is recorded: two builds
of the same inputs give the same manifest.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import ManifestMismatch, ManifestUnreadable, Problem
from ..files import atomic_output, sha256
from ..limites import MAX_MANIFEST_BYTES, MAX_MANIFEST_FILES

LIBRARIES = (
    "babel",
    "docxtpl",
    "python-docx",
    "jinja2",
    "pillow",
    "pikepdf",
    "pydantic",
    "pypdf",
    "ruamel.yaml",
    "typer",
)


def describe(path: Path, base: Path) -> dict[str, Any]:
    """A file's entry: path relative to ``base``, SHA-256, size, and pages for a PDF."""
    try:
        name = path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:  # an input outside the project (a template folder chosen elsewhere)
        name = path.resolve().as_posix()
    entry: dict[str, Any] = {
        "fichier": name,
        "sha256": sha256(path),
        "taille": path.stat().st_size,
    }
    if path.suffix.lower() == ".pdf":
        entry["pages"] = _pages(path)
    return entry


def _pages(path: Path) -> int:
    """The pages of a PDF, counted by qpdf (pikepdf): pypdf reads the header of every object first."""
    import pikepdf  # here: reading a manifest (freshness, the atelier) must stay light

    with pikepdf.open(path) as pdf:  # read lazily: a dossier with its scans can be large
        return len(pdf.pages)


def tool_versions(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Versions of assembleur, Python, LibreOffice and the libraries."""
    from ..pdf import libreoffice  # here: reading a manifest (an unchanged projet) needs no converter

    versions = {"assembleur": __version__, "python": platform.python_version(), "libreoffice": libreoffice.version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absente"
    versions.update(extra or {})
    return dict(sorted(versions.items()))


def write_manifest(
    path: Path,
    project: Path,
    options: dict[str, Any],
    inputs: list[Path],
    outputs: list[Path],
    extra_versions: dict[str, str] | None = None,
    fingerprint: str = "",
    resume: dict[str, Any] | None = None,
) -> Path:
    """Write the manifest JSON at ``path`` (atomically); outputs are listed relative to its folder.

    ``resume`` (the key figures and the avis of the version) is kept for ``assembleur comparer``.
    """
    document = {
        "outil": "assembleur",
        "versions": tool_versions(extra_versions),
        "options": options,
        **({"resume": resume} if resume else {}),
        "entrees": [describe(p, project) for p in sorted(set(inputs))],
        "sorties": [describe(p, path.parent) for p in outputs],
        "empreinte": fingerprint,  # of every input and option: an unchanged rebuild is recognised by it
    }
    with atomic_output(path) as temporary:
        temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _outside(name: str) -> bool:
    """True when a manifest's entry does not name a file beside it (an absolute path or one with ``..``)."""
    return Path(name).is_absolute() or ".." in Path(name).parts


def load(path: Path) -> dict[str, Any]:
    """The manifest at ``path``, within every limit; raise :class:`ManifestUnreadable` saying why not.

    Its ``sorties`` are checked to be a list of at most ``MAX_MANIFEST_FILES`` entries, each
    with a ``fichier`` and a ``sha256``; whether they stay beside the manifest is left to the caller
    (:func:`read` refuses such a manifest, :func:`check_manifest` names each entry).
    """
    unreadable = "ce fichier n'est pas un manifeste d'assembleur lisible ; vérifiez que c'est le bon fichier."
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:  # before reading: a manifest weighs a few Ko
            raise ManifestUnreadable(
                [
                    Problem(
                        path,
                        f"ce fichier pèse plus de {MAX_MANIFEST_BYTES // 1_000_000} Mo, bien plus qu'un manifeste "
                        "d'assembleur (quelques Ko) ; vérifiez que c'est le bon fichier.",
                    )
                ]
            )
        document = json.loads(path.read_text(encoding="utf-8"))
        outputs = [(str(entry["fichier"]), str(entry["sha256"])) for entry in document["sorties"]]
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:  # RecursionError: absurd nesting
        raise ManifestUnreadable([Problem(path, unreadable)]) from exc
    if not isinstance(document, dict) or len(outputs) > MAX_MANIFEST_FILES:
        raise ManifestUnreadable([Problem(path, unreadable)])
    return document


def read(path: Path) -> dict[str, Any] | None:
    """The manifest at ``path`` if it is one assembleur wrote, within every limit, listing only files beside it."""
    try:
        document = load(path)
    except ManifestMismatch:
        return None
    if any(_outside(str(entry["fichier"])) for entry in document["sorties"]):
        return None
    return document


def check_manifest(path: Path) -> int:
    """Check the outputs listed in a manifest; raise :class:`ManifestMismatch` naming each changed file.

    Returns the number of files checked.
    """
    outputs = [(str(entry["fichier"]), str(entry["sha256"])) for entry in load(path)["sorties"]]
    problems = []
    for name, digest in outputs:
        delivered = path.parent / name
        if _outside(name):  # a manifest lists the files beside it
            problems.append(Problem(path, f"« {name} » n'est pas un fichier du dossier du manifeste."))
        elif not delivered.is_file():
            problems.append(Problem(delivered, "fichier absent."))
        elif sha256(delivered) != digest:
            problems.append(
                Problem(delivered, "le contenu a changé depuis la fabrication (empreinte SHA-256 différente).")
            )
    if problems:
        raise ManifestMismatch(problems)
    return len(outputs)
