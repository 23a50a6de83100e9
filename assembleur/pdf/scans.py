"""The checks of a scanned avis (or of the signed act) before it joins the dossier.

Each scan must lie inside annexes/<année>/, open as a sound PDF, have pages,
carry nothing active or embedded and stay within sane sizes; its structure
must not make a reader loop. The scans are read with pypdf, loaded only
when a scan is actually read (an unchanged scan's verdict is remembered:
see :mod:`..fabrication.verification`).
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AnnexError, Problem
from ..limites import (
    MAX_IMAGE_PIXELS,
    MAX_PAGE_SIDE,
    MAX_PDF_DEPTH,
    MAX_PDF_OBJECTS,
    MAX_PDF_SECONDS,
    MAX_SCAN_PAGES,
)

if TYPE_CHECKING:
    from pypdf import PdfReader

# pypdf is imported where a scan is read: a build whose scans were all checked before never loads it

FORBIDDEN_KEYS = ("/JavaScript", "/JS", "/EmbeddedFiles", "/EmbeddedFile")
FORBIDDEN_ACTIONS = ("/JavaScript", "/Launch")  # values of an action's /S; a plain "go to page" is fine


@dataclass(frozen=True)
class Avis:
    """A received avis to check: the name of the body that sent it, and its scan's file name."""

    organisme: str
    fichier: str  # relative to the annexes folder


@dataclass(frozen=True)
class ScannedAvis:
    """A received avis whose scan passed the checks."""

    organisme: str
    path: Path
    pages: int


def check_scans(received: list[Avis], annexes: Path, shown: Path) -> list[ScannedAvis]:
    """Check every received avis's scan before any work starts; all problems at once.

    ``annexes`` is ``annexes/<année>/``; ``shown`` is how messages name it.
    Each scan must lie inside it (links included), exist, open as a PDF,
    have at least one page and not be password-protected.
    """
    problems: list[Problem] = []
    scans: list[ScannedAvis] = []
    root = annexes.resolve()
    used: dict[str, str] = {}
    for avis in received:
        organisme, name = avis.organisme, avis.fichier
        path = annexes / name
        label = shown / name

        def refuse(message: str, label: Path = label) -> None:
            problems.append(Problem(label, message))

        if name in used:
            refuse(f"ce fichier est déjà l'avis de « {used[name]} » ; chaque avis a son propre scan.")
            continue
        used[name] = organisme
        document = f"l'avis de « {organisme} »"
        misplaced = _misplaced(path, root, shown, document, "le nom du fichier dans avis.yaml")
        if misplaced:
            refuse(misplaced)
            continue
        pages = _check_file(path, document, refuse)
        if pages is not None:
            scans.append(ScannedAvis(organisme, path, pages))
    if problems:
        raise AnnexError(problems)
    return scans


def _misplaced(path: Path, root: Path, shown: Path, document: str, named_in: str) -> str:
    """Why the scan ``path`` of ``document`` cannot be read where it is ("" if inside ``root`` and a file)."""
    if not path.resolve().is_relative_to(root):
        return (
            f"{document} doit se trouver dans {shown}/ (pas ailleurs, même par un lien) ; "
            "copiez le fichier dans ce dossier."
        )
    if not path.is_file():
        return f"{document} est introuvable ; déposez le scan dans {shown}/ ou corrigez {named_in}."
    return ""


def check_filed_scan(annexes: Path, name: str, shown: Path, document: str, named_in: str) -> Path:
    """Check the scan ``name`` of ``annexes`` as :func:`check_scans` checks each avis; return its path.

    ``document`` names it in messages (« la délibération signée ») and in the
    error's title; ``named_in`` says where its file name is written, for the
    user to correct. Raises :class:`AnnexError`.
    """
    path = annexes / name
    label = shown / name
    misplaced = _misplaced(path, annexes.resolve(), shown, document, named_in)
    if misplaced:
        raise AnnexError([Problem(label, misplaced)], where=document)
    check_scan(path, document, label, where=document)
    return path


def check_scan(path: Path, document: str, shown: Path, where: str | None = None) -> int:
    """Check one scan exactly as :func:`check_scans` does; return its pages.

    ``document`` names it in the messages: « l'avis de « Auchel » », « la
    contribution de « … » », « la délibération signée ». ``shown`` is how
    messages name the file; ``where`` is the error's title if not the avis.
    Raises :class:`AnnexError`.
    """
    problems: list[Problem] = []
    pages = _check_file(path, document, lambda message: problems.append(Problem(shown, message)))
    if problems or pages is None:
        raise AnnexError(problems, where=where)
    return pages


def _check_file(path: Path, document: str, refuse) -> int | None:
    """The checks of one existing scan file: not empty, a sound PDF, nothing active, not oversized."""
    if path.stat().st_size == 0:
        refuse(f"le fichier de {document} est vide ; scannez à nouveau la délibération.")
        return None
    try:
        return _open_pages(path, document, refuse)
    finally:
        # a pypdf reader is a cycle of objects that holds the scan's images until a collection:
        # collected now (a millisecond), 200 MB of scans are never in memory together
        gc.collect(1)


# what each forbidden key means to a user, in messages
FORBIDDEN_NAMES = {
    "/JavaScript": "script",
    "/JS": "script",
    "action /JavaScript": "script",
    "/EmbeddedFiles": "fichier joint",
    "/EmbeddedFile": "fichier joint",
    "action /Launch": "lancement d'un programme",
    "chiffrement": "chiffrement",
}


def forbidden_names(found: list[str]) -> str:
    """The active or embedded content of :func:`forbidden_content`, in plain French, each named once."""
    return ", ".join(dict.fromkeys(FORBIDDEN_NAMES.get(key, key) for key in found))


def forbidden_content(path: Path | PdfReader) -> list[str]:
    """The active or embedded content a PDF carries: JavaScript, launch actions, embedded files."""
    from pypdf import PdfReader

    reader = path if isinstance(path, PdfReader) else PdfReader(path)
    if reader.is_encrypted:
        return ["chiffrement"]
    found: set[str] = set()
    seen: set[int] = set()
    stack: list[object] = [reader.trailer["/Root"]]
    while stack:
        node = stack.pop()
        reference = getattr(node, "indirect_reference", None)
        if reference is not None:
            if reference.idnum in seen:
                continue
            seen.add(reference.idnum)
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            found.update(key for key in node if key in FORBIDDEN_KEYS)
            if node.get("/S") in FORBIDDEN_ACTIONS:
                found.add(f"action {node['/S']}")
            stack.extend(value for key, value in node.items() if key not in ("/Parent", "/P"))
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(found)


class _Unbounded(Exception):
    """A scan's structure loops, or passes a bound: what a PDF reader could follow without end."""


class _Budget:
    """Steps and time left to check one scan's structure."""

    def __init__(self) -> None:
        self.steps = MAX_PDF_OBJECTS
        self.deadline = time.monotonic() + MAX_PDF_SECONDS

    def step(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise _Unbounded(f"plus de {MAX_PDF_OBJECTS} objets")
        if self.steps % 1000 == 0 and time.monotonic() > self.deadline:
            raise _Unbounded(f"sa structure demande plus de {MAX_PDF_SECONDS:.0f} secondes de lecture")


def _resolve(reference: object) -> tuple[object, int | None]:
    """The object behind ``reference``, and its object number when it is an indirect one."""
    from pypdf.generic import IndirectObject

    if isinstance(reference, IndirectObject):
        return reference.get_object(), reference.idnum
    return reference, None


def _structure_problem(reader: PdfReader) -> str:
    """Why a scan's structure would make a reader loop or recurse without end, or "".

    Checked before pypdf walks it: the page tree and each page's chain of
    /Parent must not loop nor go deeper than a bound, nor the bookmarks (the
    /First and /Next chains), nor arrays and dictionaries inside one another;
    the whole check has a budget of objects and of time.
    """
    from pypdf.generic import DictionaryObject

    budget = _Budget()
    try:
        root = reader.trailer["/Root"]
        if not isinstance(root, DictionaryObject):
            return ""  # pypdf says it is damaged
        if "/Pages" in root:
            _check_page_tree(root.raw_get("/Pages"), budget)
        if "/Outlines" in root:
            _check_outline(root.raw_get("/Outlines"), budget)
        _check_nesting(root.raw_get("/Pages") if "/Pages" in root else root, budget)
        _check_nesting(reader.trailer.raw_get("/Root"), budget)
    except _Unbounded as exc:
        return str(exc)
    return ""


def _visit(reference: object, seen: set[int], budget: _Budget, loop: str) -> object:
    """The object ``reference`` points to, once: met a second time, it is a loop (``loop`` says which)."""
    budget.step()
    node, number = _resolve(reference)
    if number is not None:
        if number in seen:
            raise _Unbounded(loop)
        seen.add(number)
    return node


def _check_page_tree(pages: object, budget: _Budget) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject

    seen: set[int] = set()
    count = 0
    pending = [(pages, 1)]
    while pending:
        reference, depth = pending.pop()
        node = _visit(reference, seen, budget, "son arbre des pages revient sur lui-même, en boucle")
        if depth > MAX_PDF_DEPTH:
            raise _Unbounded(f"son arbre des pages a plus de {MAX_PDF_DEPTH} niveaux")
        if not isinstance(node, DictionaryObject):
            continue
        _check_parents(node, budget)
        kids, _ = _resolve(node.raw_get("/Kids")) if "/Kids" in node else (None, None)
        if isinstance(kids, ArrayObject):
            pending.extend((kid, depth + 1) for kid in list.__iter__(kids))
        else:
            count += 1
            if count > MAX_SCAN_PAGES:
                raise _Unbounded(f"plus de {MAX_SCAN_PAGES} pages")


def _check_parents(node: object, budget: _Budget) -> None:
    """A page's chain of /Parent (pypdf follows it for inherited sizes and resources) must end."""
    from pypdf.generic import DictionaryObject

    seen: set[int] = set()
    for _ in range(MAX_PDF_DEPTH + 1):
        if "/Parent" not in node:
            return
        parent = _visit(
            node.raw_get("/Parent"), seen, budget, "ses pages se donnent l'une l'autre pour parente, en boucle"
        )
        if not isinstance(parent, DictionaryObject):
            return
        node = parent
    raise _Unbounded(f"son arbre des pages a plus de {MAX_PDF_DEPTH} niveaux")


def _check_outline(outlines: object, budget: _Budget) -> None:
    """The bookmarks: each level a chain of /Next, each item's children from its /First."""
    from pypdf.generic import DictionaryObject

    seen: set[int] = set()
    top, _ = _resolve(outlines)
    pending = [(top.raw_get("/First"), 1)] if isinstance(top, DictionaryObject) and "/First" in top else []
    while pending:
        item, depth = pending.pop()
        while item is not None:
            node = _visit(item, seen, budget, "ses signets renvoient les uns aux autres, en boucle")
            if depth > MAX_PDF_DEPTH:
                raise _Unbounded(f"ses signets s'imbriquent sur plus de {MAX_PDF_DEPTH} niveaux")
            if not isinstance(node, DictionaryObject):
                break
            if "/First" in node:
                pending.append((node.raw_get("/First"), depth + 1))
            item = node.raw_get("/Next") if "/Next" in node else None


def _check_nesting(start: object, budget: _Budget) -> None:
    """Arrays and dictionaries inside one another (direct objects) stay within a depth; every object counted once."""
    from pypdf.generic import ArrayObject, DictionaryObject

    seen: set[int] = set()
    pending = [(start, 1)]
    while pending:
        reference, depth = pending.pop()
        budget.step()
        node, number = _resolve(reference)
        if number is not None:
            if number in seen:
                continue
            seen.add(number)
            depth = 1  # an indirect object is read on its own
        if depth > MAX_PDF_DEPTH:
            raise _Unbounded(f"des tableaux s'imbriquent sur plus de {MAX_PDF_DEPTH} niveaux")
        if isinstance(node, DictionaryObject):
            pending.extend((dict.__getitem__(node, key), depth + 1) for key in node if key not in ("/Parent", "/P"))
        elif isinstance(node, ArrayObject):
            pending.extend((item, depth + 1) for item in list.__iter__(node))


def _oversized(reader: PdfReader) -> str:
    """Why a scan's pages or images are too large to be a délibération, or ""."""
    for number, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        if max(width, height) > MAX_PAGE_SIDE:
            return f"la page {number} mesure {width / 72 * 2.54:.0f} × {height / 72 * 2.54:.0f} cm"
        xobjects = page.get("/Resources", {}).get("/XObject", {}) if "/Resources" in page else {}
        for name in xobjects:
            image = xobjects[name].get_object()
            if image.get("/Subtype") == "/Image":
                pixels = int(image.get("/Width", 0)) * int(image.get("/Height", 0))
                if pixels > MAX_IMAGE_PIXELS:
                    return f"l'image de la page {number} compte {pixels // 1_000_000} millions de pixels"
    return ""


def _open_pages(path: Path, document: str, refuse) -> int | None:
    protected = "protégée" if document.startswith("la ") else "protégé"  # « la délibération signée »
    with path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF"):
            refuse(f"le fichier de {document} n'est pas un PDF ; enregistrez le scan au format PDF.")
            return None
    from pypdf import PdfReader

    try:
        with path.open("rb") as handle:  # read lazily: a scan may weigh tens of MB
            reader = PdfReader(handle)
            if reader.is_encrypted:
                refuse(
                    f"{document} est {protected} par un mot de passe ; "
                    "demandez à la commune une version sans protection."
                )
                return None
            unbounded = _structure_problem(reader)
            if unbounded:
                refuse(
                    f"le PDF de {document} a une structure anormale ({unbounded}), qui pourrait "
                    "bloquer sa lecture ; imprimez-le en PDF ou scannez à nouveau la délibération."
                )
                return None
            count = len(reader.pages)
            active = forbidden_content(reader) if count else []
            oversized = _oversized(reader) if count else ""
    except Exception:  # any failure of the PDF parser on a damaged file means the same thing to the user
        refuse(
            f"le PDF de {document} est endommagé (fichier tronqué ou abîmé) ; "
            "scannez à nouveau la délibération ou demandez une nouvelle copie."
        )
        return None
    if count == 0:
        refuse(f"le PDF de {document} n'a aucune page ; scannez à nouveau la délibération.")
        return None
    if active:
        refuse(
            f"le PDF de {document} contient des éléments actifs ou joints ({forbidden_names(active)}), "
            "qui ne peuvent pas passer dans le dossier ; imprimez-le en PDF ou scannez à nouveau le papier."
        )
        return None
    if oversized:
        refuse(
            f"le PDF de {document} est démesuré ({oversized}) ; "
            "scannez à nouveau la délibération en A4, à 200 ou 300 dpi."
        )
        return None
    return count
