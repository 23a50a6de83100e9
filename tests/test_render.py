"""Rendering the Word document: text, styles, real formatting, tables, sommaire field."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm
from docx.table import Table as DocxTable
from docxtpl import DocxTemplate
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from assembleur.contenus import markup
from assembleur.documents import derive, render
from assembleur.documents.derive import Cell, Table
from assembleur.errors import TemplateError
from assembleur.fabrication import verification
from assembleur.project import Year


@pytest.fixture(scope="module")
def docx_2019(tmp_path_factory: pytest.TempPathFactory, checked_2019: verification.Checked) -> Document:
    work = tmp_path_factory.mktemp("rendu")
    document = derive.build_document(checked_2019.content)
    path = render.render_docx(document, Path("gabarits/rapport.docx").resolve(), work / "r.docx", work)
    return Document(str(path))


def paragraphs(doc: Document, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == style]


def test_no_template_tag_is_left(docx_2019: Document) -> None:
    xml = docx_2019.element.xml
    assert "{{" not in xml and "{%" not in xml


def test_headings_use_word_heading_styles(docx_2019: Document) -> None:
    assert paragraphs(docx_2019, "Heading 1") == [
        "1 – Le Contrat de Ville et ses orientations stratégiques",
        "2 – La programmation 2019 et les programmes connexes",
        "3 – La contribution de la programmation 2019 aux objectifs du Contrat de Ville",
        "Conclusion",
    ]
    assert "2.4.3 Le NPNRU – Nouveau Programme National de Renouvellement Urbain" in paragraphs(docx_2019, "Heading 3")
    assert "3.2. Pilier Cohésion sociale" in paragraphs(docx_2019, "Heading 2")


def test_cover_carries_the_projet_line(docx_2019: Document) -> None:
    texts = [p.text for p in docx_2019.paragraphs[:20]]
    assert "Année de référence 2019" in texts
    assert "Version «\u00a0PROJET\u00a0» du rapport" in texts
    assert "arrêtée au 29 septembre 2020" in texts
    assert "Eric EDOUARD" in texts


def test_markup_becomes_real_bold_and_superscript(docx_2019: Document) -> None:
    runs = [run for p in docx_2019.paragraphs for run in p.runs]
    assert any(run.bold and "16 quartiers prioritaires (QPV)" in run.text for run in runs)
    assert any(run.font.superscript and run.text == "ème" for run in runs)
    assert not any("**" in p.text for p in docx_2019.paragraphs)


def test_lists_use_the_list_style(docx_2019: Document) -> None:
    bullets = paragraphs(docx_2019, "List Bullet")
    assert "Lectures à partager à Auchel (Ville)" in bullets
    assert "Avenant Lillers Centre-Ville" in bullets


def test_tables_use_the_template_style_and_repeat_their_header(docx_2019: Document) -> None:
    tables = docx_2019.tables
    assert len(tables) >= 20
    assert {t.style.name for t in tables} == {"Tableau assembleur"}
    porteurs = next(t for t in tables if t.cell(0, 0).text == "Les Associations\u00a0:")
    assert porteurs.cell(0, 1).text == "Nombre de projets"
    assert porteurs.rows[0]._tr.trPr.xml.count("tblHeader") == 1
    fdc = next(t for t in tables if t.cell(0, 0).text == "Commune")
    assert [c.text for c in fdc.rows[1].cells] == [
        "DIVION",
        "Transformation de 3 logements en cantine scolaire et garderie",
        "129\u202f935",
        "51\u202f974",
    ]


def test_orientations_table_merges_cells(docx_2019: Document) -> None:
    table = next(t for t in docx_2019.tables if t.cell(0, 0).text == "ORIENTATIONS")
    assert table.cell(1, 0).text == table.cell(1, 1).text == "PILIER 1. COHESION SOCIALE"
    assert table.cell(2, 0).text == table.cell(3, 0).text  # one orientation over its objectifs


def test_sommaire_is_a_real_toc_field(docx_2019: Document) -> None:
    assert 'TOC \\o "1-2"' in docx_2019.element.xml


def test_charts_are_images(docx_2019: Document) -> None:
    assert len(docx_2019.inline_shapes) == 2


def test_a_file_that_is_not_a_docx_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "rapport.docx"
    fake.write_text("pas un document", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        render.open_template(fake)
    assert str(caught.value) == (
        f"{fake} n'est pas un document Word (.docx).\n"
        "Dans Word, ouvrez-le et choisissez « Enregistrer sous… » au format « Document Word (*.docx) »."
    )


def _template_with(tmp_path: Path, old: str, new: str) -> Path:
    source = Path("gabarits/rapport.docx").resolve()
    target = tmp_path / "gabarit.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(old.encode(), new.encode())
            zout.writestr(item, data)
    return target


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "{{ titre }}",
            "{{ titre_inconnu }}",
            "le gabarit utilise une donnée inconnue (« titre_inconnu ») ; texte autour : « in bandeau %}"
            "{{ ligne }}{%p endfor %}{{ titre_inconnu }}Année de référence {{ annee }}{{ coll »",
        ),
        (
            "{{ titre }}",
            "{{ titre }",
            "balise mal écrite (« } » inattendu) ; texte autour : « {{ titre }Année de référence {{ annee",
        ),
        (
            "{{ titre }}",
            "{{ titre|inconnu }}",
            "balise mal écrite (le filtre « inconnu » n'existe pas) ; texte autour : « {{ titre|inconnu }} »",
        ),
        ("{{ titre }}", "{{ titre.__class__.__mro__ }}", "une balise tente d'accéder à l'intérieur du programme"),
    ],
    ids=["inconnue", "syntaxe", "filtre", "bac-a-sable"],
)
def test_template_errors_name_the_template_and_the_text_around(
    tmp_path: Path, checked_2019: verification.Checked, old: str, new: str, message: str
) -> None:
    template = _template_with(tmp_path, old, new)
    document = derive.build_document(checked_2019.content)
    with pytest.raises(TemplateError) as caught:
        render.render_docx(document, template, tmp_path / "r.docx", tmp_path)
    assert caught.value.message.startswith(f"{template} : ")
    assert message in caught.value.message
    assert caught.value.exit_code == 1
    assert not (tmp_path / "r.docx").exists()


def test_a_tag_split_across_word_runs_still_works(tmp_path: Path, checked_2019: verification.Checked) -> None:
    # Word often cuts a tag in two runs when one part is retyped or spell-checked
    template = _template_with(
        tmp_path, "<w:t>{{ titre }}</w:t>", '<w:t>{{ ti</w:t></w:r><w:r><w:t xml:space="preserve">tre }}</w:t>'
    )
    assert "{{ ti</w:t>" in zipfile.ZipFile(template).read("word/document.xml").decode()
    document = derive.build_document(checked_2019.content)
    path = render.render_docx(document, template, tmp_path / "r.docx", tmp_path)
    assert "Rapport sur la mise en œuvre de la Politique de la Ville" in [
        p.text for p in Document(str(path)).paragraphs[:6]
    ]


def test_an_archive_that_is_not_a_word_document(tmp_path: Path) -> None:
    path = tmp_path / "rapport.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(TemplateError) as caught:
        render.open_template(path)
    assert caught.value.message == f"{path} n'est pas un document Word (.docx) : c'est une autre archive."


def test_a_zip_bomb_template_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rapport.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/bombe.bin", b"\0" * (400 * 1024 * 1024))
    with pytest.raises(TemplateError) as caught:
        render.open_template(path)
    assert caught.value.message == (
        f"{path} se décompresse en 400 Mio : ce n'est pas un gabarit normal, il est refusé par précaution."
    )


def test_an_oversized_template_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "MAX_TEMPLATE_BYTES", 1000)
    with pytest.raises(TemplateError) as caught:
        render.open_template(Path("gabarits/rapport.docx").resolve())
    assert "est trop lourd pour un gabarit" in caught.value.message


def test_the_projet_line_is_only_in_a_projet(tmp_path: Path, annee: Year) -> None:
    checked = verification.check(annee)
    document = derive.build_document(checked.content, version="definitif")
    path = render.render_docx(document, annee.templates / "rapport.docx", tmp_path / "r.docx", tmp_path)
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Version «\u00a0PROJET" not in text and "arrêtée au" not in text
    assert "version projet" not in doc.sections[0].footer.paragraphs[0].text


# --- Tables: written as WordprocessingML directly, checked against python-docx's table API ---


def _reference_fill_cell(cell: Any, lines: list[str], bold: bool, align: str, text_style: Any = None) -> None:
    paragraphs = [cell.paragraphs[0]] + [cell.add_paragraph() for _ in lines[1:]]
    for paragraph, line in zip(paragraphs, lines, strict=True):
        if text_style is not None:
            paragraph._p.get_or_add_pPr().get_or_add_pStyle().val = text_style.style_id
        paragraph.alignment = render.ALIGN[align]
        for segment in markup.parse(line, bold=bold):
            run = paragraph.add_run(segment.text)
            run.bold = segment.bold or None
            run.italic = segment.italic or None
            run.font.superscript = segment.superscript or None


def _reference_table(template: DocxTemplate, table: Table, usable_width_cm: float) -> Any:
    """The table as the python-docx API built it before (the slow reference for ``render._table``)."""
    columns = max(sum(cell.colspan for cell in row) for row in table.rows)
    subdoc = template.new_subdoc()
    grid = subdoc.add_table(rows=len(table.rows), cols=columns)
    table_style = render._style(template, render.TABLE_STYLE)
    styled = table_style is not None
    if styled:
        grid.style = table_style
    else:
        grid._tbl.tblPr.append(
            parse_xml(
                f"<w:tblBorders {nsdecls('w')}>"
                + "".join(
                    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
                    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
                )
                + "</w:tblBorders>"
            )
        )
    for look in grid._tbl.tblPr.findall(qn("w:tblLook")):
        grid._tbl.tblPr.remove(look)
    first_row, value = ("1", "0620") if table.header_rows else ("0", "0600")
    grid._tbl.tblPr.append(
        parse_xml(
            f'<w:tblLook {nsdecls("w")} w:val="{value}" w:firstRow="{first_row}" '
            'w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
        )
    )
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = table.widths or [1.0] * columns
    scale = usable_width_cm / sum(widths)
    for index, column in enumerate(grid.columns):
        column.width = Cm(widths[index] * scale)
    text_style = render._style(template, render.TABLE_TEXT_STYLE)
    cells = grid._cells
    matrix = [cells[r * columns : (r + 1) * columns] for r in range(len(table.rows))]
    occupied: set[tuple[int, int]] = set()
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied.add((r + dr, c + dc))
            target = matrix[r][c]
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(matrix[r + cell.rowspan - 1][c + cell.colspan - 1])
            _reference_fill_cell(target, cell.lines, cell.bold, cell.align, text_style)
            shade = cell.shade or ("" if styled or r >= table.header_rows else render.HEADER_SHADE)
            if shade:
                target._tc.get_or_add_tcPr().append(
                    parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{shade}"/>')
                )
            c += cell.colspan
    for r, row in enumerate(grid.rows):
        properties = row._tr.get_or_add_trPr()
        if not table.can_split:
            properties.append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))
        if r < table.header_rows:
            properties.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    for row in matrix:
        for c, cell in enumerate(row):
            cell.width = Cm(widths[min(c, len(widths) - 1)] * scale)
    subdoc.add_paragraph(style=text_style)
    return subdoc


def _with_styles(folder: Path, name: str, *replacements: tuple[str, str]) -> DocxTemplate:
    """The Word template with ``replacements`` made in its styles part."""
    target = folder / name
    with zipfile.ZipFile(Path("gabarits/rapport.docx").resolve()) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/styles.xml":
                for old, new in replacements:
                    assert old.encode() in data
                    data = data.replace(old.encode(), new.encode())
            zout.writestr(item, data)
    return render.open_template(target)


LOST_TABLE_STYLE = ('<w:name w:val="Tableau assembleur"/>', '<w:name w:val="Tableau perdu"/>')
LOST_TEXT_STYLE = ('<w:name w:val="Texte de tableau"/>', '<w:name w:val="Texte perdu"/>')
# After the built-in defaults in the file, so python-docx takes them as the defaults (the last one wins)
DEFAULT_TABLE_STYLE = ('w:customStyle="1" w:styleId="Tableauassembleur"', 'w:default="1" w:styleId="Tableauassembleur"')
DEFAULT_TEXT_STYLE = ('w:customStyle="1" w:styleId="Textedetableau"', 'w:default="1" w:styleId="Textedetableau"')


@pytest.fixture(scope="module")
def table_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DocxTemplate]:
    """The Word template, and variants whose table styles are missing (as in ODT templates) or are the defaults."""
    folder = tmp_path_factory.mktemp("gabarits-tableaux")
    return {
        "word": render.open_template(Path("gabarits/rapport.docx").resolve()),
        "sans style de tableau": _with_styles(folder, "sans-tableau.docx", LOST_TABLE_STYLE),
        "sans aucun style": _with_styles(folder, "sans-style.docx", LOST_TABLE_STYLE, LOST_TEXT_STYLE),
        "styles par défaut": _with_styles(folder, "defaut.docx", DEFAULT_TABLE_STYLE, DEFAULT_TEXT_STYLE),
    }


def _body(xml: str) -> Any:
    """A table's XML, as it lands in the document's body."""
    return parse_xml(f"<w:body {nsdecls('w')}>{xml}</w:body>")


def _docx_table(xml: str) -> DocxTable:
    """The table as python-docx reads it back."""
    return DocxTable(_body(xml).find(qn("w:tbl")), None)


def _children_xml(body: Any) -> list[bytes]:
    """The body's children (section properties aside), serialised alike whoever built them."""
    return [etree.tostring(child, method="c14n", exclusive=True) for child in body if child.tag != qn("w:sectPr")]


def _rows(xml: str) -> list[list[tuple[str, int, str | None]]]:
    """Each ``w:tr`` as its ``w:tc``: (text, gridSpan, vMerge) — vMerge "continue" when present without a value."""
    tbl = _body(xml).find(qn("w:tbl"))
    rows = []
    for tr in tbl.iterchildren(qn("w:tr")):
        row = []
        for tc in tr.iterchildren(qn("w:tc")):
            span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
            merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            row.append(
                (
                    "".join(t.text or "" for t in tc.iter(qn("w:t"))),
                    1 if span is None else int(span.get(qn("w:val"))),
                    None if merge is None else merge.get(qn("w:val"), "continue"),
                )
            )
        rows.append(row)
    return rows


def _children(element: Any, path: str) -> list[str]:
    """The local names of the children of ``element``'s descendant at ``path`` (w: names)."""
    found = element.find("/".join(qn(f"w:{step}") for step in path.split("/")))
    return [] if found is None else [child.tag.split("}")[1] for child in found]


def test_merged_cells_become_grid_spans_and_vertical_merges(table_templates: dict[str, DocxTemplate]) -> None:
    table = Table(
        rows=[
            [Cell(["A"]), Cell(["B"]), Cell(["C"])],
            [Cell(["D"], colspan=2), Cell(["E"])],
            [Cell(["F"], rowspan=2), Cell(["G"]), Cell(["H"])],
            [Cell(["I"]), Cell(["J"])],
            [Cell(["K"], colspan=2, rowspan=2), Cell(["L"])],
            [Cell(["M"])],
        ],
        widths=[1, 2, 1],
    )
    xml = render._table(table_templates["word"], table, usable_width_cm=8.0)
    assert _rows(xml) == [
        [("A", 1, None), ("B", 1, None), ("C", 1, None)],
        [("D", 2, None), ("E", 1, None)],
        [("F", 1, "restart"), ("G", 1, None), ("H", 1, None)],
        [("", 1, "continue"), ("I", 1, None), ("J", 1, None)],
        [("K", 2, "restart"), ("L", 1, None)],
        [("", 2, "continue"), ("M", 1, None)],
    ]
    read = _docx_table(xml)  # python-docx reads the merges back as one cell each
    assert read.cell(3, 0).text == "F" and read.cell(1, 1).text == "D" and read.cell(5, 1).text == "K"
    columns = _body(xml).find(qn("w:tbl")).find(qn("w:tblGrid"))
    assert [col.get(qn("w:w")) for col in columns] == [str(Cm(w).twips) for w in (2, 4, 2)]


def test_header_rows_repeat_and_rows_do_not_split_unless_allowed(table_templates: dict[str, DocxTemplate]) -> None:
    rows = [[Cell([f"{r}"]), Cell(["x"])] for r in range(4)]
    template = table_templates["word"]
    kept = _body(render._table(template, Table(rows=rows, header_rows=2), 16.0))
    assert [_children(tr, "trPr") for tr in kept.iter(qn("w:tr"))] == [
        ["cantSplit", "tblHeader"],
        ["cantSplit", "tblHeader"],
        ["cantSplit"],
        ["cantSplit"],
    ]
    assert kept.find(f"{qn('w:tbl')}/{qn('w:tblPr')}/{qn('w:tblLook')}").get(qn("w:firstRow")) == "1"
    split = _body(render._table(template, Table(rows=rows, header_rows=0, can_split=True), 16.0))
    assert [_children(tr, "trPr") for tr in split.iter(qn("w:tr"))] == [[], [], [], []]
    look = split.find(f"{qn('w:tbl')}/{qn('w:tblPr')}/{qn('w:tblLook')}")
    assert (look.get(qn("w:firstRow")), look.get(qn("w:val"))) == ("0", "0600")


def test_cell_markup_becomes_bold_italic_and_superscript_runs(table_templates: dict[str, DocxTemplate]) -> None:
    table = Table(rows=[[Cell(["**Total** 3^{e} *env.*", "2 lignes"], align="right"), Cell(["tout gras"], bold=True)]])
    first, second = _docx_table(render._table(table_templates["word"], table, 16.0)).rows[0].cells
    runs = [(run.text, run.bold, run.italic, run.font.superscript) for run in first.paragraphs[0].runs]
    assert runs == [
        ("Total", True, None, None),
        (" 3", None, None, None),
        ("e", None, None, True),
        (" ", None, None, None),
        ("env.", None, True, None),
    ]
    assert [p.text for p in first.paragraphs] == ["Total 3e env.", "2 lignes"]
    assert {p.alignment for p in first.paragraphs} == {render.ALIGN["right"]}
    text_style = table_templates["word"].get_docx().styles[render.TABLE_TEXT_STYLE].style_id
    assert {p._p.pPr.pStyle.val for p in first.paragraphs + second.paragraphs} == {text_style}
    assert [(run.text, run.bold) for run in second.paragraphs[0].runs] == [("tout gras", True)]


def test_a_template_without_the_table_style_draws_borders_and_shades_the_header(
    table_templates: dict[str, DocxTemplate],
) -> None:
    table = Table(rows=[[Cell(["Titre"]), Cell(["Montant"])], [Cell(["a"]), Cell(["1"], shade="FFF2CC")]])
    lost = _body(render._table(table_templates["sans style de tableau"], table, 16.0)).find(qn("w:tbl"))
    assert lost.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}") is None
    borders = lost.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
    assert [(b.tag.split("}")[1], b.get(qn("w:val")), b.get(qn("w:color"))) for b in borders] == [
        (side, "single", "808080") for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    ]
    fills = [[shd.get(qn("w:fill")) for shd in tr.iter(qn("w:shd"))] for tr in lost.iter(qn("w:tr"))]
    assert fills == [[render.HEADER_SHADE, render.HEADER_SHADE], ["FFF2CC"]]
    styled = _body(render._table(table_templates["word"], table, 16.0)).find(qn("w:tbl"))
    assert styled.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}").get(qn("w:val")) == "Tableauassembleur"
    assert styled.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}") is None
    assert [shd.get(qn("w:fill")) for shd in styled.iter(qn("w:shd"))] == ["FFF2CC"]


# Texts with the project's markup (bold, italic, superscript, unpaired markers), XML's special characters,
# spaces at the ends (xml:space), tabs and line breaks (w:tab, w:br), and any other character.
_PIECES = st.one_of(
    st.sampled_from(
        ["**gras**", "*ital*", "^{e}", "^{}", "**a *b* ^{c}**", "*", "**", "^{", "}", " ", "\u00a0", "\t", "\n"]
    ),
    st.sampled_from(["&", "<", ">", '"', "'", "é", "1\u202f000"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=4),
)
_TEXTS = st.lists(_PIECES, max_size=5).map("".join)


@st.composite
def _tables(draw: st.DrawFn) -> Table:
    """A small table whose cells fit: the first row fills the grid, later rows may stop early, spans never overlap."""
    columns, height = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    covered: set[tuple[int, int]] = set()
    rows: list[list[Cell]] = []
    for r in range(height):
        row: list[Cell] = []
        c = 0
        while c < columns:
            if (r, c) in covered:
                c += 1
                continue
            if r > 0 and draw(st.booleans()) and draw(st.booleans()):
                break  # the rest of the row stays empty
            free = next((n for n in range(1, columns - c) if (r, c + n) in covered), columns - c)
            colspan, rowspan = draw(st.integers(1, free)), draw(st.integers(1, height - r))
            covered |= {(r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan)}
            row.append(
                Cell(
                    draw(st.lists(_TEXTS, min_size=1, max_size=3)),
                    colspan=colspan,
                    rowspan=rowspan,
                    bold=draw(st.booleans()),
                    align=draw(st.sampled_from(sorted(render.ALIGN))),
                    shade=draw(st.sampled_from(["", "FFF2CC"])),
                )
            )
            c += colspan
        rows.append(row)
    widths = draw(st.none() | st.lists(st.floats(0.5, 10), min_size=columns, max_size=columns + 1))
    return Table(rows, header_rows=draw(st.integers(0, 2)), widths=widths, can_split=draw(st.booleans()))


@settings(deadline=None, max_examples=60)
@given(
    table=_tables(),
    template=st.sampled_from(["word", "sans style de tableau", "sans aucun style", "styles par défaut"]),
    width=st.sampled_from([16.0, 24.7, 9.3]),
)
def test_tables_written_directly_equal_python_docx_tables(
    table_templates: dict[str, DocxTemplate], table: Table, template: str, width: float
) -> None:
    chosen = table_templates[template]
    reference = _reference_table(chosen, table, width).element.body
    assert _children_xml(_body(render._table(chosen, table, width))) == _children_xml(reference)


def test_cells_that_overlap_or_leave_the_grid_are_refused(table_templates: dict[str, DocxTemplate]) -> None:
    overlap = Table(rows=[[Cell(["A"]), Cell(["B"], rowspan=2)], [Cell(["C"], colspan=2)]])
    with pytest.raises(ValueError, match="overlap"):
        render._table(table_templates["word"], overlap, 16.0)
    too_tall = Table(rows=[[Cell(["A"], rowspan=3), Cell(["B"])], [Cell(["C"])]])
    with pytest.raises(ValueError, match="beyond the grid"):
        render._table(table_templates["word"], too_tall, 16.0)


@settings(max_examples=20, deadline=None)
@given(day=st.dates(min_value=datetime.date(1980, 1, 1), max_value=datetime.date(2107, 12, 31)))
def test_a_normalized_docx_has_the_date_d_arret_and_the_same_bytes_whenever_it_was_saved(
    tmp_path_factory: pytest.TempPathFactory, day: datetime.date
) -> None:
    """python-docx stamps each entry with the clock: rewritten in place, the archive stays whole and reproducible."""
    work = tmp_path_factory.mktemp("normalise")
    saved = []
    for name, clock in (("a.docx", (2001, 2, 3, 4, 5, 6)), ("b.docx", (2031, 12, 30, 23, 58, 0))):
        path = work / name
        with zipfile.ZipFile(Path("gabarits/annexe.docx")) as source, zipfile.ZipFile(path, "w") as target:
            for info in source.infolist():
                target.writestr(zipfile.ZipInfo(info.filename, clock), source.read(info), zipfile.ZIP_DEFLATED)
        saved.append(path)
    contents = {info.filename: zipfile.ZipFile(saved[0]).read(info) for info in zipfile.ZipFile(saved[0]).infolist()}

    render.normalize_docx_files(saved, day)

    assert saved[0].read_bytes() == saved[1].read_bytes()
    with zipfile.ZipFile(saved[0]) as archive:
        assert archive.testzip() is None
        assert {info.date_time for info in archive.infolist()} == {(day.year, day.month, day.day, 12, 0, 0)}
        assert {info.external_attr >> 16 for info in archive.infolist()} == {0o644}
        assert {info.filename: archive.read(info) for info in archive.infolist()} == contents
