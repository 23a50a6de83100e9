"""The dossier's structure tree: every part's tags kept, in order, under one Document; the scans as Figures.

Copying pages leaves the structure trees of the merged files behind, so each
tagged part's tree is copied too, from the same open file its pages were
copied from (:mod:`.assemble`): qpdf then points its references to the
part's pages and links at their copies. Once the dossier's pages are in
order, it is tagged in one pass: each part's copied tree is put under an
element of the dossier's tree; the numbers that tie pages and links to the
tree (the parent tree) are renumbered from one part to the next; role maps
and IDs are merged. A scanned avis has no tags: as it is assembled, each of
its pages' content is made one marked-content sequence
(:func:`wrap_content`); here they all become one Figure with a French
alternative text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

# the standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4): never remapped (PDF/UA)
STANDARD_TYPES = frozenset(
    (  # noqa: SIM905 (words read best as words)
        "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6 "
        "L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot "
        "Ruby RB RT RP Warichu WT WP Figure Formula Form"
    ).split()
)


@dataclass
class Section:
    """An element of the dossier's tree: a part (``/Part``) or a group (``/Sect``), with what it holds.

    ``tree`` is a part's structure tree root, already copied into the dossier
    with its ``page_count`` pages, which are the dossier's from ``first_page``
    on; ``figures`` are scans: (first page, page count, alternative text,
    recognised text).
    """

    kind: str
    title: str
    tree: pikepdf.Object | None = None
    first_page: int = 0
    page_count: int = 0
    figures: list[tuple[int, int, str, str]] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)


def wrap_content(page: pikepdf.Page, before: bytes, after: bytes) -> None:
    """Put ``page``'s whole content between ``before`` and ``after``: two small streams around it, none parsed."""
    page.contents_add(before + b" q\n", prepend=True)
    page.contents_add(b"\nQ " + after + b"\n")


FIGURE_CONTENT = (b"/Figure <</MCID 0>> BDC", b"EMC")  # a scan page's content: marked content 0 of its Figure


def tag(pdf: pikepdf.Pdf, sections: list[Section]) -> None:
    """Give the assembled ``pdf`` its structure tree, in memory (the caller saves it)."""
    _Tree(pdf).build(sections)


class _Tree:
    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array()))
        self.document = self.element("/Document", self.root)
        self.numbers: list = []  # the parent tree: key, value, key, value…
        self.next_key = 0
        self.role_map = Dictionary()
        self.class_map = Dictionary()
        self.ids: dict[str, pikepdf.Object] = {}

    def element(self, kind: str, parent: pikepdf.Object, title: str = "") -> pikepdf.Object:
        element = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name(kind), P=parent, K=Array()))
        if title:
            element.T = pikepdf.String(title)
        parent.K.append(element)
        return element

    def build(self, sections: list[Section]) -> None:
        for section in sections:
            self._add(section, self.document)
        self._finish()

    def _add(self, section: Section, parent: pikepdf.Object) -> None:
        element = self.element(section.kind, parent, section.title)
        if section.tree is not None:
            self._graft(section.tree, section.first_page, section.page_count, element)
        for first, count, alt, text in section.figures:
            self._figure(first, count, alt, text, element)
        for child in section.children:
            self._add(child, element)

    def _graft(self, copied: pikepdf.Object, first: int, count: int, container: pikepdf.Object) -> None:
        """Put a part's copied tree under ``container``; its ``count`` pages are the dossier's from ``first`` on."""
        kids = _kids(copied)
        if len(kids) == 1 and kids[0].get("/S") == Name.Document:  # the part's Document becomes the container
            kids = _kids(kids[0])
        for kid in kids:
            if not isinstance(kid, int):
                kid.P = container
            container.K.append(kid)
        offset, last = self.next_key, -1
        for key, value in _number_tree(copied.get("/ParentTree")):
            self.numbers += [key + offset, value]
            last = max(last, key)
        self.next_key = offset + last + 1
        for page in (page.obj for page in self.pdf.pages[first : first + count]):  # copies keep the part's keys
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + offset
            for annotation in page.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset

        for key, value in copied.get("/RoleMap", Dictionary()).items():
            # a standard type is never remapped (PDF/UA): LibreOffice maps Figure and Note to P, which
            # would hide the scans' Figures too; otherwise the first part's mapping wins (they are alike)
            if key[1:] not in STANDARD_TYPES and key not in self.role_map:
                self.role_map[key] = value
        for key, value in copied.get("/ClassMap", Dictionary()).items():
            if key not in self.class_map:
                self.class_map[key] = value
        for identifier, value in _name_tree(copied.get("/IDTree")):
            if identifier in self.ids:  # two parts used the same ID: the later one is renamed
                identifier = f"{identifier}-{len(self.ids)}"
                value.ID = pikepdf.String(identifier)
            self.ids[identifier] = value

    def _figure(self, first: int, count: int, alt: str, text: str, parent: pikepdf.Object) -> None:
        """One Figure over pages ``first`` to ``first + count - 1`` (each page's content is its marked content 0)."""
        figure = self.element("/Figure", parent)
        figure.Alt = pikepdf.String(alt)
        if text:
            figure.ActualText = pikepdf.String(text)
        for number in range(first, first + count):
            page = self.pdf.pages[number].obj
            figure.K.append(Dictionary(Type=Name.MCR, Pg=page, MCID=0))
            page.StructParents = self.next_key
            self.numbers += [self.next_key, Array([figure])]
            self.next_key += 1

    def _finish(self) -> None:
        """Put the tree in the catalog, with what readers and checkers look for in a tagged file."""
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=Array(self.numbers)))
        self.root.ParentTreeNextKey = self.next_key
        if self.role_map:
            self.root.RoleMap = self.role_map
        if self.class_map:
            self.root.ClassMap = self.class_map
        if self.ids:
            names = [item for name in sorted(self.ids) for item in (pikepdf.String(name), self.ids[name])]
            self.root.IDTree = Dictionary(Names=Array(names))
        catalog = self.pdf.Root
        catalog.StructTreeRoot = self.root
        catalog.MarkInfo = Dictionary(Marked=True)
        preferences = catalog.get("/ViewerPreferences", Dictionary())
        preferences.DisplayDocTitle = True
        catalog.ViewerPreferences = preferences
        for page in self.pdf.pages:
            if page.obj.get("/Annots"):
                page.obj.Tabs = Name.S  # the tab order follows the structure


def _kids(node: pikepdf.Object) -> list:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _number_tree(node: pikepdf.Object | None) -> list[tuple[int, pikepdf.Object]]:
    """The (key, value) pairs of a number tree."""
    if node is None:
        return []
    numbers = node.get("/Nums", Array())
    pairs = [(int(numbers[i]), numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)]
    for kid in node.get("/Kids", Array()):
        pairs += _number_tree(kid)
    return pairs


def _name_tree(node: pikepdf.Object | None) -> list[tuple[str, pikepdf.Object]]:
    """The (name, value) pairs of a name tree."""
    if node is None:
        return []
    names = node.get("/Names", Array())
    pairs = [(str(names[i]), names[i + 1]) for i in range(0, len(names) - 1, 2)]
    for kid in node.get("/Kids", Array()):
        pairs += _name_tree(kid)
    return pairs
