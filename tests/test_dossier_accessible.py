"""The accessible dossier: one structure tree from the first page to the last scan, scans as Figures, artifacts.

Read back with pypdf (structure tree, marked content) and checked by an
independent PDF/UA-1 checker (outloud, from PyPI).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

from assembleur.contenus.model import Organisme
from assembleur.documents import annexes
from assembleur.pdf import assemble, finish, ocr

from .aides import PARTS, PROJET_FIGE, assembly_memory, assert_pdfa_2b, elements, noise_scan, scan_pdf

DOSSIER = "dossier-politique-de-la-ville-2019-projet-v1.pdf"
DEFINITIF = "dossier-politique-de-la-ville-2019-definitif.pdf"
SCANNED = ["Marles-les-Mines", "Bruay-La-Buissière", "Conseil municipal présidé par M. Frédéric WALLET"]
PAINTING = {
    b"Tj",
    b"TJ",
    b"'",
    b'"',
    b"Do",
    b"f",
    b"F",
    b"f*",
    b"B",
    b"B*",
    b"b",
    b"b*",
    b"S",
    b"s",
    b"sh",
    b"INLINE IMAGE",
}


# --- reading a structure tree back ---------------------------------------------------------------


def kind(element: DictionaryObject, role_map: dict) -> str:
    return str(role_map.get(element["/S"], element["/S"]))


def signature(node: DictionaryObject, pages: list, first: int = 0) -> list[tuple[str, int | None, list]]:
    """Every element under ``node``: its type, its page (counted from ``first``), its marked content."""
    numbers = {page.indirect_reference.idnum: index - first for index, page in enumerate(pages)}
    found = []
    for element in elements(node):
        if element["/S"] == "/Document" or str(element.get("/Alt", "")).endswith("(document scanné)"):
            continue  # a part's own root, or a scan added by the merge
        kids = element.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        content = [
            int(k) if isinstance(k, int) else (int(k["/MCID"]), numbers[k.raw_get("/Pg").idnum])
            for k in (kid.get_object() for kid in kids)
            if isinstance(k, int) or k.get("/Type") == "/MCR"
        ]
        page = numbers[element.raw_get("/Pg").idnum] if "/Pg" in element else None
        found.append((str(element["/S"]), page, content))
    return found


def untagged_painting(page) -> list[tuple[bytes, list[str]]]:
    """What ``page`` paints outside any marked-content sequence (a tagged PDF has none), with each artifact's kind."""
    stack: list[str] = []
    outside, artifacts = [], []
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator in (b"BDC", b"BMC"):
            properties = operands[1] if operator == b"BDC" else {}
            label = str(operands[0])
            if label == "/Artifact":
                label += str(properties.get("/Subtype", properties.get("/Type", "")))
                artifacts.append(label)
            stack.append(label)
        elif operator == b"EMC":
            stack.pop()
        elif operator in PAINTING and not stack:
            outside.append(operator)
    return outside, artifacts


def checker(path: Path) -> Counter:
    """The errors outloud finds in ``path``, counted by rule."""
    program = Path(sys.executable).with_name("outloud")
    result = subprocess.run([str(program), "--json", "-", "--fail-on", "never", str(path)], capture_output=True)
    [report] = json.loads(result.stdout)["results"]
    errors = Counter()
    for finding in report["findings"]:
        if finding["severity"] == "error":
            errors[finding["rule"]] += finding.get("count", 1)
    return errors


# --- without LibreOffice -------------------------------------------------------------------------


def avis(nom: str, kind: str = "commune", sens: str = "favorable") -> Organisme:
    return Organisme.model_validate(
        {"nom": nom, "type": kind, "avis": {"fichier": "a.pdf", "seance": "18/11/2020", "sens": sens}}
    )


def test_the_alternative_text_of_a_scan_comes_from_avis_yaml(checked_2019) -> None:
    content = checked_2019.content
    assert annexes.scan_alt(content, avis("Auchel")) == (
        "Avis de Auchel, séance du 18 novembre 2020, sens de l'avis : favorable (document scanné)"
    )
    assert annexes.scan_alt(content, avis("CONSEIL CITOYEN LA FOSSE 7", "conseil_citoyen", "prend acte")) == (
        "Avis de CONSEIL CITOYEN LA FOSSE 7, séance du 18 novembre 2020, sens de l'avis : prend acte (document scanné)"
    )
    assert annexes.scan_alt(content, avis("Région Hauts-de-France", "signataire")) == (
        "Contribution de Région Hauts-de-France, document du 18 novembre 2020 (document scanné)"
    )


def assembled_scans(tmp_path: Path, watermark: bool, texts: tuple[str, ...] = ("", "")) -> PdfReader:
    scans = [scan_pdf(tmp_path / "a.pdf", pages=2), scan_pdf(tmp_path / "b.pdf", rotate=90)]
    parts = [
        assemble.Part(
            "Avis",
            None,
            "Avis-",
            children=[
                assemble.Part(f"Avis – {n}", scan, fit_to_a4=True, alt=f"Avis de {n} (document scanné)", text=text)
                for n, scan, text in zip("AB", scans, texts, strict=True)
            ],
        )
    ]
    metadata = finish.Metadata("Titre", "Auteur", "Sujet", "mots", dt.date(2020, 9, 29))
    output = assemble.assemble(parts, tmp_path / "dossier.pdf", metadata, watermark=watermark, note="version projet v1")
    return PdfReader(output)


def test_each_scan_is_one_figure_with_its_alternative_text_over_all_its_pages(tmp_path: Path) -> None:
    reader = assembled_scans(tmp_path, watermark=True, texts=("Le conseil municipal approuve", ""))
    root = reader.trailer["/Root"]
    tree = root["/StructTreeRoot"]
    [document] = [kid.get_object() for kid in tree["/K"]]
    assert document["/S"] == "/Document"
    [part] = [kid.get_object() for kid in document["/K"]]
    assert (part["/S"], part["/T"]) == ("/Part", "Avis")
    figures = [kid.get_object() for kid in part["/K"]]
    assert [(f["/S"], f["/Alt"]) for f in figures] == [
        ("/Figure", "Avis de A (document scanné)"),
        ("/Figure", "Avis de B (document scanné)"),
    ]
    assert figures[0]["/ActualText"] == "Le conseil municipal approuve" and "/ActualText" not in figures[1]
    pages = [page.indirect_reference.idnum for page in reader.pages]
    assert [[pages.index(mcr.raw_get("/Pg").idnum) for mcr in f["/K"]] for f in figures] == [[0, 1], [2]]
    # each page's content is marked content 0, and the parent tree leads back from it to its Figure
    parent_tree = dict(zip(tree["/ParentTree"]["/Nums"][::2], tree["/ParentTree"]["/Nums"][1::2], strict=True))
    for number, page in enumerate(reader.pages):
        [figure] = parent_tree[page["/StructParents"]]
        assert figure.get_object() is figures[0 if number < 2 else 1]
        marks = [operands for operands, operator in ContentStream(page.get_contents(), reader).operations]
        marks = [m for m in marks if len(m) == 2 and isinstance(m[1], dict) and "/MCID" in m[1]]
        assert [(m[0], m[1]["/MCID"]) for m in marks] == [("/Figure", 0)]
    assert tree["/ParentTreeNextKey"] == 3
    assert root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert root["/Lang"] == "fr-FR"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp and '<rdf:li xml:lang="x-default">Titre</rdf:li>' in xmp
    assert "pdfaid" not in xmp  # not claimed without --pdfa


def test_the_watermark_and_the_version_mark_are_artifacts_drawn_without_a_font(tmp_path: Path) -> None:
    reader = assembled_scans(tmp_path, watermark=True)
    for page in reader.pages:
        outside, artifacts = untagged_painting(page)
        assert outside == []
        assert artifacts == ["/Artifact/Watermark", "/Artifact/Pagination"]
        assert "/Font" not in page["/Resources"]  # no font to embed: PDF/UA and PDF/A need every font embedded
    (tmp_path / "definitif").mkdir()
    plain = assembled_scans(tmp_path / "definitif", watermark=False)
    assert all(untagged_painting(page) == ([], []) for page in plain.pages)


def test_the_watermark_is_drawn_whatever_the_version_mark_says() -> None:
    content = finish.watermark_operators(*assemble.A4, finish.WATERMARK_STATE, note="version projet v12 – € ü")
    assert content.count(" f Q") == len("PROJET") + len("versionprojetv12–ü")  # "€" is not drawn: a space
    assert content.startswith(finish.ARTIFACT_WATERMARK) and content.endswith("EMC")


def test_the_ocr_text_comes_from_the_sidecar_of_the_cache(tmp_path: Path) -> None:
    cached = tmp_path / "0123.pdf"
    assert ocr.recognised_text(cached) == ""
    cached.with_suffix(".txt").write_text(
        "DÉLIBÉRATION\n  du conseil\n\f[OCR skipped on page(s) 2]\n\fAvis   favorable\n\f", encoding="utf-8"
    )
    assert ocr.recognised_text(cached) == "DÉLIBÉRATION du conseil\n\nAvis favorable"


def test_large_scans_are_still_copied_one_image_at_a_time_into_a_tagged_dossier(tmp_path: Path) -> None:
    scanned = [noise_scan(tmp_path / f"avis-{n}.pdf", pages=3) for n in range(2)]
    growth = assembly_memory(scanned, tmp_path / "dossier.pdf")
    assert growth < 12_000_000  # the 9 MB of images do not sit in memory together
    assert len(PdfReader(tmp_path / "dossier.pdf").trailer["/Root"]["/StructTreeRoot"]["/K"][0]["/K"]) == 2


# --- the real dossier ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reader(dossier_2019: dict[str, Path]) -> PdfReader:
    return PdfReader(dossier_2019[DOSSIER])


def top_parts(reader: PdfReader) -> list[DictionaryObject]:
    [document] = [kid.get_object() for kid in reader.trailer["/Root"]["/StructTreeRoot"]["/K"]]
    return [kid.get_object() for kid in document["/K"]]


@pytest.mark.libreoffice
def test_the_dossier_has_one_structure_tree_with_every_part_in_the_bookmarks_order(reader: PdfReader) -> None:
    parts = top_parts(reader)
    assert [(p["/S"], p["/T"]) for p in parts] == [
        ("/Part", item.title) for item in reader.outline if not isinstance(item, list)
    ]
    avis = parts[-1]
    assert [(s["/S"], s["/T"]) for s in (k.get_object() for k in avis["/K"])] == [
        ("/Sect", "Synthèse des avis"),
        ("/Sect", "Avis ou contribution des conseils citoyens"),
        ("/Sect", "Avis des communes du contrat de ville"),
    ]


@pytest.mark.libreoffice
def test_each_part_keeps_its_headings_lists_and_tables_in_order_on_its_own_pages(
    reader: PdfReader, dossier_2019: dict[str, Path]
) -> None:
    sections = top_parts(reader)
    sections = sections[:-1] + [s.get_object() for s in sections[-1]["/K"]]  # the avis: summary, then the groups
    first = 0
    for name, section in zip(PARTS, sections, strict=True):
        part = PdfReader(dossier_2019[name])
        expected = signature(part.trailer["/Root"]["/StructTreeRoot"], part.pages)
        assert expected, name
        assert signature(section, reader.pages, first) == expected, name
        first += len(part.pages) + sum(len(PdfReader(PROJET_FIGE / "annexes/2019" / f).pages) for f in scans_after(name))
    rapport = signature(top_parts(reader)[0], reader.pages)
    role_map = reader.trailer["/Root"]["/StructTreeRoot"]["/RoleMap"]
    kinds = Counter(str(role_map.get(s, s)) for s, _, _ in rapport)
    assert kinds["/H1"] and kinds["/Table"] and kinds["/TH"] and kinds["/L"] and kinds["/LI"], kinds


@pytest.mark.libreoffice
def test_every_marked_content_and_link_leads_back_to_its_element_through_the_renumbered_parent_tree(
    reader: PdfReader,
) -> None:
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    numbers = tree["/ParentTree"]["/Nums"]
    parent_tree = dict(zip(numbers[::2], numbers[1::2], strict=True))
    assert len(parent_tree) == len(numbers) // 2 and tree["/ParentTreeNextKey"] > max(parent_tree)
    checked = links = 0
    for number, page in enumerate(reader.pages):
        owners = parent_tree[page["/StructParents"]]
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"BDC" and isinstance(operands[1], dict) and "/MCID" in operands[1]:
                mcid = int(operands[1]["/MCID"])
                element = owners[mcid].get_object()
                kids = element["/K"] if isinstance(element["/K"], list) else [element["/K"]]
                here = [
                    k
                    for k in (kid.get_object() for kid in kids)
                    if (k == mcid and element.raw_get("/Pg").idnum == page.indirect_reference.idnum)
                    or (
                        isinstance(k, dict)
                        and k.get("/MCID") == mcid
                        and k.raw_get("/Pg").idnum == page.indirect_reference.idnum
                    )
                ]
                assert here, f"page {number + 1}, MCID {mcid}"
                checked += 1
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            if "/StructParent" in annotation:
                element = parent_tree[annotation["/StructParent"]].get_object()
                kids = element["/K"] if isinstance(element["/K"], list) else [element["/K"]]
                assert any(
                    isinstance(k.get_object(), dict)
                    and "/Obj" in k.get_object()
                    and k.get_object().raw_get("/Obj").idnum == annotation.indirect_reference.idnum
                    for k in kids
                ), f"page {number + 1}"
                links += 1
        assert page.get("/Tabs") == "/S" or not page.get("/Annots")
    assert checked > 1000 and links > 10


def scans_after(part: str) -> list[str]:
    """The scans that follow an intercalaire in the dossier."""
    return {
        "intercalaire-commune-2019.pdf": [
            "avis-marles-les-mines-2020-11-18.pdf",
            "avis-bruay-la-buissiere-2020-11-07.pdf",
            "avis-conseil-municipal-2020-11-02.pdf",
        ],
    }.get(part, [])


@pytest.mark.libreoffice
def test_one_figure_per_scan_with_its_alternative_text_from_avis_yaml(reader: PdfReader, checked_2019) -> None:
    content = checked_2019.content
    by_name = {o.nom: o for o in content.avis.organismes}
    figures = [e for e in elements(top_parts(reader)[-1]) if e["/S"] == "/Figure" and "/Alt" in e]
    scans = [f for f in figures if str(f["/Alt"]).endswith("(document scanné)")]
    assert [str(f["/Alt"]) for f in scans] == [annexes.scan_alt(content, by_name[n]) for n in SCANNED]
    pages = [page.indirect_reference.idnum for page in reader.pages]
    scan_pages = [[pages.index(mcr.raw_get("/Pg").idnum) for mcr in f["/K"]] for f in scans]
    labels = [[reader.page_labels[n] for n in numbers] for numbers in scan_pages]
    assert all(numbers == list(range(numbers[0], numbers[0] + len(numbers))) for numbers in scan_pages)
    assert [len(n) for n in labels] == [
        len(PdfReader(PROJET_FIGE / "annexes/2019" / f).pages) for f in scans_after("intercalaire-commune-2019.pdf")
    ]
    assert labels[0][0].startswith("Avis-")


@pytest.mark.libreoffice
def test_every_page_paints_only_tagged_content_or_artifacts_and_carries_the_watermark(reader: PdfReader) -> None:
    for number, page in enumerate(reader.pages):
        outside, artifacts = untagged_painting(page)
        assert outside == [], f"page {number + 1}"
        assert "/Artifact/Watermark" in artifacts and "/Artifact/Pagination" in artifacts, f"page {number + 1}"


@pytest.mark.libreoffice
def test_the_merge_adds_no_accessibility_error_to_those_of_the_parts(dossier_2019: dict[str, Path]) -> None:
    in_parts = sum((checker(dossier_2019[name]) for name in PARTS), Counter())
    assert checker(dossier_2019[DOSSIER]) - in_parts == Counter()


@pytest.mark.libreoffice
def test_the_dossier_passes_the_accessibility_checker(dossier_2019: dict[str, Path]) -> None:
    assert checker(dossier_2019[DOSSIER]) == Counter()


@pytest.mark.libreoffice
def test_a_definitif_with_pdfa_is_pdfa_2b_and_pdfua_1(projet: Path, contenus: Path, cli) -> None:
    from .aides import send_projet

    send_projet(contenus)
    result = cli("dossier", "2019", "--version", "definitif", "--pdfa")
    assert result.exit_code == 0, result.stderr
    path = projet / "sortie/2019" / DEFINITIF
    reader, xmp = assert_pdfa_2b(path)
    root = reader.trailer["/Root"]
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp  # PDF/A-2 accepts a schema it is told about
    assert root["/MarkInfo"]["/Marked"] and len(top_parts(reader)) == 4
    for page in reader.pages:
        outside, artifacts = untagged_painting(page)
        assert outside == [] and "/Artifact/Watermark" not in artifacts  # no watermark in a définitif
    assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0
    errors = checker(path)
    assert errors == Counter(), errors
