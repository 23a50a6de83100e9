"""Rendering the Word document: text, styles, real formatting, tables, sommaire field."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document

from assembleur import build, derive, render
from assembleur.errors import TemplateError
from assembleur.project import Year


@pytest.fixture(scope="module")
def docx_2019(tmp_path_factory: pytest.TempPathFactory, checked_2019: build.Checked) -> Document:
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
    tmp_path: Path, checked_2019: build.Checked, old: str, new: str, message: str
) -> None:
    template = _template_with(tmp_path, old, new)
    document = derive.build_document(checked_2019.content)
    with pytest.raises(TemplateError) as caught:
        render.render_docx(document, template, tmp_path / "r.docx", tmp_path)
    assert caught.value.message.startswith(f"{template} : ")
    assert message in caught.value.message
    assert caught.value.exit_code == 1
    assert not (tmp_path / "r.docx").exists()


def test_a_tag_split_across_word_runs_still_works(tmp_path: Path, checked_2019: build.Checked) -> None:
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
    checked = build.check(annee)
    document = derive.build_document(checked.content, version="definitif")
    path = render.render_docx(document, annee.templates / "rapport.docx", tmp_path / "r.docx", tmp_path)
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Version «\u00a0PROJET" not in text and "arrêtée au" not in text
    assert "version projet" not in doc.sections[0].footer.paragraphs[0].text
