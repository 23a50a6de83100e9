"""Accessible PDFs: every part tagged PDF/UA-1 and passing an independent checker; charts described; templates checked."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm
from outloud import check

from assembleur.documents import accessibilite, charts
from assembleur.pdf import balisage

# The PROJET watermark and the version stamped on every page are made artifacts on branch i12-dossier;
# until it is merged, a projet's pages carry untagged text in an unembedded font (TAG-001, TXT-001).


def _errors(pdf: Path) -> list[str]:
    result = check(str(pdf))
    assert result.error is None, result.error
    return [f"{f.rule} p.{f.page} {f.message}" for f in result.findings if f.severity == "error"]


def _parts(written: dict[str, Path]) -> list[Path]:
    """The PDFs LibreOffice made: the rapport and the parts (not the dossier, nor the @ctes pieces cut from it)."""
    return sorted(
        p for p in written.values() if p.suffix == ".pdf" and ("parties" in p.parts or p.name.startswith("rapport-"))
    )


# ── the real outputs, read by outloud ──────────────────────────────────────


@pytest.mark.libreoffice
def test_every_part_of_a_definitif_passes_the_pdf_ua_checker(definitif_2019):
    _, written = definitif_2019
    parts = _parts(written)
    names = {p.name for p in parts}
    assert "rapport-politique-de-la-ville-2019-definitif.pdf" in names
    assert {"annexe-1-grille-des-actions-2019.pdf", "annexe-2-protocole-2019.pdf", "avis-synthese-2019.pdf"} <= names
    assert any(name.startswith("intercalaire-") for name in names)
    for part in parts:
        assert _errors(part) == [], part.name


@pytest.mark.libreoffice
def test_every_part_of_a_projet_passes_the_pdf_ua_checker(dossier_2019):
    for part in _parts(dossier_2019):
        assert _errors(part) == [], part.name


@pytest.mark.libreoffice
def test_the_rapport_passes_the_pdf_ua_checker(rapport_2019):
    assert _errors(rapport_2019["pdf"]) == []


@pytest.mark.libreoffice
def test_a_part_is_identified_as_pdf_ua_1_in_french_with_its_title_shown(definitif_2019):
    _, written = definitif_2019
    for part in _parts(written):
        with pikepdf.open(part) as pdf:
            assert "/StructTreeRoot" in pdf.Root, part.name
            assert str(pdf.Root.Lang) == "fr-FR"
            assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
            with pdf.open_metadata() as xmp:
                assert xmp.get("pdfuaid:part") == "1", part.name
            role_map = pdf.Root.StructTreeRoot.get("/RoleMap", {})
            assert not [k for k in role_map if k[1:] in balisage.STANDARD_TYPES], part.name


@pytest.mark.libreoffice
def test_a_pdfa_definitif_part_is_pdfa_2b_and_pdf_ua_1(tmp_path):
    from assembleur.fabrication import build
    from assembleur.project import Year
    from tests.aides import copy_project, send_projet

    root = copy_project(tmp_path)
    send_projet(root / "contenus" / "2019")
    options = build.BuildOptions(version="definitif", pdfa=True)
    _, written = build.build_rapport(Year(root, 2019), root / "sortie" / "2019", pdf=True, options=options)
    pdf_path = next(p for p in written if p.suffix == ".pdf")
    with pikepdf.open(pdf_path) as pdf, pdf.open_metadata() as xmp:
        assert (xmp.get("pdfaid:part"), xmp.get("pdfuaid:part")) == ("2", "1")
    assert _errors(pdf_path) == []


# ── charts: an alternative text built from their figures ───────────────────

FINANCEMENT = [("État", Decimal("35.30")), ("Région Hauts-de-France", Decimal("20")), ("Ville", Decimal("44.7"))]


def test_a_chart_is_described_by_its_figures(checked_2019):
    from assembleur.documents import derive

    [chart] = [item for item in derive.build_document(checked_2019.content).body if item.chart == "financement"]
    assert chart.description == (
        "Graphique en barres : la répartition du financement par financeur. "
        + charts.describe(chart.chart_data, "pourcentage")["barres"]
        + ". Valeur la plus élevée : Etat - CGET."
    )
    assert charts.describe(FINANCEMENT, "pourcentage") == {
        "barres": "État : 35,3\u00a0% ; Région Hauts-de-France : 20\u00a0% ; Ville : 44,7\u00a0%",
        "plus_eleve": "Ville",
    }


def test_changing_a_figure_changes_the_alternative_text():
    changed = [*FINANCEMENT[:2], ("Ville", Decimal("12"))]
    before, after = charts.describe(FINANCEMENT, "pourcentage"), charts.describe(changed, "pourcentage")
    assert before != after
    assert "Ville : 12\u00a0%" in after["barres"] and after["plus_eleve"] == "État"


def test_the_words_around_the_figures_are_libelles(annee, contenus):
    from assembleur.documents import derive
    from assembleur.fabrication import verification

    text = (contenus / "rapport.yaml").read_text(encoding="utf-8")
    (contenus / "rapport.yaml").write_text(
        text.replace("libelles:\n", "libelles:\n  graphique_financement: les parts des financeurs\n", 1), encoding="utf-8"
    )
    [chart] = [i for i in derive.build_document(verification.check(annee).content).body if i.chart == "financement"]
    assert chart.description.startswith("Graphique en barres : les parts des financeurs. ")


@pytest.mark.libreoffice
def test_the_charts_alternative_text_reaches_the_pdf_figures(definitif_2019, checked_2019):
    from assembleur.documents import derive

    _, written = definitif_2019
    document = derive.build_document(checked_2019.content, "definitif", "")
    expected = [
        item.description
        for item in document.body
        if item.kind == "graphique"
    ]
    rapport = written["rapport-politique-de-la-ville-2019-definitif.pdf"]
    with pikepdf.open(rapport) as pdf:
        alts = [
            str(element.Alt)
            for element in _walk(pdf.Root.StructTreeRoot)
            if element.get("/S") == pikepdf.Name.Figure and "/Alt" in element
        ]
    assert expected and alts == expected


def _walk(node):
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _walk(kid)


# ── template checks ────────────────────────────────────────────────────────


def _template(tmp_path: Path, build) -> Path:
    doc = Document()
    build(doc)
    path = tmp_path / "gabarit.docx"
    doc.save(path)
    return path


def _messages(path: Path) -> list[str]:
    return [f.message for f in accessibilite.check_template(path)]


def test_the_shipped_templates_have_nothing_to_report(projet):
    for template in sorted((projet / "gabarits").glob("*.docx")):
        assert accessibilite.check_template(template) == [], template.name


def test_a_picture_without_description_is_reported(tmp_path):
    image = tmp_path / "point.png"
    charts.draw_bars([("A", Decimal(1))], "montant", image)

    def build(doc):
        doc.add_paragraph("Le graphique des financements")
        doc.add_picture(str(image), width=Mm(40))

    assert _messages(_template(tmp_path, build)) == [
        "une image sans description (texte de remplacement) (près de « Le graphique des financements »)."
    ]


def test_a_skipped_heading_level_is_reported(tmp_path):
    def build(doc):
        doc.add_paragraph("Chapitre", style="Heading 1")
        doc.add_paragraph("Détail", style="Heading 3")

    assert _messages(_template(tmp_path, build)) == [
        "le titre de niveau 3 « Détail » suit un titre de niveau 1 : un niveau est sauté (passez par le niveau 2)."
    ]


def test_a_table_without_header_row_is_reported_and_one_with_it_is_not(tmp_path):
    def build(doc):
        doc.add_table(rows=2, cols=2).cell(0, 0).text = "Commune"

    assert _messages(_template(tmp_path, build)) == [
        "un tableau sans ligne d'en-tête (près de « Commune ») : dans Word, sélectionnez sa première ligne, "
        "Propriétés du tableau › Ligne › « Répéter en tant que ligne d'en-tête »."
    ]

    def with_header(doc):
        table = doc.add_table(rows=2, cols=2)
        table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))

    assert _messages(_template(tmp_path, with_header)) == []


def test_empty_paragraphs_used_as_spacing_are_reported(tmp_path):
    def build(doc):
        doc.add_paragraph("Introduction")
        doc.add_paragraph()
        doc.add_paragraph()
        doc.add_paragraph("Suite")

    assert _messages(_template(tmp_path, build)) == [
        "des paragraphes vides servent d'espacement (près de « Introduction ») : "
        "réglez l'espace avant ou après dans le style du paragraphe."
    ]


def test_tracked_changes_are_reported_as_revisions(tmp_path):
    def build(doc):
        paragraph = doc.add_paragraph("Texte ")
        paragraph._p.append(
            parse_xml(
                f'<w:ins {nsdecls("w")} w:id="1" w:author="Relecteur" w:date="2020-01-01T00:00:00Z">'
                "<w:r><w:t>ajouté</w:t></w:r></w:ins>"
            )
        )

    findings = accessibilite.check_template(_template(tmp_path, build))
    assert [(f.message, f.revision) for f in findings] == [
        (
            "1 modification(s) suivie(s) restent dans le gabarit (près de « ajouté ») : "
            "acceptez-les ou refusez-les (Révision › Accepter), puis désactivez le suivi.",
            True,
        )
    ]


def test_comments_are_reported_as_revisions(tmp_path):
    def build(doc):
        paragraph = doc.add_paragraph("Texte commenté")
        doc.add_comment(paragraph.runs, text="À revoir", author="Relecteur")

    findings = accessibilite.check_template(_template(tmp_path, build))
    assert [(f.message, f.revision) for f in findings] == [
        ("1 commentaire(s) restent dans le gabarit : supprimez-les (Révision › Supprimer).", True)
    ]


def _track_a_change(template: Path) -> None:
    """Leave a tracked insertion at the end of ``template``, as a reviewer in Word would."""
    doc = Document(template)
    paragraph = doc.add_paragraph("Texte ")
    paragraph._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="1" w:author="Relecteur" w:date="2020-01-01T00:00:00Z">'
            "<w:r><w:t>ajouté</w:t></w:r></w:ins>"
        )
    )
    doc.save(template)


TRACKED = (
    "gabarits/rapport.docx : 1 modification(s) suivie(s) restent dans le gabarit (près de « ajouté ») : "
    "acceptez-les ou refusez-les (Révision › Accepter), puis désactivez le suivi."
)


def test_verifier_warns_of_a_tracked_change_left_in_a_template(projet: Path, cli) -> None:
    _track_a_change(projet / "gabarits" / "rapport.docx")
    result = cli("verifier", "2019")
    assert result.exit_code == 0, result.output
    assert f"- {TRACKED}" in result.stderr


@pytest.mark.libreoffice
def test_a_definitif_is_refused_while_a_template_holds_a_tracked_change(projet: Path, contenus: Path, cli) -> None:
    from tests.aides import send_projet

    send_projet(contenus)
    _track_a_change(projet / "gabarits" / "rapport.docx")
    result = cli("dossier", "2019", "--version", "definitif")
    assert result.exit_code == 1, result.output
    assert f"1 erreur dans les gabarits :\n- {TRACKED}" in result.stderr
    assert not list((projet / "sortie").rglob("*definitif*"))


# ── the structure tree, mended ─────────────────────────────────────────────


def _element(pdf: pikepdf.Pdf, kind: str, kids: list, **entries) -> pikepdf.Dictionary:
    return pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + kind), K=pikepdf.Array(kids), **entries)
    )


def _cell(pdf: pikepdf.Pdf, kind: str, kids: list, **spans) -> pikepdf.Dictionary:
    attributes = pikepdf.Dictionary(O=pikepdf.Name.Table, **spans)
    return _element(pdf, kind, kids, A=attributes)


def test_the_structure_tree_of_a_part_is_mended():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    styled_note = _element(pdf, "Note", [0])  # a paragraph whose style is called « Note »
    empty = _element(pdf, "P", [])
    # a cell merged over two rows, and the empty cell LibreOffice adds when the second row is on the next page
    merged = _cell(pdf, "TD", [1], RowSpan=2)
    rows = [
        _element(pdf, "TR", [_cell(pdf, "TH", [2], Scope=pikepdf.Name.Column), _cell(pdf, "TH", [3])]),
        _element(pdf, "TR", [merged, _cell(pdf, "TD", [4])]),
        _element(pdf, "TR", [_cell(pdf, "TD", [5]), _cell(pdf, "TD", [])]),
    ]
    table = _element(pdf, "Table", rows)
    document = _element(pdf, "Document", [styled_note, empty, table])
    pdf.Root.StructTreeRoot = pikepdf.Dictionary(
        Type=pikepdf.Name.StructTreeRoot, K=document, RoleMap=pikepdf.Dictionary(Note=pikepdf.Name.P)
    )

    assert balisage.mend(pdf)

    assert styled_note.S == pikepdf.Name.P and "/Note" not in pdf.Root.StructTreeRoot.RoleMap
    assert [kid.objgen for kid in document.K] == [styled_note.objgen, table.objgen]
    assert len(rows[2].K) == 1
    assert str(pdf.Root.Lang) == "fr-FR" and pdf.Root.ViewerPreferences.DisplayDocTitle is True


def test_a_note_gets_an_identifier_listed_in_the_id_tree():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    note = _element(pdf, "Note", [0])
    pdf.Root.StructTreeRoot = pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=_element(pdf, "Document", [note]))
    balisage.mend(pdf)
    assert str(note.ID) == "note-1"
    assert pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree)["note-1"].objgen == note.objgen
