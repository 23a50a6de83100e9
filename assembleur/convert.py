"""Stage 5 — convert: turn rendered documents into PDF, written atomically."""

from __future__ import annotations

from pathlib import Path

from . import libreoffice
from .files import atomic_output


def to_pdf(source: Path, target: Path) -> Path:
    """Convert ``source`` to ``target``; an earlier ``target`` survives a failure untouched."""
    with atomic_output(target) as temporary:
        libreoffice.convert_to_pdf(source, temporary)
    return target
