"""The package for the Préfecture (@ctes): the act and each annex as separate PDFs, the ACTES message, a bordereau.

The @ctes channel takes the main document (the act: here the délibération of
the conseil communautaire) and each annex as separate PDF files; envelopes are
commonly limited to 150 MiB. Each file is checked: readable, not encrypted, no
JavaScript, no embedded files, no launch action.

Once the act has its number and date, the files take the names the platforms
(S²LOW, Pastell) give them: ``TYPE-DDD-SIREN-AAAAMMJJ-NUMERO-DE-1-1_n.pdf``, the
piece type first (``99_DE`` for the act), ``_1`` the act, ``_2``, ``_3``… the
annexes in order; the ACTES message ``DDD-SIREN-AAAAMMJJ-NUMERO-DE-1-1_0.xml``
describes them (see :mod:`.actes_message`). Before that (a projet), the files
keep short names in order (``01-rapport.pdf``) and no message is written: the
bordereau says why. The bordereau says what the platform's form asks for
(nature, matières, number, date, objet), then each file with its order, role,
piece type, title, pages, size and SHA-256. File names use only ASCII letters,
digits, ``-``, ``_`` and ``.``. This module takes plain values: it knows nothing
of the content files.
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
    """What the bordereau and the ACTES message say of the act transmitted (plain values, already written out).

    The ACTES names need the number, the date, the SIREN and the département; the message
    needs the classification's date too. ``sans_message`` says why no message is written.
    """

    nature: str
    classification_code: str
    classification_libelle: str
    objet: str
    numero: str = ""
    date: str = ""  # AAAA-MM-JJ
    siren: str = ""
    departement: str = ""
    nature_code: int = 1  # 1: délibération
    nature_abrege: str = "DE"
    classification_date: str = ""  # AAAA-MM-JJ: ClassificationDateVersion
    type_piece_acte: str = "99_DE"
    type_piece_annexe: str = "99_AU"
    sans_message: str = ""

    @property
    def actes_names(self) -> bool:
        """Whether the files take their ACTES names (the act is numbered and dated, the collectivité known)."""
        return bool(self.numero and self.date and self.siren and self.departement)

    def stem(self) -> str:
        """``DDD-SIREN-AAAAMMJJ-NUMERO-DE-1-1``: the common part of the ACTES names (1-1: transmission of an act)."""
        return f"{self.departement}-{self.siren}-{self.date.replace('-', '')}-{self.numero}-{self.nature_abrege}-1-1"


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
        """The short name of a projet's package: ``02-rapport.pdf``."""
        return _safe(f"{self.order:02d}-{self.short}.pdf")

    def piece_type(self, transmission: Transmission) -> str:
        """The ACTES piece type of this file: the act's, or the annexes' default."""
        return transmission.type_piece_acte if self.role == PRINCIPAL else transmission.type_piece_annexe

    def actes_name(self, transmission: Transmission) -> str:
        """The ACTES name: ``99_DE-DDD-SIREN-AAAAMMJJ-NUMERO-DE-1-1_1.pdf``."""
        return _safe(f"{self.piece_type(transmission)}-{transmission.stem()}_{self.order}.pdf")


def _safe(name: str) -> str:
    if not SAFE_NAME.fullmatch(name):  # the callers pass ascii_name() and checked values; a bug otherwise
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
    """Copy ``pieces`` into ``folder`` with the ACTES message and a bordereau; refuse when over ``limit_mib``."""
    from .scans import forbidden_content, forbidden_names

    for piece in pieces:
        found = forbidden_content(piece.source)
        if found:
            raise ActesError(
                f"{piece.source.name} contient des éléments refusés par @ctes ({forbidden_names(found)}).",
                "Retirez ces éléments du document (ou du scan) puis relancez.",
            )
    total = sum(piece.source.stat().st_size for piece in pieces)
    if total > limit_mib * 1024 * 1024:
        weight, limit = f"{total / 1024**2:.1f}".replace(".", ","), f"{limit_mib:g}".replace(".", ",")  # French
        raise ActesError(
            f"Le paquet @ctes pèserait {weight} Mio, au-delà de la limite de {limit} Mio.",
            "Réduisez la taille des scans (numérisation à 200 dpi en niveaux de gris suffit), "
            "ou indiquez la limite de votre plateforme avec --limite-actes.",
        )
    ensure_folder(folder)
    actes_names = transmission.actes_names
    names = [piece.actes_name(transmission) if actes_names else piece.name for piece in pieces]
    written, rows = [], []
    message = _message(folder, transmission, names) if actes_names and not transmission.sans_message else None
    if message is not None:
        written.append(message)
        rows.append(
            [
                "0",
                message.name,
                "message",
                "",
                "Message ACTES (description de l'acte et de ses annexes)",
                "",
                str(message.stat().st_size),
                sha256(message),
            ]
        )
    for piece, name in zip(pieces, names, strict=True):
        target = folder / name
        with atomic_output(target) as temporary:
            shutil.copyfile(piece.source, temporary)
        written.append(target)
        kind = piece.piece_type(transmission) if actes_names else ""
        rows.append(
            [
                str(piece.order),
                name,
                piece.role,
                kind,
                piece.title,
                str(_pages(target)),
                str(target.stat().st_size),
                sha256(target),
            ]
        )
    bordereau = folder / "bordereau.csv"
    with atomic_output(bordereau) as temporary:
        temporary.write_text("\ufeff" + _bordereau(transmission, message, rows), encoding="utf-8")  # BOM: Excel
    return [*written, bordereau]


def _message(folder: Path, transmission: Transmission, names: list[str]) -> Path:
    from . import actes_message

    data = actes_message.message(
        date=transmission.date,
        numero=transmission.numero,
        nature_code=transmission.nature_code,
        classification_code=transmission.classification_code,
        objet=transmission.objet,
        classification_date=transmission.classification_date,
        act=names[0],
        annexes=names[1:],
    )
    return actes_message.write(folder / f"{transmission.stem()}_0.xml", data)


def _bordereau(transmission: Transmission, message: Path | None, files: list[list[str]]) -> str:
    """The bordereau's CSV: what to type in the platform's form, then one row per file."""
    levels = transmission.classification_code.split(".")
    told = message.name if message is not None else f"non écrit : {transmission.sans_message}"
    rows = [
        ["nature", transmission.nature, f"code {transmission.nature_code} ({transmission.nature_abrege})"],
        ["classification", transmission.classification_code, transmission.classification_libelle],
        ["matieres", *levels],
        ["date de classification", transmission.classification_date],
        ["objet", transmission.objet],
        ["numero", transmission.numero],
        ["date", transmission.date],
        ["message", told],
        [],
        ["ordre", "fichier", "role", "type de piece", "titre", "pages", "taille (octets)", "sha256"],
        *files,
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()
