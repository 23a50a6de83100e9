"""The package for the Préfecture (@ctes): the act, the rapport and each annex as separate PDFs, and a bordereau.

The @ctes channel takes the main document (the act: here the délibération of
the conseil communautaire) and each annex as separate PDF files; envelopes are
commonly limited to 150 MiB. Each file is checked: readable, not encrypted, no
JavaScript, no embedded files, no launch action. The bordereau says what the
transmission asks for (nature, classification, objet, number and date of the
act), then each file with its order, role, title, pages, size and SHA-256.
File names use only ASCII letters, digits, ``-``, ``_`` and ``.``. This module
takes plain values: it knows nothing of the content files.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import ActesError
from ..files import atomic_output, ensure_folder, sha256

# pypdf is imported where used: the command line reads DEFAULT_LIMIT_MIB before any heavy import.
DEFAULT_LIMIT_MIB = 150.0  # a common envelope limit of the @ctes platforms


PRINCIPAL = "principal"
ANNEXE = "annexe"
SAFE_NAME = re.compile(r"[A-Za-z0-9._-]+")


def ascii_name(text: str) -> str:
    """``text`` as a file name @ctes accepts: ASCII letters and digits, words joined by ``-``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "document"


@dataclass(frozen=True)
class Transmission:
    """What the bordereau says of the act transmitted (plain values, already written out)."""

    nature: str
    classification_code: str
    classification_libelle: str
    objet: str
    numero: str = ""
    date: str = ""  # AAAA-MM-JJ


@dataclass(frozen=True)
class Piece:
    """One file of the package: its order, a short name for the file, its title, its role."""

    order: int
    short: str
    title: str
    source: Path
    role: str = ANNEXE  # PRINCIPAL for the act itself

    @property
    def name(self) -> str:
        name = f"{self.order:02d}-{self.short}.pdf"
        if not SAFE_NAME.fullmatch(name):  # the callers pass ascii_name(); a bug otherwise
            raise ValueError(f"@ctes file name with forbidden characters: {name!r}")
        return name


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    with path.open("rb") as handle:  # read lazily, not loaded whole
        return len(PdfReader(handle).pages)


def build_package(
    pieces: list[Piece],
    folder: Path,
    transmission: Transmission,
    limit_mib: float = DEFAULT_LIMIT_MIB,
) -> list[Path]:
    """Copy ``pieces`` into ``folder`` with a bordereau; refuse when the whole is over ``limit_mib``."""
    from .assemble import forbidden_content, forbidden_names

    for piece in pieces:
        found = forbidden_content(piece.source)
        if found:
            raise ActesError(
                f"{piece.source.name} contient des éléments refusés par @ctes ({forbidden_names(found)}).",
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
    rows = [
        ["nature", transmission.nature],
        ["classification", transmission.classification_code, transmission.classification_libelle],
        ["objet", transmission.objet],
        ["numero", transmission.numero],
        ["date", transmission.date],
        [],
        ["ordre", "fichier", "role", "titre", "pages", "taille (octets)", "sha256"],
    ]
    for piece in pieces:
        target = folder / piece.name
        with atomic_output(target) as temporary:
            shutil.copyfile(piece.source, temporary)
        written.append(target)
        rows.append(
            [
                str(piece.order),
                piece.name,
                piece.role,
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
