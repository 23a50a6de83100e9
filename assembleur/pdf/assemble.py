"""Stage 6 — assemble: every part and checked scan merged into the dossier PDF, in one pass with qpdf (pikepdf).

The pages are copied, the bookmarks, page labels, metadata and structure tree
written, and the file saved once. A part made by LibreOffice can be copied
in as soon as it is finished (:class:`Assembly`), while the other parts are
still converting. Scanned pages are carried over as they are: their images
are never decoded or re-encoded. A page that is rotated or not A4 is turned
upright and fitted to A4 by one transformation put in front of its content,
which leaves the images untouched. The scans themselves are checked before
(:mod:`.scans`).
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from ..files import atomic_output
from . import finish, structure
from .finish import Metadata

A4 = (595.276, 841.890)  # points
A4_TOLERANCE = 3.0  # points: scanners round page sizes
# cos and sin of the turn that puts a page upright, by its /Rotate (a page shown turned clockwise)
UPRIGHT = {0: (1, 0), 90: (0, -1), 180: (-1, 0), 270: (0, 1)}


@dataclass
class Part:
    """A part of the dossier: its bookmark title, its PDF (if any) and its sub-parts.

    Top-level parts get their own page labels (``label`` is the prefix, e.g.
    "A1-"); every part with a title gets a bookmark, nested as the parts are.
    """

    title: str
    path: Path | None = None
    label: str = ""
    children: list[Part] = field(default_factory=list)
    fit_to_a4: bool = False  # scans: turn upright and fit to A4
    alt: str = ""  # a scan's alternative text (its title if empty)
    text: str = ""  # a scan's recognised text (OCR), for assistive technologies
    first_page: int = field(default=-1, init=False)


def _box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    left, bottom, right, top = (float(v) for v in page.mediabox)
    return min(left, right), min(bottom, top), max(left, right), max(bottom, top)


def _rotation(page: pikepdf.Page) -> int:
    return int(page.obj.get("/Rotate", 0)) % 360


def is_upright_a4(page: pikepdf.Page) -> bool:
    """Is ``page`` shown upright, A4 (give or take what scanners round)?"""
    left, bottom, right, top = _box(page)
    return (
        _rotation(page) == 0 and abs(right - left - A4[0]) <= A4_TOLERANCE and abs(top - bottom - A4[1]) <= A4_TOLERANCE
    )


def fit_to_a4(page: pikepdf.Page) -> pikepdf.Page:
    """Turn ``page`` upright and scale it to fit A4, centred, in place; its content and images are untouched.

    One ``cm`` operator is put in front of the content, as a stream of its
    own: nothing of the page is parsed nor rewritten.
    """
    if is_upright_a4(page):
        return page
    rotation = _rotation(page) if _rotation(page) in UPRIGHT else 0
    cos, sin = UPRIGHT[rotation]
    left, bottom, right, top = _box(page)
    width, height = right - left, top - bottom
    shown = (width, height) if rotation in (0, 180) else (height, width)
    scale = min(A4[0] / shown[0], A4[1] / shown[1])
    centre_x, centre_y = (left + right) / 2, (bottom + top) / 2
    # move the page's centre to the origin, turn it upright, scale it, put it at the middle of the A4 page
    a, b, c, d = scale * cos, scale * sin, -scale * sin, scale * cos
    e = A4[0] / 2 - (a * centre_x + c * centre_y)
    f = A4[1] / 2 - (b * centre_x + d * centre_y)
    page.contents_add(f"{a:.6f} {b:.6f} {c:.6f} {d:.6f} {e:.4f} {f:.4f} cm\n".encode(), prepend=True)
    a4 = Array([0, 0, *A4])
    for box in ("/MediaBox", "/CropBox", "/TrimBox", "/ArtBox", "/BleedBox"):
        page.obj[box] = a4
    if "/Rotate" in page.obj:
        del page.obj["/Rotate"]
    return page


@dataclass
class _Copy:
    """A part's pages and structure tree root, copied into the dossier but not yet placed in its page order."""

    pages: list[pikepdf.Object]
    tree: pikepdf.Object | None


class Assembly:
    """A dossier being put together: its parts can be copied in as soon as each is made, in any order.

    Copying a part's pages and structure tree is most of the work of
    assembling; :meth:`prepare` does it while LibreOffice still converts the
    other parts, and :meth:`write` then only puts the pages in order, writes
    bookmarks, labels, metadata and tree, and saves. A part not prepared is
    copied by :meth:`write`. Use as a context manager: the parts' files stay
    open until the block ends.
    """

    def __init__(self) -> None:
        self._files = contextlib.ExitStack()
        self.dossier = self._files.enter_context(pikepdf.new())
        self._prepared: dict[Path, _Copy] = {}

    def __enter__(self) -> Assembly:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._files.close()

    def prepare(self, path: Path) -> None:
        """Copy the part ``path`` into the dossier now, for :meth:`write` to place."""
        self._prepared[path] = self._copy(path)

    def _copy(self, path: Path) -> _Copy:
        # read from the file as needed (not mapped in memory): 200 MB of scans would count as the process's memory
        source = self._files.enter_context(pikepdf.open(path, access_mode=pikepdf.AccessMode.stream))
        # qpdf lists the pages with what they inherit from their page tree written on each: copied alone, whole
        pages = [self.dossier.copy_foreign(page.obj) for page in source.pages]
        tree = source.Root.get("/StructTreeRoot")
        # the tree is copied after the pages, from the same file: qpdf points its /Pg and /Obj at their copies
        return _Copy(pages, self.dossier.copy_foreign(tree) if tree is not None else None)

    def _take(self, path: Path) -> _Copy:
        """The copy of ``path`` prepared earlier (placed once), or one made now."""
        prepared = self._prepared.pop(path, None)
        return prepared if prepared is not None else self._copy(path)

    def write(
        self,
        parts: list[Part],
        output: Path,
        metadata: Metadata,
        watermark: bool = False,
        pdfa_from: Path | None = None,
        note: str = "",
    ) -> Path:
        """Merge ``parts`` into ``output``: bookmarks, page labels, metadata, structure tree; written atomically.

        ``watermark`` stamps PROJET on the scanned pages (the generated parts
        carry it already); ``pdfa_from`` names a PDF/A part whose output intent
        makes the dossier PDF/A-2b.
        """
        with warnings.catch_warnings():
            # a scan's form fields lose their form on the merge (no /AcroForm is carried): not news here
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)  # said when the copied pages are saved
            dossier = self.dossier
            stamp = finish.Stamp(dossier, note) if watermark else None
            sections = [self._append_pages(part, stamp, top=True) for part in parts]
            _page_labels(dossier, parts)
            with dossier.open_outline() as outline:
                outline.root.extend(item for part in parts for item in _bookmarks(part, len(dossier.pages)))
            dossier.Root.PageMode = Name.UseOutlines
            if pdfa_from is not None:  # the output intent of a part LibreOffice exported as PDF/A-2b
                source = self._files.enter_context(pikepdf.open(pdfa_from))
                if "/OutputIntents" not in source.Root:
                    raise ValueError(f"{pdfa_from} has no /OutputIntents: was it exported as PDF/A?")
                # qpdf copies only indirect objects from another file: the array (often direct) is made one first
                dossier.Root.OutputIntents = dossier.copy_foreign(source.make_indirect(source.Root.OutputIntents))
            finish.set_metadata(dossier, metadata, pdfa=pdfa_from is not None)
            structure.tag(dossier, sections)
            with atomic_output(output) as temporary:
                # the file ID derives from the content: the same dossier gives the same bytes; the XMP stays as written
                dossier.save(temporary, deterministic_id=True, fix_metadata_version=False)
                temporary.chmod(0o644)
            return output

    def _append_pages(self, part: Part, stamp: finish.Stamp | None, top: bool = False) -> structure.Section:
        """Place ``part``'s pages, then its children's; return its place in the dossier's structure tree."""
        dossier = self.dossier
        part.first_page = len(dossier.pages)
        section = structure.Section("/Part" if top else "/Sect", part.title, first_page=part.first_page)
        if part.path is not None:
            copy = self._take(part.path)
            for page in copy.pages:
                dossier.pages.append(pikepdf.Page(page))
            count = len(copy.pages)
            if part.fit_to_a4:  # a scan: upright A4, one Figure, the watermark over it
                for page in dossier.pages[part.first_page :]:
                    fit_to_a4(page)
                    structure.wrap_content(page, *structure.FIGURE_CONTENT)
                    if stamp is not None:
                        stamp.draw(page)
                section.figures.append((part.first_page, count, part.alt or part.title, part.text))
            else:
                section.tree, section.page_count = copy.tree, count
        for child in part.children:
            added = self._append_pages(child, stamp)
            if child.fit_to_a4:  # a scan is a Figure in its group
                section.figures += added.figures
            else:
                section.children.append(added)
        return section


def assemble(
    parts: list[Part],
    output: Path,
    metadata: Metadata,
    watermark: bool = False,
    pdfa_from: Path | None = None,
    note: str = "",
) -> Path:
    """Merge ``parts`` into ``output`` in one go (see :meth:`Assembly.write`)."""
    with Assembly() as assembly:
        return assembly.write(parts, output, metadata, watermark, pdfa_from, note)


def _page_labels(dossier: pikepdf.Pdf, parts: list[Part]) -> None:
    """Each top-level part numbered from 1, with its prefix (« A1-1 »)."""
    starts = [part.first_page for part in parts] + [len(dossier.pages)]
    numbers = Array()
    for part, next_start in zip(parts, starts[1:], strict=True):
        if next_start > part.first_page:
            label = Dictionary(S=Name.D, St=1)
            if part.label:
                label.P = String(part.label)
            numbers.extend([part.first_page, label])
    if len(numbers):
        dossier.Root.PageLabels = Dictionary(Nums=numbers)


def _bookmarks(part: Part, pages: int) -> list[pikepdf.OutlineItem]:
    """The bookmark of ``part`` (if it has a title and pages) with its children's under it."""
    children = [item for child in part.children for item in _bookmarks(child, pages)]
    if not part.title or part.first_page >= pages:
        return children
    item = pikepdf.OutlineItem(part.title, part.first_page)
    item.children.extend(children)
    return [item]
