"""Scans checked before any work, and the assembly: order, bookmarks, labels, untouched images."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject

from assembleur.errors import AnnexError
from assembleur.pdf import assemble, finish, scans

from .aides import assembly_memory, noise_scan, scan_pdf


def organisme(nom: str, fichier: str) -> scans.Avis:
    return scans.Avis(nom, fichier)


@pytest.fixture
def annexes_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "annexes" / "2019"
    folder.mkdir(parents=True)
    return folder


def messages(exc: AnnexError) -> list[str]:
    return [str(p) for p in exc.problems]


def test_good_scans_pass_with_their_page_count(annexes_dir: Path) -> None:
    scan_pdf(annexes_dir / "a.pdf", pages=2)
    [scan] = scans.check_scans([organisme("Auchel", "a.pdf")], annexes_dir, Path("annexes/2019"))
    assert scan.pages == 2 and scan.organisme == "Auchel"


def test_every_bad_scan_is_reported_at_once_naming_the_file(annexes_dir: Path, tmp_path: Path) -> None:
    (annexes_dir / "vide.pdf").write_bytes(b"")
    (annexes_dir / "texte.pdf").write_text("pas un pdf", encoding="utf-8")
    good = scan_pdf(annexes_dir / "bon.pdf").read_bytes()
    (annexes_dir / "tronque.pdf").write_bytes(good[: len(good) // 3])
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret")
    with (annexes_dir / "protege.pdf").open("wb") as handle:
        writer.write(handle)
    with (annexes_dir / "sans-page.pdf").open("wb") as handle:
        PdfWriter().write(handle)
    outside = scan_pdf(tmp_path / "ailleurs.pdf")
    os.symlink(outside, annexes_dir / "lien.pdf")
    with pytest.raises(AnnexError) as caught:
        scans.check_scans(
            [
                organisme("Absente", "absent.pdf"),
                organisme("Vide", "vide.pdf"),
                organisme("Texte", "texte.pdf"),
                organisme("Tronque", "tronque.pdf"),
                organisme("Protege", "protege.pdf"),
                organisme("Sans page", "sans-page.pdf"),
                organisme("Lien", "lien.pdf"),
                organisme("Remonte", "../../ailleurs.pdf"),
                organisme("Double", "absent.pdf"),
            ],
            annexes_dir,
            Path("annexes/2019"),
        )
    assert caught.value.exit_code == 1
    assert messages(caught.value) == [
        "annexes/2019/absent.pdf : l'avis de « Absente » est introuvable ; déposez le scan dans annexes/2019/ "
        "ou corrigez le nom du fichier dans avis.yaml.",
        "annexes/2019/vide.pdf : le fichier de l'avis de « Vide » est vide ; scannez à nouveau la délibération.",
        "annexes/2019/texte.pdf : le fichier de l'avis de « Texte » n'est pas un PDF ; enregistrez le scan au format PDF.",
        "annexes/2019/tronque.pdf : le PDF de l'avis de « Tronque » est endommagé (fichier tronqué ou abîmé) ; "
        "scannez à nouveau la délibération ou demandez une nouvelle copie.",
        "annexes/2019/protege.pdf : l'avis de « Protege » est protégé par un mot de passe ; "
        "demandez à la commune une version sans protection.",
        "annexes/2019/sans-page.pdf : le PDF de l'avis de « Sans page » n'a aucune page ; scannez à nouveau la délibération.",
        "annexes/2019/lien.pdf : l'avis de « Lien » doit se trouver dans annexes/2019/ (pas ailleurs, même par un lien) ; "
        "copiez le fichier dans ce dossier.",
        "annexes/2019/../../ailleurs.pdf : l'avis de « Remonte » doit se trouver dans annexes/2019/ (pas ailleurs, "
        "même par un lien) ; copiez le fichier dans ce dossier.",
        "annexes/2019/absent.pdf : ce fichier est déjà l'avis de « Absente » ; chaque avis a son propre scan.",
    ]
    assert str(caught.value).startswith("9 erreurs dans les avis scannés :\n- annexes/2019/absent.pdf")


def image_streams(page: object) -> list[tuple[str, bytes]]:
    xobjects = page["/Resources"]["/XObject"]
    return [(xobjects[name].get_object()["/Filter"], xobjects[name].get_object().get_data()) for name in xobjects]


def grey_area(pdf: Path, darker_than: int = 240) -> tuple[tuple[int, int], tuple[int, int, int, int]]:
    """The first page drawn by poppler at 36 dpi: its size in pixels, and the box of what is darker than a shade."""
    subprocess.run(["pdftoppm", "-gray", "-r", "36", "-singlefile", str(pdf), str(pdf.with_suffix(""))], check=True)
    with Image.open(pdf.with_suffix(".pgm")) as image:
        return image.size, image.point(lambda shade: 255 if shade < darker_than else 0).getbbox()


def fitted(path: Path, tmp_path: Path) -> Path:
    """The first page of ``path`` fitted to A4 by :func:`assemble.fit_to_a4`, saved alone."""
    with pikepdf.open(path) as source, pikepdf.new() as pdf:
        pdf.pages.append(source.pages[0])
        assemble.fit_to_a4(pdf.pages[0])
        pdf.save(tmp_path / f"{path.stem}-a4.pdf")
    return tmp_path / f"{path.stem}-a4.pdf"


@pytest.mark.parametrize(
    ("rotate", "size", "drawn"),
    [
        (90, (1275, 1650), (595, 460)),  # a Letter page shown in landscape: full width, centred in height
        (270, (1240, 1754), (595, 421)),  # an A4 page shown in landscape
        (0, (1275, 1650), (595, 770)),  # an upright Letter page: scaled to the A4 width
        (180, (1754, 2480), (595, 842)),  # an A3 page upside down: scaled down, turned the right way
    ],
)
def test_a_rotated_or_other_size_page_is_made_upright_a4_centred_with_its_image_untouched(
    tmp_path: Path, rotate: int, size: tuple[int, int], drawn: tuple[int, int]
) -> None:
    path = scan_pdf(tmp_path / "scan.pdf", size=size, rotate=rotate)
    before = image_streams(PdfReader(path).pages[0])
    page = PdfReader(fitted(path, tmp_path)).pages[0]
    assert (page.rotation or 0) == 0
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert image_streams(page) == before and before[0][0] == "/DCTDecode"
    # what poppler draws: the scan's grey page, as large as A4 allows, in the middle
    (width, height), (left, top, right, bottom) = grey_area(tmp_path / "scan-a4.pdf")
    expected = (round(drawn[0] / 72 * 36), round(drawn[1] / 72 * 36))
    assert abs((right - left) - expected[0]) <= 2 and abs((bottom - top) - expected[1]) <= 2
    assert abs(left - (width - right)) <= 2 and abs(top - (height - bottom)) <= 2


def test_a_turned_page_keeps_its_top_at_the_top(tmp_path: Path) -> None:
    """A page shown turned is turned the way a reader shows it: its top edge ends up at the top."""
    image = Image.new("L", (1240, 1754), 255)
    image.paste(0, (0, 0, 1240, 200))  # a black band along the top of the page
    image.save(tmp_path / "droit.pdf", "PDF", resolution=150)
    for rotate in (90, 180, 270):
        writer = PdfWriter()
        writer.add_page(PdfReader(tmp_path / "droit.pdf").pages[0]).rotate(rotate)
        with (tmp_path / f"r{rotate}.pdf").open("wb") as handle:
            writer.write(handle)
        seen_size, seen_box = grey_area(tmp_path / f"r{rotate}.pdf", 128)  # as a reader shows it: /Rotate applied
        size, box = grey_area(fitted(tmp_path / f"r{rotate}.pdf", tmp_path), 128)
        assert _side(box, size) == _side(seen_box, seen_size), rotate  # the band stays on the side it was shown


def _side(box: tuple[int, int, int, int], size: tuple[int, int]) -> str:
    left, top, right, _ = box
    width, _ = size
    if right - left >= width - 4:
        return "haut" if top <= 2 else "bas"
    return "gauche" if left <= 2 else "droite"


def test_an_upright_a4_page_is_kept_as_is(tmp_path: Path) -> None:
    with pikepdf.open(scan_pdf(tmp_path / "a4.pdf")) as pdf:
        page = pdf.pages[0]
        content = page.obj.Contents.read_bytes()
        assert assemble.fit_to_a4(page) is page
        assert page.obj.Contents.read_bytes() == content


def test_assembly_bookmarks_labels_and_metadata(tmp_path: Path) -> None:
    first = scan_pdf(tmp_path / "rapport.pdf", pages=3)
    second = scan_pdf(tmp_path / "annexe.pdf", pages=2)
    avis = scan_pdf(tmp_path / "avis.pdf", size=(1275, 1650), rotate=90)
    parts = [
        assemble.Part("Rapport", first),
        assemble.Part("Annexe 1", second, "A1-"),
        assemble.Part("Avis", None, "Avis-", children=[assemble.Part("Avis – Auchel", avis, fit_to_a4=True)]),
    ]
    metadata = finish.Metadata("Titre", "Communauté d'Agglomération", "Sujet", "mots, clés", dt.date(2020, 9, 29))
    output = assemble.assemble(parts, tmp_path / "sortie" / "dossier.pdf", metadata)
    reader = PdfReader(output)
    assert len(reader.pages) == 6
    assert reader.page_labels == ["1", "2", "3", "A1-1", "A1-2", "Avis-1"]
    outline = [
        (item.title, reader.get_destination_page_number(item)) for item in reader.outline if not isinstance(item, list)
    ]
    assert outline == [("Rapport", 0), ("Annexe 1", 3), ("Avis", 5)]
    [children] = [item for item in reader.outline if isinstance(item, list)]
    assert [c.title for c in children] == ["Avis – Auchel"]
    assert reader.metadata.title == "Titre" and reader.metadata.author == "Communauté d'Agglomération"
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"
    assert sorted(p.name for p in output.parent.iterdir()) == ["dossier.pdf"]


def test_scans_are_copied_into_the_dossier_one_image_at_a_time_and_unchanged(tmp_path: Path) -> None:
    scanned = [noise_scan(tmp_path / f"avis-{n}.pdf", pages=4) for n in range(3)]
    weight = sum(p.stat().st_size for p in scanned)
    originals = [data for scan in scanned for page in PdfReader(scan).pages for _, data in image_streams(page)]
    growth = assembly_memory(scanned, tmp_path / "dossier.pdf")
    assert weight > 15_000_000
    assert growth < 3 * max(len(data) for data in originals) + 5_000_000  # not the 15 MB of images: one at a time
    written = [data for page in PdfReader(tmp_path / "dossier.pdf").pages for _, data in image_streams(page)]
    assert written == originals


def test_a_scan_other_than_an_avis_is_named_as_what_it_is(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret")
    with (tmp_path / "acte.pdf").open("wb") as handle:
        writer.write(handle)
    shown = Path("annexes/2019")
    with pytest.raises(AnnexError) as caught:
        scans.check_filed_scan(tmp_path, "acte.pdf", shown, "la délibération signée", "« acte › fichier »")
    assert str(caught.value.message) == (
        "1 erreur dans la délibération signée :\n"
        "- annexes/2019/acte.pdf : la délibération signée est protégée par un mot de passe ; "
        "demandez à la commune une version sans protection."
    )
    (tmp_path / "vide.pdf").write_bytes(b"")
    with pytest.raises(AnnexError) as empty:
        scans.check_scan(tmp_path / "vide.pdf", "la contribution de « Région »", shown / "vide.pdf")
    assert empty.value.problems[0].message == (
        "le fichier de la contribution de « Région » est vide ; scannez à nouveau la délibération."
    )


def test_a_watermarked_part_is_the_same_bytes_at_every_build(tmp_path: Path) -> None:
    """The projet's watermark takes a stable resource name: two builds of the same part are identical."""
    made = []
    for run in ("premier", "second"):
        part = scan_pdf(tmp_path / f"{run}.pdf", pages=2)
        finish.finish_pdf(part, dt.date(2020, 9, 29), watermark=True, note="version projet n° 1")
        made.append(part.read_bytes())
    assert made[0] == made[1]
    states = PdfReader(tmp_path / "premier.pdf").pages[0]["/Resources"]["/ExtGState"]
    assert finish.WATERMARK_STATE in states


def test_a_scan_whose_page_tree_holds_its_size_resources_and_turn_is_assembled_as_a_reader_shows_it(
    tmp_path: Path,
) -> None:
    """/MediaBox, /Resources and /Rotate may sit on the page tree: the copied page takes them along."""
    image = Image.new("L", (1240, 1754), 255)
    image.paste(0, (0, 0, 1240, 200))  # a black band along the top of the page
    image.save(tmp_path / "droit.pdf", "PDF", resolution=150)
    writer = PdfWriter(clone_from=tmp_path / "droit.pdf")  # qpdf would write them on the page: pypdf leaves them
    page, tree = writer.pages[0], writer._root_object["/Pages"].get_object()
    for key in ("/MediaBox", "/Resources"):
        tree[NameObject(key)] = page[key]
        del page[NameObject(key)]
    tree[NameObject("/Rotate")] = NumberObject(90)
    with (tmp_path / "herite.pdf").open("wb") as handle:
        writer.write(handle)
    assert b"/Rotate 90" in (tmp_path / "herite.pdf").read_bytes() and "/MediaBox" not in PdfReader(
        tmp_path / "herite.pdf"
    ).trailer["/Root"]["/Pages"]["/Kids"][0].get_object()
    seen_size, seen_box = grey_area(tmp_path / "herite.pdf", 128)
    metadata = finish.Metadata("Titre", "Auteur", "Sujet", "mots", dt.date(2020, 9, 29))
    dossier = assemble.assemble(
        [assemble.Part("Avis", tmp_path / "herite.pdf", fit_to_a4=True)], tmp_path / "dossier.pdf", metadata
    )
    with pikepdf.open(dossier) as pdf:
        assert [float(v) for v in pdf.pages[0].mediabox] == pytest.approx([0, 0, *assemble.A4], abs=0.01)
    size, box = grey_area(dossier, 128)
    assert size[0] < size[1] and _side(box, size) == _side(seen_box, seen_size)


def test_parts_prepared_in_any_order_are_placed_in_the_outline_s_order_and_copied_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part copied while the others convert is not copied again when the dossier is written."""
    rapport = scan_pdf(tmp_path / "rapport.pdf", size=(1240, 1754), pages=3)
    annexe = scan_pdf(tmp_path / "annexe.pdf", size=(1275, 1650), pages=2)
    copies: list[str] = []
    copy = assemble.Assembly._copy
    monkeypatch.setattr(assemble.Assembly, "_copy", lambda self, path: copies.append(path.name) or copy(self, path))
    metadata = finish.Metadata("Titre", "Auteur", "Sujet", "mots", dt.date(2020, 9, 29))
    with assemble.Assembly() as assembly:
        assembly.prepare(annexe)  # the shorter conversion ends first
        assembly.prepare(rapport)
        output = assembly.write(
            [assemble.Part("Rapport", rapport), assemble.Part("Annexe 1", annexe, "A1-")], tmp_path / "d.pdf", metadata
        )
    assert copies == ["annexe.pdf", "rapport.pdf"]
    reader = PdfReader(output)
    assert [round(float(page.mediabox.width)) for page in reader.pages] == [595, 595, 595, 612, 612]
    assert [reader.page_labels[i] for i in range(5)] == ["1", "2", "3", "A1-1", "A1-2"]
