"""Stage 4 — render: fill a Word template (docxtpl) with the derived document.

Templates run in Jinja's sandbox with strict undefined variables: a tag that
names something the content does not have is an error, never an empty space.
Text goes in as docxtpl ``RichText`` (bold, italic, superscript from the
markup), tables as sub-documents using the template's own table style, charts
as images.
"""

from __future__ import annotations

import collections
import datetime
import html
import re
import struct
import threading
import weakref
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import CodeType
from typing import Any, ClassVar

import jinja2
import jinja2.meta
import jinja2.nodes
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Mm
from docxtpl import DocxTemplate, InlineImage, RichText
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..contenus import markup
from ..errors import TemplateError
from ..files import atomic_output
from ..limites import MAX_TEMPLATE_BYTES, expands_too_much
from .charts import draw_bars
from .derive import Cell, Document, Item, Table

TABLE_STYLE = "Tableau assembleur"
TABLE_TEXT_STYLE = "Texte de tableau"
HEADER_SHADE = "DCE6F2"  # header rows, when the template has lost its table style
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}


def rich(text: str) -> RichText:
    """The text with its inline markup as Word formatting."""
    result = RichText()
    for segment in markup.parse(text):
        result.add(
            segment.text,
            bold=segment.bold or None,
            italic=segment.italic or None,
            superscript=segment.superscript or None,
        )
    return result


def _style(template: DocxTemplate, name: str) -> Any:
    """The template's style called ``name``, or None (slow in python-docx: ``_table_styles`` keeps the result)."""
    return next((style for style in template.get_docx().styles if style.name == name), None)


@dataclass(frozen=True)
class _TableStyles:
    """The style ids a table of the template writes, as python-docx would assign them."""

    styled: bool  # the template has TABLE_STYLE; otherwise borders and header shade are drawn directly
    table_id: str | None  # w:tblStyle; None when missing or the default table style (python-docx then omits it)
    text_id: str | None  # w:pStyle of the cells' paragraphs (written even for the default style)
    after: str  # the paragraph after the table: python-docx writes w:pPr whenever it is given a style


# One lookup per template, not per table: styles do not change while a template is filled.
_STYLES: weakref.WeakKeyDictionary[DocxTemplate, _TableStyles] = weakref.WeakKeyDictionary()


def _table_styles(template: DocxTemplate) -> _TableStyles:
    """The template's table styles, resolved once (python-docx's rules, errors included: wrong type → ValueError)."""
    if (known := _STYLES.get(template)) is not None:
        return known
    part = template.get_docx().part
    table_style, text_style = _style(template, TABLE_STYLE), _style(template, TABLE_TEXT_STYLE)
    styles = _TableStyles(
        styled=table_style is not None,
        table_id=part.get_style_id(table_style, WD_STYLE_TYPE.TABLE),
        text_id=None if text_style is None else text_style.style_id,
        after=_after_table(text_style, part.get_style_id(text_style, WD_STYLE_TYPE.PARAGRAPH)),
    )
    _STYLES[template] = styles
    return styles


def _after_table(style: Any, style_id: str | None) -> str:
    """The paragraph after a table; ``style_id`` is None for the default style, which python-docx leaves implicit."""
    if style is None:
        return "<w:p/>"
    reference = "" if style_id is None else f"<w:pStyle w:val={_quoted(style_id)}/>"
    return f"<w:p><w:pPr>{reference}</w:pPr></w:p>"


def _quoted(value: str) -> str:
    """``value`` as an XML attribute value, quotes included."""
    return f'"{html.escape(value, quote=True)}"'


_RUN_BREAKS = re.compile(r"([\t\r\n])")


def _text_xml(text: str) -> str:
    """A run's text as python-docx's ``run.text`` writes it: tabs as w:tab, line breaks as w:br."""
    parts = []
    for piece in _RUN_BREAKS.split(text):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            parts.append("<w:br/>")
        elif piece:  # python-docx preserves the spaces only when there are some at either end
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            parts.append(f"<w:t{space}>{html.escape(piece, quote=False)}</w:t>")
    return "".join(parts)


def _paragraphs_xml(lines: list[str], bold: bool, align: str, text_id: str | None) -> str:
    """A cell's paragraphs: one per line, runs bold, italic or superscript after the markup."""
    style = f"<w:pStyle w:val={_quoted(text_id)}/>" if text_id is not None else ""
    properties = f'<w:pPr>{style}<w:jc w:val="{ALIGN[align].xml_value}"/></w:pPr>'
    paragraphs = []
    for line in lines:
        runs = "".join(
            "<w:r><w:rPr>"  # python-docx writes w:rPr even for plain runs
            + ("<w:b/>" if segment.bold else "")
            + ("<w:i/>" if segment.italic else "")
            + ('<w:vertAlign w:val="superscript"/>' if segment.superscript else "")
            + f"</w:rPr>{_text_xml(segment.text)}</w:r>"
            for segment in markup.parse(line, bold=bold)
        )
        paragraphs.append(f"<w:p>{properties}{runs}</w:p>")
    return "".join(paragraphs)


def _table_xml(table: Table, usable_width_cm: float, styles: _TableStyles) -> str:
    """The ``w:tbl`` element of ``table``, as python-docx's ``add_table`` and ``merge`` write it.

    A merged cell is one ``w:tc`` with ``w:gridSpan``, starting a ``w:vMerge`` when it spans rows; each row
    below holds an empty continuation ``w:tc``. Every ``w:tcW`` is the width of the cell's first grid column
    (python-docx's result: the grid, not ``w:tcW``, sets the widths). A cell without lines, reaching past the
    grid or over another cell is a ValueError (derive never makes one; python-docx failed on them too).
    """
    columns = max(sum(cell.colspan for cell in row) for row in table.rows)
    widths = table.widths or [1.0] * columns
    scale = usable_width_cm / sum(widths)
    twips = [Cm(widths[c] * scale).twips for c in range(columns)]
    # Where each cell goes: the first free grid column of its row, then its span.
    placed: dict[tuple[int, int], tuple[Cell, int]] = {}  # top-left corner -> cell, its first row
    covered: dict[tuple[int, int], tuple[int, int]] = {}  # grid position -> top-left corner of its cell
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in covered:
                c += 1
            if not cell.lines:
                raise ValueError(f"table cell without text (row {r + 1}, column {c + 1})")
            if r + cell.rowspan > len(table.rows) or c + cell.colspan > columns:
                raise ValueError(f"table cell beyond the grid (row {r + 1}, column {c + 1})")
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if (r + dr, c + dc) in covered:
                        raise ValueError(f"table cells overlap (row {r + dr + 1}, column {c + dc + 1})")
                    covered[r + dr, c + dc] = (r, c)
            placed[r, c] = (cell, r)
            c += cell.colspan
    look_first, look = ("1", "0620") if table.header_rows else ("0", "0600")  # Word reads the bits, LibreOffice both
    parts = [
        "<w:tbl><w:tblPr>",
        f"<w:tblStyle w:val={_quoted(styles.table_id)}/>" if styles.table_id is not None else "",
        '<w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/>',
        "" if styles.styled else _FALLBACK_BORDERS,  # the style was lost (an ODT template) or deleted
        f'<w:tblLook w:val="{look}" w:firstRow="{look_first}" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{width}"/>' for width in twips),
        "</w:tblGrid>",
    ]
    row_properties = "" if table.can_split else "<w:cantSplit/>"
    for r in range(len(table.rows)):
        parts.append(f"<w:tr><w:trPr>{row_properties}{'<w:tblHeader/>' if r < table.header_rows else ''}</w:trPr>")
        c = 0
        while c < columns:
            corner = covered.get((r, c))
            if corner is None:  # past the row's last cell: an empty cell, as add_table made it
                parts.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{twips[c]}"/></w:tcPr><w:p/></w:tc>')
                c += 1
                continue
            cell, first_row = placed[corner]
            span = f'<w:gridSpan w:val="{cell.colspan}"/>' if cell.colspan > 1 else ""
            if first_row != r:
                parts.append(
                    f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{twips[c]}"/>{span}<w:vMerge/></w:tcPr><w:p/></w:tc>'
                )
            else:
                merge = '<w:vMerge w:val="restart"/>' if cell.rowspan > 1 else ""
                shade = cell.shade or ("" if styles.styled or r >= table.header_rows else HEADER_SHADE)
                fill = f'<w:shd w:val="clear" w:color="auto" w:fill={_quoted(shade)}/>' if shade else ""
                parts.append(
                    f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{twips[c]}"/>{span}{merge}{fill}</w:tcPr>'
                    f"{_paragraphs_xml(cell.lines, cell.bold, cell.align, styles.text_id)}</w:tc>"
                )
            c += cell.colspan
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


_FALLBACK_BORDERS = (
    "<w:tblBorders>"
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
)


def _table(template: DocxTemplate, table: Table, usable_width_cm: float) -> Markup:
    """The WordprocessingML of ``table`` and of the paragraph after it, for a ``{{p b.tableau }}`` tag.

    The table uses the template's TABLE_STYLE (or, when the template has lost it, borders and a shaded
    header drawn directly), its paragraphs TABLE_TEXT_STYLE; columns share ``usable_width_cm`` in the
    proportions of ``table.widths``; a paragraph follows the table, or two tables in a row would merge.
    The XML is written here, the same python-docx's table API wrote (tests/test_render.py keeps that
    builder as the reference), and handed to docxtpl as it is, in place of the tag's paragraph: going
    through python-docx, or a docxtpl sub-document per table, took most of the rendering time.
    """
    styles = _table_styles(template)
    xml = _table_xml(table, usable_width_cm, styles) + styles.after
    parse_xml(f"<w:body {nsdecls('w')}>{xml}</w:body>")  # well-formed, or Word would refuse the whole file
    return Markup(xml)


def _usable_width_cm(template: DocxTemplate) -> float:
    """The width between the margins of the template's page (portrait or landscape)."""
    section = template.get_docx().sections[0]
    return (section.page_width - section.left_margin - section.right_margin) / 360000  # EMU per cm


def _item_context(template: DocxTemplate, item: Item, work_dir: Path, index: int, width_cm: float) -> dict[str, Any]:
    context: dict[str, Any] = {"genre": item.kind, "texte": rich(item.text), "symbole": item.symbol}
    if item.table is not None:
        context["tableau"] = _table(template, item.table, usable_width_cm=width_cm)
    if item.chart:
        image = draw_bars(item.chart_data, item.chart_values, work_dir / f"graphique-{index:03d}-{item.chart}.png")
        context["image"] = _DescribedImage(template, str(image), width=Mm(150))
        context["image"].description = item.description
    return context


class _DescribedImage(InlineImage):
    """A picture with its description (``wp:docPr/@descr``): LibreOffice exports it as the Figure's /Alt."""

    description = ""

    def _insert_image(self) -> str:
        xml = super()._insert_image()
        if not self.description:
            return xml
        described = f"descr={_quoted(self.description)}"
        return re.sub(r"(<wp:docPr\b[^>]*?)(\s*/?>)", lambda m: f"{m[1]} {described}{m[2]}", xml, count=1)


def open_template(path: Path) -> DocxTemplate:
    """Open a Word template, refusing with a French message what is not one, or is dangerously large."""
    resave = "Dans Word, ouvrez-le et choisissez « Enregistrer sous… » au format « Document Word (*.docx) »."
    if not path.is_file():
        raise TemplateError(f"Gabarit introuvable : {path}", "Vérifiez le nom du fichier dans le dossier gabarits/.")
    if path.stat().st_size > MAX_TEMPLATE_BYTES:
        raise TemplateError(
            f"{path} est trop lourd pour un gabarit ({path.stat().st_size // (1024 * 1024)} Mio).",
            "Réduisez les images du gabarit (Fichier › Compresser les images dans Word).",
        )
    if not zipfile.is_zipfile(path):
        raise TemplateError(f"{path} n'est pas un document Word (.docx).", resave)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, OSError) as exc:
        raise TemplateError(f"{path} est endommagé ({exc}).", resave) from exc
    if "word/document.xml" not in names:
        raise TemplateError(f"{path} n'est pas un document Word (.docx) : c'est une autre archive.", resave)
    if unzipped := expands_too_much(entries):
        raise TemplateError(
            f"{path} se décompresse en {unzipped // (1024 * 1024)} Mio : ce n'est pas un gabarit normal, "
            "il est refusé par précaution.",
            "Reprenez le gabarit livré dans gabarits/ et refaites vos modifications.",
        )
    try:
        template = DocxTemplate(str(path))
        template.init_docx()  # docxtpl opens the package lazily: a broken one must fail here, with this message
        return template
    except Exception as exc:  # python-docx raises many kinds on a broken package
        raise TemplateError(
            f"{path} ne peut pas être lu comme un document Word ({exc.__class__.__name__}).", resave
        ) from exc


KNOWN_PER_BLOCK = ("genre", "texte", "symbole", "tableau", "image")


@dataclass(frozen=True)
class TemplateUse:
    """The data a template uses: top-level names, and attributes of the body's blocks."""

    names: frozenset[str]
    block_attributes: frozenset[str]
    block_kinds: frozenset[str]  # the « genre » values the body loop has a branch for


def _xml_parts(template: DocxTemplate) -> list[str]:
    """The XML of the parts docxtpl fills: the body, the headers and the footers."""
    template.get_docx()  # docxtpl opens the package lazily
    parts = [template.get_xml()]
    parts += [
        template.get_part_xml(part)
        for uri in (template.HEADER_URI, template.FOOTER_URI)
        for _, part in template.get_headers_footers(uri)
    ]
    return parts


def template_use(path: Path) -> TemplateUse:
    """Which data ``path`` uses, read from its tags (body, headers and footers)."""
    template = open_template(path)
    parts = _xml_parts(template)
    env = environment()
    names: set[str] = set()
    attributes: set[str] = set()
    kinds: set[str] = set()
    for xml in parts:
        source = template.patch_xml(xml)
        try:
            tree = env.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"{path} : balise mal écrite ({_jinja_message(exc.message)}){_suspect_tag(template)}.",
                "Vérifiez dans le gabarit que chaque « {{ » a son « }} » et chaque « {% » son « %} ».",
            ) from exc
        names |= jinja2.meta.find_undeclared_variables(tree)
        attributes |= {
            node.attr
            for node in tree.find_all(jinja2.nodes.Getattr)
            if isinstance(node.node, jinja2.nodes.Name) and node.node.name == "b"
        }
        for compare in tree.find_all(jinja2.nodes.Compare):
            operands = [compare.expr, *(op.expr for op in compare.ops)]
            if any(isinstance(o, jinja2.nodes.Getattr) and o.attr == "genre" for o in operands):
                kinds |= {o.value for o in operands if isinstance(o, jinja2.nodes.Const) and isinstance(o.value, str)}
    return TemplateUse(frozenset(names), frozenset(attributes), frozenset(kinds))


_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# docxtpl replaces the whole paragraph, table row or cell holding one of these tags by the tag alone
_WHOLE_ELEMENT_TAGS = {
    "p": ("paragraphe", re.compile(r"\{%p [^}%]*%\}|\{\{p [^}%]*\}\}")),
    "tr": ("ligne de tableau", re.compile(r"\{%tr [^}%]*%\}|\{\{tr [^}%]*\}\}")),
    "tc": ("cellule de tableau", re.compile(r"\{%tc [^}%]*%\}|\{\{tc [^}%]*\}\}")),
}


@dataclass(frozen=True)
class LostText:
    """Text of a template that docxtpl drops: typed beside a ``{%p …%}`` (``{%tr``, ``{%tc``) tag."""

    tag: str
    where: str  # « paragraphe », « ligne de tableau », « cellule de tableau »
    text: str  # the visible text of that paragraph, row or cell


def lost_text(path: Path) -> list[LostText]:
    """The paragraphs (rows, cells) of the template at ``path`` that hold a ``{%p`` tag and other text.

    docxtpl keeps only the tag of such a paragraph: the text typed around it
    silently disappears from every document.
    """
    from lxml import etree

    found = []
    for xml in _xml_parts(open_template(path)):
        root = etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
        for name, (where, pattern) in _WHOLE_ELEMENT_TAGS.items():
            for element in root.iter(f"{_WORD}{name}"):
                # the texts of this element, not of one nested in it (a table inside a cell)
                texts = [t.text or "" for t in element.iter(f"{_WORD}t") if _nearest(t, name) is element]
                text = "".join(texts)
                tag = pattern.search(text)
                if tag and (text[: tag.start()] + text[tag.end() :]).strip():
                    found.append(LostText(tag[0], where, re.sub(r"\s+", " ", text).strip()))
    return found


def _nearest(node: Any, name: str) -> Any:
    """The closest enclosing ``w:<name>`` of ``node``."""
    parent = node.getparent()
    while parent is not None and parent.tag != f"{_WORD}{name}":
        parent = parent.getparent()
    return parent


def text_near(path: Path, needle: str) -> str:
    """The visible text around ``needle`` in the template at ``path`` (for messages)."""
    template = open_template(path)
    template.get_docx()
    return _text_near(template, needle)


def _visible_text(template: DocxTemplate) -> str:
    """The template's text as Word shows it (tags kept), one space between pieces."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", template.get_xml())))


def _suspect_tag(template: DocxTemplate) -> str:
    """The first tag of the template that does not parse, with a little text after it."""
    try:
        text = _visible_text(template)
    except Exception:  # the message stays useful without the excerpt
        return ""
    parser = environment()
    for opening, closing in (("{{", "}}"), ("{%", "%}")):
        for match in re.finditer(re.escape(opening), text):
            end = text.find(closing, match.start() + 2)
            span = text[match.start() : end + 2] if end >= 0 else text[match.start() : match.start() + 60]
            inner = span[2:]
            if end < 0 or "{{" in inner or "{%" in inner:
                return f" ; texte autour : « {text[match.start() : match.start() + 40].strip()} »"
            if opening == "{{":
                try:  # docxtpl's own prefixes ({{r …}}, {{p …}}) are not Jinja: drop them first
                    parser.from_string(re.sub(r"^\{\{(?:r|p|tr|tc) ", "{{ ", span))
                except jinja2.TemplateSyntaxError:
                    return f" ; texte autour : « {span} »"
    return ""


class _Environment(SandboxedEnvironment):
    """Sandboxed, strict, escaping XML; each part of a template is compiled once per process.

    Compiling a template's XML is a third of filling it, and the same XML comes back: the annexe
    template fills four parts of a dossier, the atelier fills the same templates at each preview.
    Every environment here has the same settings, so that the compiled code is the same.
    """

    _compiled: ClassVar[collections.OrderedDict[str, CodeType]] = collections.OrderedDict()
    _lock: ClassVar[threading.Lock] = threading.Lock()
    KEPT = 32  # the parts of the templates in use; the oldest are forgotten

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if not isinstance(source, str) or name is not None or filename is not None or raw or defer_init:
            return super().compile(source, name, filename, raw, defer_init)
        with self._lock:
            code = self._compiled.get(source)
            if code is not None:
                self._compiled.move_to_end(source)
                return code
        code = super().compile(source)  # a syntax error is raised here, and nothing kept
        with self._lock:
            self._compiled[source] = code
            while len(self._compiled) > self.KEPT:
                self._compiled.popitem(last=False)
        return code


def environment() -> SandboxedEnvironment:
    """The Jinja environment of every template: sandboxed, strict, escaping XML."""
    return _Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def _text_near(template: DocxTemplate, needle: str) -> str:
    """The visible text around the first place ``needle`` appears in the template."""
    if not needle:
        return ""
    try:
        text = _visible_text(template)
    except Exception:  # the message stays useful without the excerpt
        return ""
    index = text.find(needle)
    if index < 0:
        return ""
    return f" ; texte autour : « {text[max(0, index - 40) : index + len(needle) + 40].strip()} »"


def _jinja_message(message: str | None) -> str:
    """Jinja's message, with the common ones said in French."""
    text = message or ""
    if match := re.match(r"No filter named '([^']+)'", text):
        return f"le filtre « {match[1]} » n'existe pas"
    if match := re.match(r"unexpected '([^']+)'", text):
        return f"« {match[1]} » inattendu"
    if "unexpected end of template" in text:
        return "une balise ouverte n'est jamais refermée"
    return text


def render_docx(
    document: Document, template_path: Path, output: Path, work_dir: Path, shown: Path | None = None
) -> Path:
    """Fill a template with ``document`` into the DOCX ``output`` (written atomically).

    ``shown`` names the template in messages when ``template_path`` is a
    conversion of it (an ODT template).
    """
    template = open_template(template_path)
    template_name = shown or template_path
    context = dict(document.cover)
    width = _usable_width_cm(template)
    context["corps"] = [_item_context(template, item, work_dir, i, width) for i, item in enumerate(document.body)]
    try:
        template.render(context, jinja_env=environment())
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"{template_name} : balise mal écrite ({_jinja_message(exc.message)}){_suspect_tag(template)}.",
            "Vérifiez dans le gabarit que chaque « {{ » a son « }} » et chaque « {% » son « %} ».",
        ) from exc
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(
            f"{template_name} : une balise tente d'accéder à l'intérieur du programme, ce qui est interdit ({exc}).",
            "Dans le gabarit, n'utilisez que les données du rapport (voir la liste dans docs/reference.md).",
        ) from exc
    except jinja2.UndefinedError as exc:
        name = (
            match[1] if (match := re.search(r"'([^']+)' is undefined|attribute '([^']+)'", exc.message or "")) else ""
        )
        name = name or (match[2] if match else "")
        raise TemplateError(
            f"{template_name} : le gabarit utilise une donnée inconnue (« {name or exc.message} »)"
            f"{_text_near(template, name)}.",
            "Corrigez le nom de la balise dans le gabarit (voir la liste des données dans docs/reference.md).",
        ) from exc
    _set_properties(template, document)
    with atomic_output(output) as temporary:
        template.save(str(temporary))
    return output


def normalize_docx_files(paths: list[Path], day: datetime.date) -> None:
    """Give every entry of each DOCX the same date (the date d'arrêt) and mode: same inputs, same bytes.

    python-docx stamps each zip entry with the clock; the content itself is
    already stable. The date is rewritten where the zip format keeps it (each
    entry's local header and its central directory record), in place: nothing
    is decompressed nor compressed again.
    """
    time_and_date = struct.pack("<HH", 12 << 11, (day.year - 1980) << 9 | day.month << 5 | day.day)  # noon
    mode = struct.pack("<I", 0o644 << 16)
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            entries, record = archive.infolist(), archive.start_dir
        data = bytearray(path.read_bytes())
        for entry in entries:
            if data[entry.header_offset : entry.header_offset + 4] != b"PK\x03\x04":
                raise ValueError(f"{path}: no local header at {entry.header_offset}")
            data[entry.header_offset + 10 : entry.header_offset + 14] = time_and_date
            if data[record : record + 4] != b"PK\x01\x02":
                raise ValueError(f"{path}: no central directory record at {record}")
            data[record + 12 : record + 16] = time_and_date
            data[record + 38 : record + 42] = mode
            name, extra, comment = struct.unpack_from("<HHH", data, record + 28)
            record += 46 + name + extra + comment
        with atomic_output(path) as temporary:
            temporary.write_bytes(data)


def _set_properties(template: DocxTemplate, document: Document) -> None:
    """Title, author (the collectivité), subject, language; dates from the content, not the clock."""
    cover = document.cover
    properties = template.docx.core_properties
    properties.title = f"{markup.plain(cover['titre'])} – {cover['annee']}"
    properties.author = cover["collectivite"]
    properties.subject = f"Rapport annuel {cover['annee']} sur la mise en œuvre de la politique de la ville"
    properties.keywords = f"politique de la ville, contrat de ville, {cover['sigle']}, {cover['annee']}"
    properties.language = "fr-FR"
    properties.last_modified_by = "assembleur"
    properties.revision = 1
    moment = datetime.datetime.combine(cover["date"], datetime.time(12, 0))
    properties.created = properties.modified = moment
