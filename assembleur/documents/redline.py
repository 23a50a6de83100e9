"""Tracked changes (Word's *suivi des modifications*) in a DOCX: what LibreOffice's comparison leaves to do.

LibreOffice compares paragraphs word by word, but replaces a table that
differs as a whole (every cell deleted, every cell inserted again). Before the
comparison, :func:`prepare_older` gives the older document's tables the newer
text wherever both have the same shape, so that LibreOffice sees no
difference there (it also gives them the newer version marks); afterwards :func:`refine` marks, word by word, each cell
that changed, in its cell. It also accepts the marks that are not changes of
the rapport (version marks, sommaire, headers and footers), and signs every
change with one author and one date. :func:`read_changes` says where the
changes are (sections, tables and their cells), for the summary.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

from lxml import etree

from ..files import atomic_output

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
DOCUMENT = "word/document.xml"
STYLES = "word/styles.xml"
# styles whose paragraphs differ between versions by construction: the cover's « PROJET » block, the sommaire
ACCEPTED_STYLES = re.compile(r"^(version projet|toc \d|contents \d|sommaire \d)$", re.IGNORECASE)
VERSION_STYLE = re.compile(r"^version projet$", re.IGNORECASE)
MARKS = ("ins", "del", "moveFrom", "moveTo")
SAME_CELLS_AT_LEAST = 0.5  # two tables of one shape are the same table when half their cells are identical


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _read(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info.filename) for info in archive.infolist()}


def _write(path: Path, parts: dict[str, bytes]) -> None:
    with atomic_output(path) as temporary, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _body(root: etree._Element) -> etree._Element:
    return root.find(_w("body"))


def _tables(root: etree._Element) -> list[etree._Element]:
    return list(_body(root).iterchildren(_w("tbl")))


def visible_text(element: etree._Element) -> str:
    """The text a reader sees in ``element`` once every change is accepted (deleted text left out)."""
    return "".join(node.text or "" for node in element.iter(_w("t")))


def _cells(table: etree._Element) -> list[list[etree._Element]]:
    return [list(row.iterchildren(_w("tc"))) for row in table.iterchildren(_w("tr"))]


def _shape(table: etree._Element) -> tuple[tuple[bytes, ...], ...]:
    """Rows and cells with their spans: two tables of one shape can be compared cell by cell."""
    return tuple(
        tuple(b"".join(etree.tostring(s) for s in cell.iter(_w("gridSpan"), _w("vMerge"))) for cell in row)
        for row in _cells(table)
    )


@dataclass
class AlignedTable:
    """A table of the newer document whose older version had the same shape, with the older cells."""

    position: int  # among the newer document's tables
    old_cells: list[list[etree._Element]]


def _same_version_marks(
    old_root: etree._Element, new_root: etree._Element, old_names: dict[str, str], new_names: dict[str, str]
) -> None:
    """Give the older document the newer one's version marks (« PROJET », « arrêtée au … »), in the same place.

    They differ by construction between a projet and the définitif, or from one year to the next; compared,
    LibreOffice would move them as deleted paragraphs to the end of the document.
    """
    old_marks = [p for p in old_root.iter(_w("p")) if VERSION_STYLE.match(_style_of(p, old_names))]
    new_marks = [p for p in new_root.iter(_w("p")) if VERSION_STYLE.match(_style_of(p, new_names))]
    if [visible_text(p) for p in old_marks] == [visible_text(p) for p in new_marks]:
        return
    anchor = None
    if new_marks:
        before = new_marks[0].getprevious()
        wanted = visible_text(before) if before is not None else None
        anchor = next((p for p in _body(old_root).iterchildren(_w("p")) if visible_text(p) == wanted), None)
    for paragraph in old_marks:
        paragraph.getparent().remove(paragraph)
    if anchor is not None:
        for offset, paragraph in enumerate(new_marks, start=1):
            anchor.getparent().insert(anchor.getparent().index(anchor) + offset, copy.deepcopy(paragraph))


def prepare_older(older: Path, newer: Path, older_copy: Path) -> list[AlignedTable]:
    """Write ``older_copy``: ``older`` with the newer version marks, and the newer text in the tables
    that kept their shape.

    Returns those tables, with their older cells, for :func:`refine`.
    """
    old_parts, new_parts = _read(older), _read(newer)
    old_root, new_root = etree.fromstring(old_parts[DOCUMENT]), etree.fromstring(new_parts[DOCUMENT])
    _same_version_marks(old_root, new_root, _style_names(old_parts), _style_names(new_parts))
    old_tables, new_tables = _tables(old_root), _tables(new_root)
    matcher = difflib.SequenceMatcher(
        None, [_shape(t) for t in old_tables], [_shape(t) for t in new_tables], autojunk=False
    )
    aligned = []
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            old, new = old_tables[block.a + offset], new_tables[block.b + offset]
            old_texts = [visible_text(c) for row in _cells(old) for c in row]
            new_texts = [visible_text(c) for row in _cells(new) for c in row]
            same = sum(a == b for a, b in zip(old_texts, new_texts, strict=True))
            if same == len(new_texts) or same < SAME_CELLS_AT_LEAST * len(new_texts):
                continue  # identical, or another table altogether: LibreOffice's own result stands
            aligned.append(AlignedTable(block.b + offset, _cells(copy.deepcopy(old))))
            old.getparent().replace(old, copy.deepcopy(new))
    old_parts[DOCUMENT] = etree.tostring(old_root, xml_declaration=True, encoding="UTF-8", standalone=True)
    _write(older_copy, old_parts)
    return aligned


@dataclass
class _Marker:
    """Makes the change marks: one author, one date, ids after the document's own."""

    author: str
    date: str
    next_id: int

    def mark(self, kind: str, children: list[etree._Element]) -> etree._Element:
        element = etree.Element(_w(kind))
        element.set(_w("id"), str(self.next_id))
        element.set(_w("author"), self.author)
        element.set(_w("date"), self.date)
        self.next_id += 1
        element.extend(children)
        return element


def _run(properties: etree._Element | None, text: str, deleted: bool) -> etree._Element:
    run = etree.Element(_w("r"))
    if properties is not None:
        run.append(copy.deepcopy(properties))
    for piece in re.split(r"([\t\n])", text):
        if piece == "\t":
            etree.SubElement(run, _w("tab"))
        elif piece == "\n":
            etree.SubElement(run, _w("br"))
        elif piece:
            node = etree.SubElement(run, _w("delText" if deleted else "t"))
            node.text = piece
            node.set(XML_SPACE, "preserve")
    return run


def _characters(paragraph: etree._Element) -> list[tuple[str, etree._Element | None]]:
    """Each character of a paragraph's runs, with its run's properties."""
    result = []
    for run in paragraph.iter(_w("r")):
        properties = run.find(_w("rPr"))
        for node in run:
            if node.tag in (_w("t"), _w("delText")):
                result += [(char, properties) for char in node.text or ""]
            elif node.tag == _w("tab"):
                result.append(("\t", properties))
            elif node.tag in (_w("br"), _w("cr")):
                result.append(("\n", properties))
    return result


def _pieces(chars: list[tuple[str, etree._Element | None]]) -> Iterator[tuple[etree._Element | None, str]]:
    """Consecutive characters of the same run properties, joined."""
    start = 0
    for index in range(1, len(chars) + 1):
        if index == len(chars) or chars[index][1] is not chars[start][1]:
            yield chars[start][1], "".join(char for char, _ in chars[start:index])
            start = index


def _tokens(chars: list[tuple[str, etree._Element | None]]) -> list[tuple[int, int]]:
    """Word and space boundaries, as (start, end) in ``chars``."""
    text = "".join(char for char, _ in chars)
    return [match.span() for match in re.finditer(r"\s+|[^\s]+", text)]


def _redline_paragraph(new: etree._Element, old: etree._Element | None, marker: _Marker) -> None:
    """Rewrite ``new``'s runs with the word-level differences from ``old`` as tracked changes."""
    new_chars = _characters(new)
    old_chars = _characters(old) if old is not None else []
    new_tokens, old_tokens = _tokens(new_chars), _tokens(old_chars)
    words = ["".join(c for c, _ in new_chars[a:b]) for a, b in new_tokens]
    old_words = ["".join(c for c, _ in old_chars[a:b]) for a, b in old_tokens]
    runs: list[etree._Element] = []
    opcodes = difflib.SequenceMatcher(None, old_words, words, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag in ("delete", "replace") and i2 > i1:
            span = old_chars[old_tokens[i1][0] : old_tokens[i2 - 1][1]]
            runs.append(marker.mark("del", [_run(p, text, True) for p, text in _pieces(span)]))
        if j2 > j1:
            span = new_chars[new_tokens[j1][0] : new_tokens[j2 - 1][1]]
            made = [_run(p, text, False) for p, text in _pieces(span)]
            runs.append(marker.mark("ins", made) if tag in ("insert", "replace") else made)
    for child in list(new):
        if child.tag != _w("pPr"):
            new.remove(child)
    for item in runs:
        if isinstance(item, list):
            new.extend(item)
        else:
            new.append(item)


def _redline_cell(new: etree._Element, old: etree._Element, marker: _Marker) -> None:
    new_paragraphs = list(new.iterchildren(_w("p")))
    old_paragraphs = list(old.iterchildren(_w("p")))
    for paragraph, before in zip_longest(new_paragraphs, old_paragraphs):
        if paragraph is None:  # a line gone from the cell: its text, deleted, at the end of the last line
            last = new_paragraphs[-1]
            last.append(marker.mark("del", [_run(p, t, True) for p, t in _pieces(_characters(before))]))
        elif before is None or visible_text(paragraph) != visible_text(before):
            _redline_paragraph(paragraph, before, marker)


def _style_names(parts: dict[str, bytes]) -> dict[str, str]:
    """Style id → style name, from the document's styles."""
    if STYLES not in parts:
        return {}
    root = etree.fromstring(parts[STYLES])
    names = {}
    for style in root.iterchildren(_w("style")):
        name = style.find(_w("name"))
        names[style.get(_w("styleId"), "")] = name.get(_w("val"), "") if name is not None else ""
    return names


def _style_of(paragraph: etree._Element, names: dict[str, str]) -> str:
    style = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
    return names.get(style.get(_w("val"), ""), "") if style is not None else ""


def _accept(paragraph: etree._Element) -> bool:
    """Accept the changes of ``paragraph`` (keep the newer text); False when the paragraph itself was deleted."""
    mark = paragraph.find(f"{_w('pPr')}/{_w('rPr')}")
    removed = False
    if mark is not None:
        for kind in MARKS:
            for node in mark.findall(_w(kind)):
                removed = removed or kind in ("del", "moveFrom")
                mark.remove(node)
    for kind in ("del", "moveFrom"):
        for node in list(paragraph.iter(_w(kind))):
            node.getparent().remove(node)
    for kind in ("ins", "moveTo"):
        for node in list(paragraph.iter(_w(kind))):
            parent = node.getparent()
            index = parent.index(node)
            for offset, child in enumerate(list(node)):
                parent.insert(index + offset, child)
            parent.remove(node)
    return not (removed and not visible_text(paragraph))


def _has_marks(element: etree._Element) -> bool:
    return any(True for kind in MARKS for _ in element.iter(_w(kind)))


def refine(path: Path, newer: Path, aligned: list[AlignedTable], author: str, moment: dt.datetime) -> None:
    """Finish LibreOffice's comparison ``path`` in place (see the module's docstring).

    ``newer`` is the newer document, to find its tables again; ``aligned`` what
    :func:`prepare_older` returned.
    """
    parts = _read(path)
    names = _style_names(parts)
    root = etree.fromstring(parts[DOCUMENT])
    ids = [int(v) for v in root.xpath("//@w:id", namespaces={"w": W}) if str(v).lstrip("-").isdigit()]
    marker = _Marker(author, moment.strftime("%Y-%m-%dT%H:%M:%SZ"), max(ids, default=0) + 1)
    # the version marks and the sommaire differ by construction: the newer ones stay, unmarked
    for paragraph in list(root.iter(_w("p"))):
        accepted = ACCEPTED_STYLES.match(_style_of(paragraph, names)) and _has_marks(paragraph)
        if accepted and not _accept(paragraph):
            paragraph.getparent().remove(paragraph)
    # tables: the output's tables that are not deleted ones are the newer document's, in order
    new_tables = _tables(etree.fromstring(_read(newer)[DOCUMENT]))
    kept = [t for t in _tables(root) if visible_text(t) or not any(True for _ in t.iter(_w("delText")))]
    if len(kept) == len(new_tables):
        for table in aligned:
            output = kept[table.position]
            if visible_text(output) != visible_text(new_tables[table.position]) or _has_marks(output):
                continue  # not the table we aligned: leave LibreOffice's result
            for row, old_row in zip(_cells(output), table.old_cells, strict=True):
                for cell, old_cell in zip(row, old_row, strict=True):
                    if visible_text(cell) != visible_text(old_cell):
                        _redline_cell(cell, old_cell, marker)
    for element in root.iter():
        if element.get(_w("author")) is not None:
            element.set(_w("author"), author)
            element.set(_w("date"), marker.date)
    parts[DOCUMENT] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    for name in [n for n in parts if re.match(r"word/(header|footer)\d*\.xml$", n)]:
        part = etree.fromstring(parts[name])
        if _has_marks(part):
            for paragraph in list(part.iter(_w("p"))):
                _accept(paragraph)
            parts[name] = etree.tostring(part, xml_declaration=True, encoding="UTF-8", standalone=True)
    _write(path, parts)


@dataclass
class TableChange:
    """A table with changed cells: its first cell's text, its section, how many cells changed."""

    title: str
    section: str
    cells: int


@dataclass
class Changes:
    """Where a compared document's changes are."""

    insertions: int = 0
    deletions: int = 0
    sections: list[str] = field(default_factory=list)  # "" for what comes before the first heading
    tables: list[TableChange] = field(default_factory=list)


def _heading_level(paragraph: etree._Element, names: dict[str, str]) -> int | None:
    name = _style_of(paragraph, names).lower()
    if match := re.fullmatch(r"heading (\d)", name):
        return int(match[1])
    return 1 if name == "titre introduction" else None


def read_changes(path: Path, levels: int = 2) -> Changes:
    """The tracked changes of the DOCX ``path``: counts, the sections (headings down to ``levels``), the tables."""
    parts = _read(path)
    names = _style_names(parts)
    root = etree.fromstring(parts[DOCUMENT])
    changes = Changes()
    section = ""
    for element in _body(root):
        if element.tag == _w("p"):
            level = _heading_level(element, names)
            if level is not None and level <= levels:
                section = visible_text(element).strip()
        # a deleted or inserted paragraph also marks its paragraph sign (in w:pPr): one change, not two
        marks = [
            node for kind in ("ins", "del") for node in element.iter(_w(kind)) if node.getparent().tag != _w("rPr")
        ]
        if not marks:
            continue
        changes.insertions += sum(node.tag == _w("ins") for node in marks)
        changes.deletions += sum(node.tag == _w("del") for node in marks)
        if section not in changes.sections:
            changes.sections.append(section)
        if element.tag == _w("tbl"):
            cells = [cell for row in _cells(element) for cell in row]
            changed = sum(_has_marks(cell) for cell in cells)
            title = next((visible_text(c).strip() for c in cells if visible_text(c).strip()), "")
            changes.tables.append(TableChange(title, section, changed))
    return changes


def prepend(path: Path, summary: Path) -> None:
    """Put the body of the DOCX ``summary`` on its own first page(s) of the DOCX ``path``.

    Styles are matched by name (LibreOffice renames their ids when it saves).
    """
    parts, extra = _read(path), _read(summary)
    names, extra_names = _style_names(parts), _style_names(extra)
    ids = {name.lower(): style_id for style_id, name in names.items()}
    root, source = etree.fromstring(parts[DOCUMENT]), etree.fromstring(extra[DOCUMENT])
    body = _body(root)
    added = [copy.deepcopy(e) for e in _body(source) if e.tag != _w("sectPr")]
    for style in [s for e in added for s in e.iter(_w("pStyle"))]:
        found = ids.get(extra_names.get(style.get(_w("val"), ""), "").lower())
        if found:
            style.set(_w("val"), found)
        else:
            style.getparent().remove(style)
    page_break = etree.fromstring(f'<w:p xmlns:w="{W}"><w:r><w:br w:type="page"/></w:r></w:p>')
    for index, element in enumerate([*added, page_break]):
        body.insert(index, element)
    parts[DOCUMENT] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    _write(path, parts)
