"""The dossier's structure tree: every part's tags kept, in order, under one Document; the scans as Figures.

pypdf copies pages but drops the structure tree of the files it merges.
:class:`Structure` puts it back while the dossier is assembled: each tagged
part's elements (headings, lists, tables…) are copied under an element of
the dossier's tree, with their references to the dossier's pages; the
numbers that tie pages and annotations to the tree (the parent tree) are
renumbered from one part to the next; role maps and IDs are merged. A
scanned avis has no tags: its pages' content becomes one marked-content
sequence each, all belonging to one Figure with a French alternative text.
"""

from __future__ import annotations

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

# the standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4)
STANDARD_TYPES = frozenset(
    (  # noqa: SIM905 (a list of words reads best as words)
        "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6 "
        "L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot "
        "Ruby RB RT RP Warichu WT WP Figure Formula Form"
    ).split()
)


def _name(value: str) -> NameObject:
    return NameObject(value)


def _kids(node: DictionaryObject) -> list[PdfObject]:
    """An element's /K as a list (a single kid may be stored alone)."""
    kids = node.get("/K")
    if kids is None:
        return []
    kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
    return list(kids) if isinstance(kids, list) else [node.raw_get("/K")]


def _number_tree(node: PdfObject) -> list[tuple[int, PdfObject]]:
    """The (key, raw value) pairs of a number tree, in order."""
    node = node.get_object()
    pairs: list[tuple[int, PdfObject]] = []
    numbers = node.get("/Nums")
    if numbers is not None:
        numbers = numbers.get_object()
        pairs += [(int(numbers[i]), numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)]
    for kid in node.get("/Kids", []) or []:
        pairs += _number_tree(kid)
    return pairs


def _name_tree(node: PdfObject) -> list[tuple[str, PdfObject]]:
    """The (name, raw value) pairs of a name tree."""
    node = node.get_object()
    pairs: list[tuple[str, PdfObject]] = []
    names = node.get("/Names")
    if names is not None:
        names = names.get_object()
        pairs += [(str(names[i]), names[i + 1]) for i in range(0, len(names) - 1, 2)]
    for kid in node.get("/Kids", []) or []:
        pairs += _name_tree(kid)
    return pairs


class Structure:
    """The structure tree of a PDF being assembled by a :class:`PdfWriter`."""

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self.root = DictionaryObject({_name("/Type"): _name("/StructTreeRoot")})
        self.root_ref = writer._add_object(self.root)
        self.root[_name("/K")] = ArrayObject()
        self.document = self.element("/Document", self.root)
        self.parent_tree: list[tuple[int, PdfObject]] = []
        self.next_key = 0
        self.role_map = DictionaryObject()
        self.class_map = DictionaryObject()
        self.ids: dict[str, PdfObject] = {}

    def element(self, kind: str, parent: DictionaryObject, title: str = "") -> DictionaryObject:
        """A new, empty structure element of type ``kind`` (``/Sect``…), appended to ``parent``'s kids."""
        element = DictionaryObject(
            {
                _name("/Type"): _name("/StructElem"),
                _name("/S"): _name(kind),
                _name("/P"): parent.indirect_reference,
                _name("/K"): ArrayObject(),
            }
        )
        if title:
            element[_name("/T")] = TextStringObject(title)
        parent["/K"].append(self.writer._add_object(element))
        return element

    def _key(self) -> NumberObject:
        key = self.next_key
        self.next_key += 1
        return NumberObject(key)

    def add_tagged(self, reader: PdfReader, copies: list[PageObject], container: DictionaryObject) -> bool:
        """Copy the structure of ``reader`` (whose pages were copied as ``copies``) under ``container``.

        The part's own root and Document element become ``container``: its
        headings, lists and tables sit directly under it. Returns False when
        the part has no structure tree (nothing is copied then).
        """
        source_root = reader.trailer["/Root"].get("/StructTreeRoot")
        if source_root is None:
            return False
        source_root = source_root.get_object()
        translated = self.writer._id_translated.setdefault(id(reader), {"PreventGC": reader})
        # pypdf maps each object of the part to its copy by object number: make the part's root
        # (and its Document) map to the container, so that every /P pointing at them lands there
        stand_ins = [source_root.indirect_reference]
        kids = _kids(source_root)
        if len(kids) == 1 and kids[0].get_object().get("/S") == "/Document":
            document = kids[0].get_object()
            stand_ins.append(kids[0] if isinstance(kids[0], IndirectObject) else None)
            kids = _kids(document)
            page = document.raw_get("/Pg") if "/Pg" in document else None
            if page is not None and any(isinstance(kid, int) for kid in kids):
                kids = [self._content_reference(kid, page) if isinstance(kid, int) else kid for kid in kids]
        for stand_in in stand_ins:
            if stand_in is not None:
                translated[stand_in.idnum] = container.indirect_reference.idnum
        for kid in kids:
            container["/K"].append(kid.clone(self.writer))

        offset = self.next_key
        last = -1
        for key, value in _number_tree(source_root["/ParentTree"]):
            self.parent_tree.append((key + offset, value.clone(self.writer)))
            last = max(last, key)
        self.next_key = offset + last + 1
        for source, copy in zip(reader.pages, copies, strict=True):
            if "/StructParents" in source:
                copy[_name("/StructParents")] = NumberObject(int(source["/StructParents"]) + offset)
            for annotation in copy.get("/Annots", []) or []:
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    annotation[_name("/StructParent")] = NumberObject(int(annotation["/StructParent"]) + offset)

        for key, value in (source_root.get("/RoleMap") or {}).items():
            # a standard type is never remapped (PDF/UA): LibreOffice maps Figure and Note to P, which
            # would hide the scans' Figures too; otherwise the first part's mapping wins (they are alike)
            if key[1:] not in STANDARD_TYPES:
                self.role_map.setdefault(_name(key), value)
        for key, value in (source_root.get("/ClassMap") or {}).items():
            self.class_map.setdefault(_name(key), value.clone(self.writer))
        if "/IDTree" in source_root:
            for identifier, value in _name_tree(source_root["/IDTree"]):
                copied = value.clone(self.writer)
                if identifier in self.ids:  # two parts used the same ID: the later one is renamed
                    identifier = f"{identifier}-{len(self.ids)}"
                    copied.get_object()[_name("/ID")] = TextStringObject(identifier)
                self.ids[identifier] = copied
        return True

    def _content_reference(self, mcid: int, page: PdfObject) -> DictionaryObject:
        return DictionaryObject(
            {_name("/Type"): _name("/MCR"), _name("/Pg"): page.clone(self.writer), _name("/MCID"): NumberObject(mcid)}
        )

    def add_figure(self, pages: list[PageObject], parent: DictionaryObject, alt: str, text: str = "") -> None:
        """Tag ``pages`` (a scan's pages, in the dossier) as one Figure with ``alt`` as its alternative text.

        Each page's whole content becomes marked content 0 of the Figure;
        ``text`` (the scan's recognised text, if any) is its /ActualText.
        """
        figure = self.element("/Figure", parent)
        figure[_name("/Alt")] = TextStringObject(alt)
        if text:
            figure[_name("/ActualText")] = TextStringObject(text)
        for page in pages:
            wrap_content(page, b"/Figure <</MCID 0>> BDC", b"EMC")
            figure["/K"].append(self._content_reference(0, page.indirect_reference))
            key = self._key()
            page[_name("/StructParents")] = key
            self.parent_tree.append((int(key), ArrayObject([figure.indirect_reference])))

    def finish(self) -> None:
        """Put the tree in the catalog, with what readers and checkers look for in a tagged file."""
        numbers = ArrayObject(item for key, value in self.parent_tree for item in (NumberObject(key), value))
        self.root[_name("/ParentTree")] = self.writer._add_object(DictionaryObject({_name("/Nums"): numbers}))
        self.root[_name("/ParentTreeNextKey")] = NumberObject(self.next_key)
        if self.role_map:
            self.root[_name("/RoleMap")] = self.role_map
        if self.class_map:
            self.root[_name("/ClassMap")] = self.class_map
        if self.ids:
            self.root[_name("/IDTree")] = DictionaryObject(
                {
                    _name("/Names"): ArrayObject(
                        item for name in sorted(self.ids) for item in (TextStringObject(name), self.ids[name])
                    )
                }
            )
        catalog = self.writer._root_object
        catalog[_name("/StructTreeRoot")] = self.root_ref
        catalog[_name("/MarkInfo")] = DictionaryObject({_name("/Marked"): BooleanObject(True)})
        preferences = catalog.get("/ViewerPreferences")
        preferences = DictionaryObject() if preferences is None else preferences.get_object()
        preferences[_name("/DisplayDocTitle")] = BooleanObject(True)
        catalog[_name("/ViewerPreferences")] = preferences
        for page in self.writer.pages:
            if page.get("/Annots"):
                page[_name("/Tabs")] = _name("/S")  # the tab order follows the structure


def wrap_content(page: PageObject, before: bytes, after: bytes) -> None:
    """Put ``page``'s whole content between ``before`` and ``after`` (e.g. a marked-content sequence).

    The content is kept as it is (each stream unchanged, not parsed): two
    small streams are added around it.
    """
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    streams = []
    if contents is not None:
        resolved = contents.get_object()
        streams = list(resolved) if isinstance(resolved, list) else [contents]
    writer = page.indirect_reference.pdf
    # a stream in an array must be an indirect object; pypdf may have left a rewritten content direct
    streams = [s if isinstance(s, IndirectObject) else writer._add_object(s) for s in streams]
    opening, closing = DecodedStreamObject(), DecodedStreamObject()
    opening.set_data(before + b" q\n")
    closing.set_data(b"\nQ " + after + b"\n")
    page[_name("/Contents")] = ArrayObject([writer._add_object(opening), *streams, writer._add_object(closing)])
