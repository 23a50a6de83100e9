"""Versions of the rapport: numbered projets (v1, v2, …) and the one définitif.

A projet build never overwrites an earlier one: each gets the next number.
A définitif is written once; replacing it keeps the previous one under a
dated name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..project import APERCU, DEFINITIF, PROJET, VERSIONS  # noqa: F401  (the fabrication and the atelier name them from here)

RAPPORT = "rapport-politique-de-la-ville"
DOSSIER = "dossier-politique-de-la-ville"
MANIFESTE = "manifeste"
ACTES = "actes"


def file_names(annee: int, label: str) -> dict[str, str]:
    """The names of the files of one build in ``sortie/<année>/`` (the rapport without its extension)."""
    return {
        "rapport": f"{RAPPORT}-{annee}-{label}",
        "dossier": f"{DOSSIER}-{annee}-{label}.pdf",
        "manifeste": f"{MANIFESTE}-{annee}-{label}.json",
        "actes": f"{ACTES}-{label}",
    }


@dataclass(frozen=True)
class Built:
    """One version found in an output folder: its label, its number (a projet's) and its manifest."""

    label: str  # projet-v3, definitif, apercu, or a replaced définitif's dated label
    number: int | None
    manifest: Path  # may be missing: a version is also known by its rapport or its dossier
    written: int  # when it was built: its manifest's modification time (else its rapport's), in ns

    @property
    def numbered(self) -> bool:
        """A projet or the définitif: a version handed out (not a preview, not a replaced définitif)."""
        return self.number is not None or self.label == DEFINITIF


def built(folder: Path, annee: int) -> list[Built]:
    """The versions of ``annee`` whose manifest, rapport, dossier or @ctes folder is in ``folder``, in build order."""
    if not folder.is_dir():
        return []
    pattern = re.compile(
        rf"{MANIFESTE}-{annee}-(.+?)\.json|{RAPPORT}-{annee}-(.+?)\.(?:docx|odt|pdf)"
        rf"|{DOSSIER}-{annee}-(.+?)\.pdf|{ACTES}-(.+)"
    )
    found: dict[str, list[Path]] = {}
    for path in folder.iterdir():
        if m := pattern.fullmatch(path.name):
            found.setdefault(next(group for group in m.groups() if group), []).append(path)
    result = []
    for suffix, paths in found.items():
        names = file_names(annee, suffix)
        manifest = folder / names["manifeste"]
        # the manifest dates a build; without it, the rapport Word, then whatever is left of it
        preferred = [manifest, folder / f"{names['rapport']}.docx", *sorted(paths)]
        written = next((stamp for p in preferred if (stamp := _written(p)) is not None), 0)
        number = int(m[1]) if (m := re.fullmatch(rf"{PROJET}-v(\d+)", suffix)) else None
        result.append(Built(suffix, number, manifest, written))
    return sorted(result, key=lambda version: (version.written, version.label))


def _written(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # absent, or removed meanwhile (the preview is replaced at each save)
        return None


def next_projet_number(folder: Path, annee: int) -> int:
    """The number of the next projet of ``annee`` in ``folder``: one more than the highest found."""
    return max((version.number or 0 for version in built(folder, annee)), default=0) + 1


def label(version: str, number: int | None) -> str:
    """``projet-v3`` or ``definitif``: the suffix of the file names of a build."""
    return f"{PROJET}-v{number}" if version == PROJET else DEFINITIF


def mention(version: str, number: int | None) -> str:
    """``version projet v3`` (``version projet`` without a number) or ``version définitive``."""
    if version != PROJET:
        return "version définitive"
    return f"version projet v{number}" if number else "version projet"


def archive(paths: list[Path], now: dt.datetime | None = None) -> list[Path]:
    """Rename existing définitif files to dated names before a replacement; return the new names."""
    stamp = f"{(now or dt.datetime.now()):%Y-%m-%d-%Hh%M}"
    moved = []
    for path in paths:
        if path.exists():
            target = path.with_name(f"{path.stem}-remplace-le-{stamp}{path.suffix}")
            path.rename(target)
            moved.append(target)
    return moved
