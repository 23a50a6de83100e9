"""The structure tree of a part exported by LibreOffice, made PDF/UA-1 where LibreOffice 7.4 falls short.

LibreOffice exports a tagged PDF/UA-1 file, but:

- its RoleMap maps every paragraph style to /P, even a style whose name is a
  standard type (a style called « Note » or « Figure »): the standard type is
  then remapped, which PDF/UA forbids, and the paragraph passes for a note
  or a figure;
- its notes carry no /ID;
- a paragraph without text (a page break, the paragraph Word needs between
  two tables, an empty cell) is still a /P, empty;
- a cell merged over several rows that runs onto the next page comes back
  there as an extra empty /TD, and the table's rows no longer close;
- a page with links does not say that its tab order follows the structure, and links are not printable;
- the reader's window shows the file name, not the title;
- on a one-page part the running footer (which rapport, which year, which
  version) is the only place saying it, yet it is an artifact.

:func:`tag_part` mends all of that in place, in a few milliseconds, with
pikepdf. Every change keeps the tree's meaning: nothing is re-ordered.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from ..files import atomic_output

# The standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4): never remapped.
_STANDARD = """Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6
L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP
Warichu WT WP Figure Formula Form"""
STANDARD_TYPES = frozenset(_STANDARD.split())
LANGUAGE = "fr-FR"


def tag_part(path: Path, language: str = LANGUAGE) -> None:
    """Mend the structure tree of the tagged PDF ``path`` (see the module's docstring), in place."""
    # read from the file and saved beside it: ``allow_overwriting_input`` would first copy the whole file
    # into memory and parse it from there, three times slower on a rapport
    with pikepdf.open(path) as pdf:
        if mend(pdf, language):
            with atomic_output(path) as temporary:
                pdf.save(temporary)


def mend(pdf: pikepdf.Pdf, language: str = LANGUAGE) -> bool:
    """The repairs of :func:`tag_part` on an open PDF; False when it has no structure tree (nothing done)."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return False
    if "/Lang" not in pdf.Root:
        pdf.Root.Lang = String(language)
    # the reader's window shows the document's title, not its file name (PDF/UA-1, 7.1)
    preferences = pdf.Root.get("/ViewerPreferences")
    if not isinstance(preferences, Dictionary):
        pdf.Root.ViewerPreferences = preferences = Dictionary()
    preferences.DisplayDocTitle = True
    remapped = _standard_types_remapped(root)
    role_map = {str(k)[1:]: str(v)[1:] for k, v in root.get("/RoleMap", Dictionary()).items()}
    notes: list[Dictionary] = []
    for element, parent in list(_elements(root)):
        kind = str(element.get("/S", ""))[1:]
        if kind in remapped and not _is_placed_object(element):
            element.S = Name("/" + remapped[kind])
            kind = remapped[kind]
        kind = role_map.get(kind, kind)
        if kind == "Note" and "/ID" not in element:
            notes.append(element)
            element.ID = String(f"note-{len(notes)}")
        elif kind == "P" and not _has_content(element) and parent is not None:
            _remove_kid(parent, element)
        elif kind == "Table":
            _close_rows(element)
    if notes:  # the identifiers are listed in the tree's IDTree, as ISO 32000 requires
        ids = pikepdf.NameTree(root.IDTree) if "/IDTree" in root else pikepdf.NameTree.new(pdf)
        root.IDTree = ids.obj
        for note in notes:
            ids[str(note.ID)] = note
    if pdf.Root.get("/MarkInfo") is None:
        pdf.Root.MarkInfo = Dictionary(Marked=True)
    for page in pdf.pages:
        if "/Annots" in page.obj and page.obj.get("/Tabs") != Name.S:
            page.obj.Tabs = Name.S
        for annotation in page.obj.get("/Annots", Array()):
            if annotation.get("/Subtype") == Name.Link:  # printed like the page they sit on
                annotation.F = int(annotation.get("/F", 0)) | 4
    if len(pdf.pages) == 1:
        _footer_as_content(pdf, root)
    return True


def _standard_types_remapped(root: Dictionary) -> dict[str, str]:
    """The RoleMap's entries for standard types, taken out of it: {type: what it was mapped to}."""
    role_map = root.get("/RoleMap")
    if role_map is None:
        return {}
    remapped = {}
    for key in list(role_map.keys()):
        if key[1:] in STANDARD_TYPES:
            remapped[key[1:]] = str(role_map[key])[1:]
            del role_map[key]
    return remapped


def _is_placed_object(element: Dictionary) -> bool:
    """A true figure (an image, a chart) has a bounding box; a paragraph styled « Figure » has none."""
    attributes = element.get("/A")
    for attribute in attributes if isinstance(attributes, Array) else [attributes]:
        if isinstance(attribute, Dictionary) and "/BBox" in attribute:
            return True
    return "/Alt" in element


def _kids(element: Dictionary) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _elements(root: Dictionary):
    """Every structure element under ``root`` with its parent element (None under the root), parents first."""
    stack = [(kid, None) for kid in reversed(_kids(root))]
    while stack:
        element, parent = stack.pop()
        if not isinstance(element, Dictionary) or "/S" not in element:
            continue
        yield element, parent
        stack.extend((kid, element) for kid in reversed(_kids(element)))


def _has_content(element: Dictionary) -> bool:
    """Marked content, an object, a child element, or an alternative text: anything a reader would meet."""
    if "/Alt" in element or "/ActualText" in element:
        return True
    return any(not isinstance(kid, Dictionary) or "/S" not in kid or _has_content(kid) for kid in _kids(element))


def _remove_kid(parent: Dictionary, element: Dictionary) -> None:
    kids = parent.get("/K")
    if isinstance(kids, Array):
        for index, kid in enumerate(kids):
            if isinstance(kid, Dictionary) and kid.objgen == element.objgen and kid.objgen != (0, 0):
                del kids[index]
                return
    elif isinstance(kids, Dictionary) and kids.objgen == element.objgen:
        del parent["/K"]


def _span(cell: Dictionary, name: str) -> int:
    attributes = cell.get("/A")
    for attribute in attributes if isinstance(attributes, Array) else [attributes]:
        if isinstance(attribute, Dictionary) and attribute.get("/O") == Name("/Table") and name in attribute:
            return max(1, int(attribute[name]))
    return 1


def _rows(table: Dictionary) -> list[Dictionary]:
    rows = []
    for kid in _kids(table):
        if isinstance(kid, Dictionary) and kid.get("/S") == Name("/TR"):
            rows.append(kid)
        elif isinstance(kid, Dictionary) and str(kid.get("/S")) in ("/THead", "/TBody", "/TFoot"):
            rows.extend(_rows(kid))
    return rows


def _close_rows(table: Dictionary) -> None:
    """Drop the empty cells LibreOffice adds where a cell merged over several rows crosses a page."""
    rows = _rows(table)
    carried: dict[int, int] = {}  # column → rows still covered by a cell from above
    widths: list[int] = []
    for row in rows:
        cells = [c for c in _kids(row) if isinstance(c, Dictionary) and str(c.get("/S")) in ("/TH", "/TD")]
        column = occupied = 0
        for cell in cells:
            while carried.get(column, 0) > 0:
                column += 1
                occupied += 1
            span = _span(cell, "/ColSpan")
            if _span(cell, "/RowSpan") > 1:
                for k in range(column, column + span):
                    carried[k] = _span(cell, "/RowSpan")
            column += span
            occupied += span
        occupied += sum(1 for k, left in carried.items() if k >= column and left > 0)
        widths.append(occupied)
        carried = {k: left - 1 for k, left in carried.items() if left > 1}
    if len(set(widths)) < 2:
        return
    columns = collections.Counter(widths).most_common(1)[0][0]
    for row, width in zip(rows, widths, strict=True):
        extra = width - columns
        for cell in reversed([c for c in _kids(row) if isinstance(c, Dictionary) and c.get("/S") == Name("/TD")]):
            if extra <= 0:
                break
            if not _has_content(cell) and _span(cell, "/ColSpan") == 1 and _span(cell, "/RowSpan") == 1:
                _remove_kid(row, cell)
                extra -= 1


def _footer_as_content(pdf: pikepdf.Pdf, root: Dictionary) -> None:
    """On a one-page part, tag the running footer's text as one paragraph at the end of the document.

    LibreOffice marks headers and footers as artifacts: repeated on every page
    they are furniture, but alone on a single page (an intercalaire) they are
    the only words saying which rapport, year and version the page belongs to.
    The artifacts holding text become marked content of that paragraph; the
    others (rules, backgrounds) stay artifacts.
    """
    page = pdf.pages[0]
    parent_tree = root.get("/ParentTree")
    if "/StructParents" not in page.obj or parent_tree is None:
        return
    marked = pikepdf.NumberTree(parent_tree).get(int(page.obj.StructParents))
    document = next((kid for kid in _kids(root) if isinstance(kid, Dictionary) and "/S" in kid), None)
    if not isinstance(marked, Array) or document is None:
        return
    instructions = pikepdf.parse_content_stream(page)
    sequences, depth, start, has_text = [], 0, None, False
    for index, (operands, operator) in enumerate(instructions):
        name = str(operator)
        if name in ("BDC", "BMC"):
            if depth == 0 and len(operands) and operands[0] == Name.Artifact:
                start, has_text = index, False
            depth += 1
        elif name == "EMC":
            depth -= 1
            if depth == 0 and start is not None:
                if has_text:
                    sequences.append(start)
                start = None
        elif start is not None and name in ("Tj", "TJ", "'", '"'):
            has_text = True
    if not sequences:
        return
    paragraph = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.P, P=document, Pg=page.obj, K=Array()))
    for index in sequences:
        mcid = len(marked)
        marked.append(paragraph)
        paragraph.K.append(mcid)
        instructions[index] = pikepdf.ContentStreamInstruction([Name.P, Dictionary(MCID=mcid)], pikepdf.Operator("BDC"))
    kids = document.get("/K")
    document.K = Array([*_kids(document), paragraph]) if not isinstance(kids, Array) else kids
    if isinstance(kids, Array):
        kids.append(paragraph)
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
