"""Scans checked before any work, and the assembly: order, bookmarks, labels, untouched images."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from assembleur.errors import AnnexError
from assembleur.pdf import assemble, finish

from .aides import noise_scan, scan_pdf


def organisme(nom: str, fichier: str) -> assemble.Avis:
    return assemble.Avis(nom, fichier)


@pytest.fixture
def annexes_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "annexes" / "2019"
    folder.mkdir(parents=True)
    return folder


def messages(exc: AnnexError) -> list[str]:
    return [str(p) for p in exc.problems]


def test_good_scans_pass_with_their_page_count(annexes_dir: Path) -> None:
    scan_pdf(annexes_dir / "a.pdf", pages=2)
    [scan] = assemble.check_scans([organisme("Auchel", "a.pdf")], annexes_dir, Path("annexes/2019"))
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
        assemble.check_scans(
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


def attached(path: Path) -> tuple[PdfWriter, object]:
    writer = PdfWriter()
    return writer, writer.add_page(PdfReader(path).pages[0])


def image_streams(page: object) -> list[tuple[str, bytes]]:
    xobjects = page["/Resources"]["/XObject"]
    return [(xobjects[name].get_object()["/Filter"], xobjects[name].get_object().get_data()) for name in xobjects]


def test_a_rotated_or_letter_page_is_made_upright_a4_with_its_image_untouched(tmp_path: Path) -> None:
    for path in (scan_pdf(tmp_path / "r.pdf", rotate=90), scan_pdf(tmp_path / "l.pdf", size=(1275, 1650))):
        before = image_streams(PdfReader(path).pages[0])
        _writer, page = attached(path)  # the writer must outlive the page
        fitted = assemble.fit_to_a4(page)
        assert (fitted.rotation or 0) == 0
        assert (round(float(fitted.mediabox.width)), round(float(fitted.mediabox.height))) == (595, 842)
        assert image_streams(fitted) == before
        assert before[0][0] == "/DCTDecode"


def test_an_upright_a4_page_is_kept_as_is(tmp_path: Path) -> None:
    _, page = attached(scan_pdf(tmp_path / "a4.pdf"))
    content = page.get_contents().get_data()
    assert assemble.fit_to_a4(page) is page
    assert page.get_contents().get_data() == content


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
    import tracemalloc

    scans = [noise_scan(tmp_path / f"avis-{n}.pdf", pages=4) for n in range(3)]
    weight = sum(p.stat().st_size for p in scans)
    largest_image = max(len(data) for scan in scans for page in PdfReader(scan).pages for _, data in image_streams(page))
    parts = [assemble.Part(f"Avis {n}", scan, fit_to_a4=True) for n, scan in enumerate(scans)]
    metadata = finish.Metadata("Titre", "Auteur", "Sujet", "mots", dt.date(2020, 9, 29))
    tracemalloc.start()
    output = assemble.assemble(parts, tmp_path / "dossier.pdf", metadata, watermark=True, note="version projet v1")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert weight > 15_000_000
    assert peak < 3 * largest_image + 5_000_000  # not the 15 MB of images: one at a time (plus pypdf's own work)
    written = [data for page in PdfReader(output).pages for _, data in image_streams(page)]
    originals = [data for scan in scans for page in PdfReader(scan).pages for _, data in image_streams(page)]
    assert written == originals


def test_a_scan_other_than_an_avis_is_named_as_what_it_is(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret")
    with (tmp_path / "acte.pdf").open("wb") as handle:
        writer.write(handle)
    shown = Path("annexes/2019")
    with pytest.raises(AnnexError) as caught:
        assemble.check_filed_scan(tmp_path, "acte.pdf", shown, "la délibération signée", "« acte › fichier »")
    assert str(caught.value.message) == (
        "1 erreur dans la délibération signée :\n"
        "- annexes/2019/acte.pdf : la délibération signée est protégée par un mot de passe ; "
        "demandez à la commune une version sans protection."
    )
    (tmp_path / "vide.pdf").write_bytes(b"")
    with pytest.raises(AnnexError) as empty:
        assemble.check_scan(tmp_path / "vide.pdf", "la contribution de « Région »", shown / "vide.pdf")
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
