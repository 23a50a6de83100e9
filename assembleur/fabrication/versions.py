"""Versions of the rapport: numbered projets (v1, v2, …) and the one définitif.

A projet build never overwrites an earlier one: each gets the next number.
A définitif is written once; replacing it keeps the previous one under a
dated name.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

PROJET = "projet"
DEFINITIF = "definitif"
VERSIONS = (PROJET, DEFINITIF)
APERCU = "apercu"  # the watch mode's preview, replaced at each save


def next_projet_number(folder: Path, annee: int) -> int:
    """The number of the next projet of ``annee`` in ``folder``: one more than the highest found."""
    pattern = re.compile(rf"-{annee}-projet-v(\d+)\b")
    numbers = [int(m[1]) for path in folder.glob("*") if (m := pattern.search(path.name))] if folder.is_dir() else []
    return max(numbers, default=0) + 1


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
