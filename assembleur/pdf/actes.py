"""The package for the Préfecture (@ctes): the rapport and each annex as separate PDFs, and a bordereau.

The @ctes channel takes the main document and each annex as separate PDF
files; envelopes are commonly limited to 150 MiB. Each file is checked:
readable, not encrypted, no JavaScript, no embedded files, no launch action.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import ActesError
from ..files import atomic_output, ensure_folder, sha256

# pypdf is imported where used: the command line reads DEFAULT_LIMIT_MIB before any heavy import.
DEFAULT_LIMIT_MIB = 150.0  # a common envelope limit of the @ctes platforms


@dataclass(frozen=True)
class Piece:
    """One file of the package: its order, a short name for the file, its title."""

    order: int
    short: str
    title: str
    source: Path

    @property
    def name(self) -> str:
        return f"{self.order:02d}-{self.short}.pdf"


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    with path.open("rb") as handle:  # read lazily, not loaded whole
        return len(PdfReader(handle).pages)


def build_package(pieces: list[Piece], folder: Path, limit_mib: float = DEFAULT_LIMIT_MIB) -> list[Path]:
    """Copy ``pieces`` into ``folder`` with a bordereau; refuse when the whole is over ``limit_mib``."""
    from .assemble import forbidden_content

    for piece in pieces:
        found = forbidden_content(piece.source)
        if found:
            raise ActesError(
                f"{piece.source.name} contient des éléments refusés par @ctes ({', '.join(found)}).",
                "Retirez ces éléments du document (ou du scan) puis relancez.",
            )
    total = sum(piece.source.stat().st_size for piece in pieces)
    if total > limit_mib * 1024 * 1024:
        raise ActesError(
            f"Le paquet @ctes pèserait {total / 1024 / 1024:.1f} Mio, au-delà de la limite de {limit_mib:g} Mio.",
            "Réduisez la taille des scans (numérisation à 200 dpi en niveaux de gris suffit), "
            "ou indiquez la limite de votre plateforme avec --limite-actes.",
        )
    ensure_folder(folder)
    written = []
    rows = [["ordre", "fichier", "titre", "pages", "taille (octets)", "sha256"]]
    for piece in pieces:
        target = folder / piece.name
        with atomic_output(target) as temporary:
            shutil.copyfile(piece.source, temporary)
        written.append(target)
        rows.append(
            [
                str(piece.order),
                piece.name,
                piece.title,
                str(_pages(target)),
                str(target.stat().st_size),
                sha256(target),
            ]
        )
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    bordereau = folder / "bordereau.csv"
    with atomic_output(bordereau) as temporary:
        temporary.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")  # the BOM lets Excel read UTF-8
    return [*written, bordereau]
