"""Scans as scanners, office suites and typesetters make them: merged intact, or refused clearly.

Each kind of PDF is generated here, checked by ``check_scans`` and, when
accepted, assembled: its pages must all be there, its images untouched.
Mutated PDFs (fuzzing) must either pass or be refused with our error.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import img2pdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from assembleur.errors import AnnexError
from assembleur.pdf import assemble, finish, scans

from .aides import scan_pdf

SHOWN = Path("annexes/2019")


def avis(fichier: str) -> scans.Avis:
    return scans.Avis("Auchel", fichier)


def images(page) -> list[bytes]:
    xobjects = page.get("/Resources", {}).get("/XObject", {}) if "/Resources" in page else {}
    return [xobjects[n].get_object().get_data() for n in xobjects if xobjects[n].get_object()["/Subtype"] == "/Image"]


def merged_intact(folder: Path, name: str) -> None:
    """The scan passes the checks and comes out of the assembly with every page and image."""
    [scan] = scans.check_scans([avis(name)], folder, SHOWN)
    source = PdfReader(folder / name)
    metadata = finish.Metadata("t", "a", "s", "k", dt.date(2020, 9, 29))
    output = assemble.assemble([assemble.Part("Avis", folder / name, fit_to_a4=True)], folder / "sortie.pdf", metadata)
    result = PdfReader(output)
    assert len(result.pages) == len(source.pages) == scan.pages
    for original, copied in zip(source.pages, result.pages, strict=True):
        assert images(copied) == images(original)
        assert (round(float(copied.mediabox.width)), round(float(copied.mediabox.height))) == (595, 842)


def refused(folder: Path, name: str) -> str:
    with pytest.raises(AnnexError) as caught:
        scans.check_scans([avis(name)], folder, SHOWN)
    [problem] = caught.value.problems
    return problem.message


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


def write(writer: PdfWriter, path: Path) -> Path:
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_a_jpeg_scan(folder: Path) -> None:
    scan_pdf(folder / "jpeg.pdf", pages=2)
    merged_intact(folder, "jpeg.pdf")


def test_a_ccitt_fax_scan(folder: Path) -> None:
    buffer = io.BytesIO()
    Image.new("1", (1240, 1754), 1).save(buffer, "TIFF", compression="group4", dpi=(150, 150))
    (folder / "fax.pdf").write_bytes(img2pdf.convert(buffer.getvalue()))
    [image] = [x.get_object() for x in PdfReader(folder / "fax.pdf").pages[0]["/Resources"]["/XObject"].values()]
    assert "/CCITTFaxDecode" in (image["/Filter"] if isinstance(image["/Filter"], list) else [image["/Filter"]])
    merged_intact(folder, "fax.pdf")


def test_mixed_page_sizes_and_rotations(folder: Path) -> None:
    writer = PdfWriter()
    for size, rotation in [((1240, 1754), 0), ((1275, 1650), 90), ((1754, 2480), 0), ((1754, 1240), 270)]:
        writer.add_page(PdfReader(scan_pdf(folder / "page.pdf", size=size)).pages[0]).rotate(rotation)
    write(writer, folder / "melange.pdf")
    merged_intact(folder, "melange.pdf")


def test_annotations_outlines_and_forms(folder: Path) -> None:
    writer = PdfWriter(clone_from=scan_pdf(folder / "base.pdf", pages=2))
    writer.add_annotation(0, FreeText(text="Reçu le 25/11/2020", rect=(50, 50, 250, 90)))
    writer.add_outline_item(title="Délibération", page_number=0)
    field = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("visa"),
            NameObject("/Rect"): ArrayObject(
                [NumberObject(300), NumberObject(50), NumberObject(500), NumberObject(80)]
            ),
        }
    )
    reference = writer._add_object(field)
    writer.pages[1][NameObject("/Annots")] = ArrayObject([reference])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject([reference])})
    write(writer, folder / "formulaire.pdf")
    merged_intact(folder, "formulaire.pdf")


def test_a_pdfa_input(folder: Path) -> None:
    import pikepdf

    with pikepdf.open(scan_pdf(folder / "base.pdf")) as pdf:  # Info, language and XMP, as a PDF/A scanner writes
        finish.set_metadata(pdf, finish.Metadata("t", "a", "s", "k", dt.date(2020, 11, 18)), pdfa=True)
        pdf.save(folder / "pdfa.pdf")
    merged_intact(folder, "pdfa.pdf")


def test_a_broken_cross_reference_table_is_repaired(folder: Path) -> None:
    data = bytearray(scan_pdf(folder / "base.pdf", pages=2).read_bytes())
    start = data.rindex(b"startxref") + len(b"startxref\n")
    data[start : start + 3] = b"999"  # the offset of the xref table now points nowhere
    (folder / "xref.pdf").write_bytes(bytes(data))
    merged_intact(folder, "xref.pdf")


def test_javascript_is_refused(folder: Path) -> None:
    writer = PdfWriter(clone_from=scan_pdf(folder / "base.pdf"))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('bonjour');"),
        }
    )
    write(writer, folder / "js.pdf")
    assert refused(folder, "js.pdf") == (
        "le PDF de l'avis de « Auchel » contient des éléments actifs ou joints (script), "
        "qui ne peuvent pas passer dans le dossier ; imprimez-le en PDF ou scannez à nouveau le papier."
    )


def test_a_launch_action_is_refused(folder: Path) -> None:
    writer = PdfWriter(clone_from=scan_pdf(folder / "base.pdf"))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("calc.exe"),
        }
    )
    write(writer, folder / "launch.pdf")
    assert "(lancement d'un programme)" in refused(folder, "launch.pdf")


def test_an_embedded_file_is_refused(folder: Path) -> None:
    writer = PdfWriter(clone_from=scan_pdf(folder / "base.pdf"))
    writer.add_attachment("virus.exe", b"MZ")
    write(writer, folder / "joint.pdf")
    assert "contient des éléments actifs ou joints (fichier joint)" in refused(folder, "joint.pdf")


def test_a_huge_page_is_refused(folder: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(10_000, 10_000)
    write(writer, folder / "geant.pdf")
    assert refused(folder, "geant.pdf") == (
        "le PDF de l'avis de « Auchel » est démesuré (la page 1 mesure 353 × 353 cm) ; "
        "scannez à nouveau la délibération en A4, à 200 ou 300 dpi."
    )


def test_a_huge_image_is_refused(folder: Path) -> None:
    writer = PdfWriter(clone_from=scan_pdf(folder / "base.pdf"))
    page = writer.pages[0]
    for name in page["/Resources"]["/XObject"]:
        image = page["/Resources"]["/XObject"][name].get_object()
        image[NameObject("/Width")] = NumberObject(20_000)
        image[NameObject("/Height")] = NumberObject(20_000)
    write(writer, folder / "image.pdf")
    assert "l'image de la page 1 compte 400 millions de pixels" in refused(folder, "image.pdf")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_pdfs_pass_or_are_refused_by_our_checker(tmp_path_factory, data) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    original = bytearray(scan_pdf(folder / "base.pdf", size=(200, 280)).read_bytes())
    structure = len(original) - original.rindex(b"endstream")  # xref, trailer and object dictionaries
    for _ in range(data.draw(st.integers(1, 8))):
        tail = data.draw(st.booleans())
        position = data.draw(st.integers(len(original) - structure if tail else 0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        original = original[: data.draw(st.integers(0, len(original)))]
    (folder / "mute.pdf").write_bytes(bytes(original))
    try:
        [checked] = scans.check_scans([avis("mute.pdf")], folder, SHOWN)
    except AnnexError as exc:
        assert exc.problems and all("mute.pdf" in str(p) for p in exc.problems)
    else:
        assert checked.pages >= 1
