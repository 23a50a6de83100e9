"""Register a received avis: its scan filed in ``annexes/<année>/``, its entry written in ``avis.yaml``.

:func:`register_avis` serves the command line (``assembleur avis ajouter``)
and the atelier's form; :func:`register` holds the steps any scanned
document received goes through (délibérations and contributions too), with
:func:`load_round_trip` and :func:`append_keeping_comments` to write its
entry. The scan may come as a PDF or as images (JPEG, PNG,
multi-page TIFF); images become a PDF without loss (img2pdf copies the JPEG
data as it is). Its type is read from its bytes, never from its name. It is
then checked exactly as a build checks scans, stored under a clear ASCII name
that never replaces an existing file, and ``avis.yaml`` is updated by a
round trip of ruamel.yaml that keeps its comments, order and layout. The year
is validated again; if ``avis.yaml`` no longer validates, both the scan and
the YAML are put back as they were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.tokens import CommentToken

from ..errors import AnnexError, ContentError, RegistrationError, RegistrationFailed
from ..files import place_new, reason, replace_contents, write_temporary
from ..limites import MAX_SCAN_BYTES
from ..pdf.actes import ascii_name
from ..project import ANNEXES, Year
from . import french, load, validate
from .model import SENS_AVIS, SIGNATAIRE
from .types import one_of, suggest

MAX_BYTES = MAX_SCAN_BYTES  # the atelier's upload limit too
AVIS_FILE = "avis.yaml"

PDF = "pdf"
JPEG = "jpeg"
PNG = "png"
TIFF = "tiff"


@dataclass(frozen=True)
class Registered:
    """What registering an avis did."""

    organisme: str
    scan: Path  # the stored PDF, in annexes/<année>/
    pages: int
    converted_from: str  # PDF, JPEG, PNG or TIFF: what was received


def read_upload(path: Path) -> bytes:
    """The bytes of a scan given on the command line; refused before it is read when over :data:`MAX_BYTES`."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise RegistrationError(
                f"Le fichier {path} pèse {size / 1024 / 1024:.0f} Mio, plus que la limite de "
                f"{MAX_BYTES // 1024 // 1024} Mio.",
                "Scannez à nouveau le document en A4, à 200 ou 300 dpi.",
            )
        return path.read_bytes()
    except OSError as exc:
        raise RegistrationError(
            f"Le fichier {path} ne peut pas être lu ({reason(exc)}).", "Vérifiez son nom et son dossier."
        ) from exc


def sniff(head: bytes) -> str | None:
    """The kind of a file from its first bytes: ``pdf``, ``jpeg``, ``png``, ``tiff``, or None."""
    if head[:1024].lstrip().startswith(b"%PDF"):  # the same test as the scans' check
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    return None


def to_pdf(data: bytes, document: str) -> tuple[bytes, str]:
    """The scan ``data`` as a PDF, and what it was: a PDF is kept as is, images are wrapped without loss.

    ``document`` names the scan in messages: « l'avis de « Auchel » », « la délibération signée ».
    """
    if len(data) > MAX_BYTES:
        raise RegistrationError(
            f"Le fichier de {document} pèse {len(data) / 1024 / 1024:.0f} Mio, "
            f"plus que la limite de {MAX_BYTES // 1024 // 1024} Mio.",
            "Scannez à nouveau la délibération en A4, à 200 ou 300 dpi.",
            "fichier",
        )
    kind = sniff(data[:2048])
    if kind is None:
        raise RegistrationError(
            f"Le fichier de {document} n'est ni un PDF ni une image JPEG, PNG ou TIFF.",
            "Envoyez le scan de la délibération au format PDF (ou en image JPEG, PNG ou TIFF).",
            "fichier",
        )
    if kind == PDF:
        return data, kind
    import img2pdf  # only images need it

    try:
        return img2pdf.convert(data, rotation=img2pdf.Rotation.ifvalid), kind
    except Exception as exc:  # img2pdf refuses transparency, broken images…: the same advice for all
        raise RegistrationError(
            f"L'image de {document} ne peut pas être mise en PDF sans perte ({exc}).",
            "Enregistrez le scan au format PDF, ou en JPEG ou TIFF sans transparence.",
            "fichier",
        ) from None


def parse_date(value: str | dt.date, label: str, field: str) -> dt.date:
    """``value`` (ISO, ``18/11/2020``, ``18 novembre 2020`` or a date) as a date; errors name ``label``, ``field``."""
    try:
        return french.parse_date(value)
    except french.ValueFormatError as exc:
        raise RegistrationError(f"{label.capitalize()} : {exc}.", "Écrivez par exemple 18/11/2020.", field) from None


def _find(organismes: list, nom: str, shown: Path) -> CommentedMap:
    """The entry of ``nom``: its exact name, or the only one that matches it without case and accents."""
    entries = [o for o in organismes if isinstance(o, dict)]
    names = [str(o.get("nom")) for o in entries]
    for organisme in entries:
        if str(organisme.get("nom")).strip() == nom.strip():
            return organisme
    loose = [o for o in entries if ascii_name(str(o.get("nom"))) == ascii_name(nom)]
    if len(loose) == 1:
        return loose[0]
    raise RegistrationError(
        f"Aucun organisme « {nom} » dans {shown}{suggest(nom, names) or '.'}",
        f"Les organismes consultés sont listés dans {shown} (organismes).",
        "organisme",
    )


def register_avis(
    year: Year,
    data: bytes,
    organisme: str,
    seance: str | dt.date,
    sens: str,
    recu: str | dt.date | None = None,
) -> Registered:
    """File the scan ``data`` as the avis of ``organisme`` and record it in ``avis.yaml``.

    Raises :class:`RegistrationError`, whose ``field`` names the form field
    at fault; on any failure nothing is left changed.
    """
    avis_path = year.contents / AVIS_FILE
    shown_yaml = year.shown(avis_path)
    if not avis_path.is_file():
        raise RegistrationError(
            f"L'année {year.annee} n'a pas de fichier {AVIS_FILE}.",
            "Créez contenus/<année>/avis.yaml (voir docs/contenus.md).",
        )
    seance_date = parse_date(seance, "date de la séance", "seance")
    recu_date = parse_date(recu, "date de réception", "recu") if recu not in (None, "") else None
    if recu_date is not None and recu_date < seance_date:
        raise RegistrationError(
            "La date de réception précède la date de la séance.", "Vérifiez les deux dates.", "recu"
        )
    sens = (sens or "").strip()
    if sens and sens not in SENS_AVIS:  # none at all: only for a signatory's contribution (checked below)
        raise RegistrationError(
            f"Sens de l'avis inconnu « {sens} » ; sens possibles : {one_of(list(SENS_AVIS))}.",
            "Choisissez l'un de ces sens.",
            "sens",
        )

    def entry_of(document: Any) -> CommentedMap:
        organismes = document.get("organismes") if isinstance(document, dict) else None
        if not isinstance(organismes, list):
            raise RegistrationError(
                f"{shown_yaml} n'a pas de liste « organismes ».", "Corrigez ce fichier.", "organisme"
            )
        entry = _find(organismes, organisme, shown_yaml)
        if entry.get("avis") is not None:
            raise RegistrationError(
                f"L'avis de « {entry['nom']} » est déjà enregistré ({entry['avis'].get('fichier', '?')}).",
                f"Pour le remplacer, modifiez ou retirez son entrée dans {shown_yaml}, puis recommencez.",
                "organisme",
            )
        return entry

    found = entry_of(load_round_trip(avis_path, shown_yaml))  # an unknown body is named before any work
    nom, signataire = str(found["nom"]), found.get("type") == SIGNATAIRE
    if not sens and not signataire:
        raise RegistrationError(
            f"Le sens de l'avis de « {nom} » manque ; sens possibles : {one_of(list(SENS_AVIS))}.",
            "Choisissez l'un de ces sens (il n'est facultatif que pour la contribution d'un signataire).",
            "sens",
        )

    def add_avis(document: Any, file_name: str) -> None:
        avis = CommentedMap()
        avis["fichier"] = file_name
        avis["seance"] = seance_date.strftime("%d/%m/%Y")
        if sens:
            avis["sens"] = sens
        if recu_date is not None:
            avis["recu"] = recu_date.strftime("%d/%m/%Y")
        append_keeping_comments(entry_of(document), "avis", avis)

    word = ascii_name(nom)[:60].strip("-")  # ``Bruay-La-Buissière`` → ``bruay-la-buissiere``, a bounded file name
    stem = f"{'contribution' if signataire else 'avis'}-{word}-{seance_date.isoformat()}"
    named = f"la contribution de « {nom} »" if signataire else f"l'avis de « {nom} »"
    return register(year, data, nom, stem, avis_path, add_avis, named)


def load_round_trip(path: Path, shown: Path) -> Any:
    """``path`` read by ruamel.yaml's round trip: comments, order and layout kept for writing back.

    The file is first read as every content file is (:func:`load.load_file`):
    a YAML mistake is a :class:`ContentError` naming ``shown`` and the line,
    and the size, depth and anchor limits apply before the round trip.
    """
    load.load_file(path, shown)
    return load.round_trip().load(path.read_bytes().decode("utf-8"))


def register(
    year: Year,
    data: bytes,
    nom: str,
    stem: str,
    content_file: Path,
    change: Callable[[Any, str], None],
    named: str = "",
) -> Registered:
    """The steps shared by every scanned document received (avis, délibérations, contributions).

    ``data`` (PDF or images, sniffed) becomes a PDF, checked as a build
    checks scans (messages about ``named``: « la délibération signée »,
    « l'avis de « ``nom`` » » when not given), and is stored in
    ``annexes/<année>/`` as ``stem.pdf`` (``stem-2.pdf``… if taken, never
    replacing a file). Then ``change(document, file_name)`` edits the round
    trip of ``content_file``, which is written back atomically only if lines
    were added and nothing else changed; the year is validated again. On any
    failure, the scan and the file are put back as they were: each step
    registers its undoing, which runs unless every step succeeded.
    """
    named = named or f"l'avis de « {nom} »"
    pdf, kind = to_pdf(data, named)
    folder = _scans_folder(year)
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", stem):
        raise ValueError(f"nom de fichier impropre : {stem!r}")  # a programming error: names are ours
    try:
        with contextlib.ExitStack() as undo:  # whatever stops the steps, the files are put back as they were
            scan, pages = store_scan(year, pdf, folder, stem, named, undo)
            append_entry(year, content_file, change, scan.name, undo)
            revalidate(year, content_file)
            undo.pop_all()  # all done: nothing to undo
    except OSError as exc:
        raise RegistrationFailed(
            f"Le scan de « {nom} » n'a pas pu être enregistré ({reason(exc)}).",
            "Rien n'a été modifié. Vérifiez la place sur le disque et les droits du dossier, puis recommencez.",
            "fichier",
        ) from exc
    return Registered(nom, scan, pages, kind.upper())


def _scans_folder(year: Year) -> Path:
    """``annexes/<année>/``, created if needed; refused if a link takes it out of the project."""
    folder = year.root / ANNEXES / str(year.annee)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RegistrationFailed(
            f"Le dossier {year.shown(folder)} ne peut pas être créé ({reason(exc)}).",
            "Vérifiez les droits du dossier du projet.",
            "fichier",
        ) from exc
    if not folder.resolve().is_relative_to(year.root.resolve()):
        raise RegistrationError(
            f"Le dossier {year.shown(folder)} sort du dossier du projet (par un lien).",
            "Faites-en un vrai dossier dans le projet.",
            "fichier",
        )
    return folder


def store_scan(
    year: Year, pdf: bytes, folder: Path, stem: str, named: str, undo: contextlib.ExitStack
) -> tuple[Path, int]:
    """Check the scan ``pdf`` as a build does and store it in ``folder`` as ``stem.pdf`` (or ``stem-2.pdf``…).

    Returns the stored file and its number of pages; ``undo`` gets the
    removal of what was written. Raises :class:`OSError`.
    """
    from ..pdf import scans

    temporary = write_temporary(pdf, folder, f".{stem}.", ".partiel.pdf")
    undo.callback(temporary.unlink, missing_ok=True)  # gone once placed
    try:
        pages = scans.check_scan(temporary, named, year.shown(folder / f"{stem}.pdf"))
    except AnnexError as exc:
        problem = exc.problems[0]
        raise RegistrationError(
            problem.message[:1].upper() + problem.message[1:],
            "Aucun fichier n'a été enregistré ; envoyez un autre scan.",
            "fichier",
        ) from None
    scan = place_new(temporary, folder / f"{stem}.pdf")
    if scan is None:
        raise RegistrationError(f"Trop de fichiers {stem}-N.pdf dans {folder}.", "Rangez ce dossier.", "fichier")
    undo.callback(scan.unlink, missing_ok=True)
    if not scan.resolve().is_relative_to(folder.resolve()):  # defence in depth: the name is ours
        raise RegistrationError(f"Le fichier {scan.name} sort de {year.shown(folder)}.", field="fichier")
    return scan, pages


def append_entry(
    year: Year, content_file: Path, change: Callable[[Any, str], None], file_name: str, undo: contextlib.ExitStack
) -> None:
    """Edit ``content_file`` by ``change(document, file_name)``, keeping its comments and layout.

    Written back atomically, only if lines were added and nothing else
    changed; ``undo`` gets the writing back of its former contents. Raises
    :class:`OSError`.
    """
    shown_yaml = year.shown(content_file)
    before = content_file.read_bytes()
    document = load_round_trip(content_file, shown_yaml)
    change(document, file_name)
    out = io.StringIO()
    load.round_trip().dump(document, out)
    text = out.getvalue()
    if not _only_added(before.decode("utf-8"), text):
        raise RegistrationError(
            f"{shown_yaml} ne peut pas être complété sans changer sa mise en page.",
            "Ajoutez l'entrée à la main (voir l'exemple en tête du fichier).",
            "organisme",
        )
    replace_contents(content_file, text.encode("utf-8"))
    undo.callback(replace_contents, content_file, before)


def revalidate(year: Year, content_file: Path) -> None:
    """Validate the year again; refuse if ``content_file`` no longer validates (other files are not ours)."""
    try:
        validate.validate(load.load_year(year.contents, base=year.root))
    except ContentError as exc:
        mine = [p for p in exc.problems if p.file is not None and Path(p.file).name == content_file.name]
        if mine:
            raise RegistrationError(
                f"Avec cet ajout, {year.shown(content_file)} n'est pas valide : {mine[0]}",
                "Rien n'a été modifié. Corrigez ce fichier, puis recommencez.",
                "organisme",
            ) from None


def _only_added(before: str, after: str) -> bool:
    """Is ``after`` exactly ``before`` with lines inserted (nothing of the user's changed or moved)?"""
    matcher = difflib.SequenceMatcher(None, before.splitlines(True), after.splitlines(True), autojunk=False)
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())


def append_keeping_comments(entry: CommentedMap, key: str, value: CommentedMap) -> None:
    """Add ``key: value`` at the end of ``entry``, moving the comment that followed its last value after it.

    ruamel.yaml hangs the comment lines that follow a mapping on its last
    key; without the move they would end up between the old last key and the
    new one.
    """
    last = list(entry)[-1] if entry else None
    entry[key] = value
    slots = entry.ca.items.get(last) if last is not None else None
    trailing = slots[2] if slots and len(slots) > 2 else None
    if trailing is None or "\n" not in trailing.value:
        return
    # the end of the old last line (with its own comment, if any) stays; the lines after it move
    first_break = trailing.value.index("\n") + 1
    rest = trailing.value[first_break:]
    if not rest:
        return
    trailing.value = trailing.value[:first_break]
    value.ca.items[list(value)[-1]] = [None, None, CommentToken("\n" + rest, trailing.start_mark, None), None]
