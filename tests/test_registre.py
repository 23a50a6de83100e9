"""Registering a received avis: « assembleur avis ajouter » and the function the atelier shares with it."""

from __future__ import annotations

import errno
import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from assembleur import files
from assembleur.contenus import registre

SCAN = Path("annexes") / "2019" / "avis-marles-les-mines-2020-11-18.pdf"
AVIS = Path("contenus") / "2019" / "avis.yaml"
ADDED_AUCHEL = (
    "    avis:\n"
    "      fichier: avis-auchel-2020-11-18.pdf\n"
    "      seance: 18/11/2020\n"
    "      sens: favorable\n"
    "      recu: 25/11/2020\n"
)


def annexes_state(projet: Path) -> dict[str, bytes]:
    folder = projet / "annexes" / "2019"
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def page_image(text: str, size: tuple[int, int] = (1240, 1754)) -> Image.Image:
    """A white A4 page at 150 dpi with a line of text: what a scanner makes."""
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).text((150, 200), text, fill=0)
    return image


def jpeg_scan(path: Path) -> Path:
    page_image("Deliberation du conseil municipal").save(path, "JPEG", quality=85, dpi=(150, 150))
    return path


def tiff_scan(path: Path, pages: int) -> Path:
    images = [page_image(f"Page {n}").convert("1") for n in range(1, pages + 1)]
    images[0].save(path, "TIFF", save_all=True, append_images=images[1:], compression="group4", dpi=(150, 150))
    return path


def test_a_pdf_scan_is_filed_and_recorded_with_the_comments_kept(projet: Path, cli) -> None:
    before = (projet / AVIS).read_bytes()
    result = cli(
        "avis",
        "ajouter",
        str(SCAN),
        "--organisme",
        "Auchel",
        "--seance",
        "18/11/2020",
        "--sens",
        "favorable",
        "--recu",
        "25/11/2020",
        "2019",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "annexes/2019/avis-auchel-2020-11-18.pdf\n"
    assert result.stderr == "Avis de « Auchel » enregistré (2 pages) ; contenus/2019/avis.yaml complété.\n"
    after = (projet / AVIS).read_bytes()
    # byte for byte the same file, with the five new lines under Auchel and nothing else
    anchor = b"  - nom: Auchel\n    type: commune\n"
    assert after == before.replace(anchor, anchor + ADDED_AUCHEL.encode())
    assert (projet / "annexes/2019/avis-auchel-2020-11-18.pdf").read_bytes() == (projet / SCAN).read_bytes()
    state = cli("avis", "2019")
    assert (
        "- Auchel : reçu le 25 novembre 2020 — séance du 18 novembre 2020, favorable — avis-auchel-2020-11-18.pdf"
        in state.stdout.splitlines()
    )
    assert cli("verifier", "2019").exit_code == 0


def test_the_comment_after_an_entry_stays_after_the_new_avis(projet: Path, cli) -> None:
    before = (projet / AVIS).read_text(encoding="utf-8")
    result = cli(
        "avis",
        "ajouter",
        str(SCAN),
        "--organisme",
        "Noeux-les-Mines",
        "--seance",
        "2020-11-20",
        "--sens",
        "réservé",
        "2019",
    )
    assert result.exit_code == 0, result.stderr
    after = (projet / AVIS).read_text(encoding="utf-8")
    anchor = "  - nom: Noeux-les-Mines\n    type: commune\n"
    added = (
        "    avis:\n      fichier: avis-noeux-les-mines-2020-11-20.pdf\n      seance: 20/11/2020\n      sens: réservé\n"
    )
    assert after == before.replace(anchor, anchor + added)
    assert "  # Le dossier 2019 contient une troisième délibération" in after.split(added)[1].splitlines()[0]


def test_the_last_organisme_of_the_file_gets_its_avis_too(projet: Path, cli) -> None:
    before = (projet / AVIS).read_text(encoding="utf-8")
    result = cli(
        "avis",
        "ajouter",
        str(SCAN),
        "--organisme",
        "conseil citoyen la fosse 7",
        "--seance",
        "18/11/2020",
        "--sens",
        "prend acte",
        "2019",
    )
    assert result.exit_code == 0, result.stderr
    assert (projet / AVIS).read_text(encoding="utf-8") == before + (
        "    avis:\n      fichier: avis-conseil-citoyen-la-fosse-7-2020-11-18.pdf\n      seance: 18/11/2020\n"
        "      sens: prend acte\n"
    )


def test_avis_without_subcommand_still_shows_the_consultation(projet: Path, cli) -> None:
    for args in (("avis", "2019"), ("avis", "etat", "2019")):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert result.stdout.splitlines()[0] == (
            "Date d'envoi du projet : non renseignée (consultation.envoi dans avis.yaml)."
        )
        assert "- Auchel : en attente" in result.stdout


def test_an_html_file_is_refused_and_nothing_changes(projet: Path, cli) -> None:
    page = projet / "avis.pdf"  # the name lies: the bytes decide
    page.write_text("<!DOCTYPE html><html><body>Délibération</body></html>", encoding="utf-8")
    avis, annexes = (projet / AVIS).read_bytes(), annexes_state(projet)
    result = cli(
        "avis", "ajouter", str(page), "--organisme", "Auchel", "--seance", "18/11/2020", "--sens", "favorable", "2019"
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Erreur : Le fichier de l'avis de « Auchel » n'est ni un PDF ni une image JPEG, PNG ou TIFF.\n"
        "Envoyez le scan de la délibération au format PDF (ou en image JPEG, PNG ou TIFF).\n"
    )
    assert (projet / AVIS).read_bytes() == avis
    assert annexes_state(projet) == annexes


def test_a_damaged_pdf_is_refused_with_the_message_of_the_scans_check(projet: Path, cli) -> None:
    broken = projet / "casse.pdf"
    broken.write_bytes((projet / SCAN).read_bytes()[:2000])
    avis, annexes = (projet / AVIS).read_bytes(), annexes_state(projet)
    result = cli(
        "avis",
        "ajouter",
        str(broken),
        "--organisme",
        "Auchel",
        "--seance",
        "18/11/2020",
        "--sens",
        "favorable",
        "2019",
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Erreur : Le PDF de l'avis de « Auchel » est endommagé (fichier tronqué ou abîmé) ; "
        "scannez à nouveau la délibération ou demandez une nouvelle copie.\n"
        "Aucun fichier n'a été enregistré ; envoyez un autre scan.\n"
    )
    assert (projet / AVIS).read_bytes() == avis
    assert annexes_state(projet) == annexes


def test_a_jpeg_becomes_a_one_page_pdf_with_the_image_untouched(projet: Path, cli) -> None:
    jpeg = jpeg_scan(projet / "scan.jpg")
    result = cli(
        "avis",
        "ajouter",
        str(jpeg),
        "--organisme",
        "Barlin",
        "--seance",
        "3 novembre 2020",
        "--sens",
        "favorable",
        "2019",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "Avis de « Barlin » enregistré (1 page, converti depuis JPEG) ; contenus/2019/avis.yaml complété.\n"
    )
    reader = PdfReader(projet / "annexes/2019/avis-barlin-2020-11-03.pdf")
    assert len(reader.pages) == 1
    images = reader.pages[0]["/Resources"]["/XObject"]
    stream = next(iter(images.values())).get_object()
    assert stream.get_data() == jpeg.read_bytes()  # the JPEG data itself: no re-encoding


def test_a_multi_page_tiff_becomes_as_many_pages(projet: Path, cli) -> None:
    tiff = tiff_scan(projet / "scan.tif", 3)
    result = cli(
        "avis",
        "ajouter",
        str(tiff),
        "--organisme",
        "Divion",
        "--seance",
        "05/11/2020",
        "--sens",
        "défavorable",
        "2019",
    )
    assert result.exit_code == 0, result.stderr
    reader = PdfReader(projet / "annexes/2019/avis-divion-2020-11-05.pdf")
    assert len(reader.pages) == 3
    assert [round(float(p.mediabox.width)) for p in reader.pages] == [595] * 3  # 1240 px at 150 dpi


def test_a_png_is_accepted_and_a_broken_image_refused(annee) -> None:
    buffer = io.BytesIO()
    page_image("x").save(buffer, "PNG")
    pdf, kind = registre.to_pdf(buffer.getvalue(), "l'avis de « Auchel »")
    assert kind == "png" and pdf.startswith(b"%PDF")
    with pytest.raises(registre.RegistrationError) as refused:
        registre.to_pdf(buffer.getvalue()[:200], "l'avis de « Auchel »")  # a PNG cut short
    assert refused.value.field == "fichier"
    assert refused.value.message.startswith("L'image de l'avis de « Auchel » ne peut pas être mise en PDF sans perte")


def test_an_existing_file_is_never_replaced(projet: Path, cli) -> None:
    squatter = projet / "annexes/2019/avis-auchel-2020-11-18.pdf"
    squatter.write_bytes(b"%PDF-1.4 a file of the staff")
    result = cli(
        "avis", "ajouter", str(SCAN), "--organisme", "Auchel", "--seance", "18/11/2020", "--sens", "favorable", "2019"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "annexes/2019/avis-auchel-2020-11-18-2.pdf\n"
    assert squatter.read_bytes() == b"%PDF-1.4 a file of the staff"
    assert "fichier: avis-auchel-2020-11-18-2.pdf" in (projet / AVIS).read_text(encoding="utf-8")


def test_an_avis_already_recorded_is_not_replaced(projet: Path, cli) -> None:
    avis, annexes = (projet / AVIS).read_bytes(), annexes_state(projet)
    result = cli(
        "avis",
        "ajouter",
        str(SCAN),
        "--organisme",
        "Marles-les-Mines",
        "--seance",
        "18/11/2020",
        "--sens",
        "favorable",
        "2019",
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Erreur : L'avis de « Marles-les-Mines » est déjà enregistré (avis-marles-les-mines-2020-11-18.pdf).\n"
        "Pour le remplacer, modifiez ou retirez son entrée dans contenus/2019/avis.yaml, puis recommencez.\n"
    )
    assert (projet / AVIS).read_bytes() == avis and annexes_state(projet) == annexes


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--organisme",
            "Auchelle",
            "Erreur : Aucun organisme « Auchelle » dans contenus/2019/avis.yaml ; vouliez-vous dire « Auchel » ?\n",
        ),
        (
            "--sens",
            "pour",
            "Erreur : Sens de l'avis inconnu « pour » ; sens possibles : favorable, défavorable, "
            "réservé, prend acte ou approuve.\n",
        ),
        (
            "--seance",
            "31/11/2020",
            "Erreur : Date de la séance : la date « 31/11/2020 » n'existe pas dans le calendrier.\n",
        ),
    ],
)
def test_a_wrong_value_is_named_and_nothing_changes(projet: Path, cli, option: str, value: str, message: str) -> None:
    values = {"--organisme": "Auchel", "--seance": "18/11/2020", "--sens": "favorable", option: value}
    avis, annexes = (projet / AVIS).read_bytes(), annexes_state(projet)
    result = cli("avis", "ajouter", str(SCAN), *(x for pair in values.items() for x in pair), "2019")
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert (projet / AVIS).read_bytes() == avis and annexes_state(projet) == annexes


def test_a_file_over_100_mio_is_refused_before_it_is_read(projet: Path, cli) -> None:
    huge = projet / "enorme.pdf"
    with huge.open("wb") as handle:  # sparse: 101 Mio on paper, nothing on disk
        handle.truncate(101 * 1024 * 1024)
    result = cli(
        "avis", "ajouter", str(huge), "--organisme", "Auchel", "--seance", "18/11/2020", "--sens", "favorable", "2019"
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Erreur : Le fichier {huge} pèse 101 Mio, plus que la limite de 100 Mio.\n"
        "Scannez à nouveau le document en A4, à 200 ou 300 dpi.\n"
    )


@pytest.mark.parametrize(
    ("name", "why"), [("absent.pdf", "fichier ou dossier introuvable"), ("annexes", "c'est un dossier, pas un fichier")]
)
def test_a_file_that_cannot_be_read_is_named_in_french(projet: Path, cli, name: str, why: str) -> None:
    path = projet / name
    result = cli(
        "avis", "ajouter", str(path), "--organisme", "Auchel", "--seance", "18/11/2020", "--sens", "favorable", "2019"
    )
    assert (result.exit_code, result.stderr) == (
        1,
        f"Erreur : Le fichier {path} ne peut pas être lu ({why}).\nVérifiez son nom et son dossier.\n",
    )


def test_both_file_and_yaml_are_rolled_back_when_avis_yaml_no_longer_validates(projet: Path, cli) -> None:
    path = projet / AVIS
    # a mistake already typed elsewhere in avis.yaml: the year cannot validate once the avis is added
    text = path.read_text(encoding="utf-8").replace("      sens: prend acte\n", "      sens: d'accord\n")
    path.write_text(text, encoding="utf-8")
    avis, annexes = path.read_bytes(), annexes_state(projet)
    result = cli(
        "avis", "ajouter", str(SCAN), "--organisme", "Auchel", "--seance", "18/11/2020", "--sens", "favorable", "2019"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Erreur : Avec cet ajout, contenus/2019/avis.yaml n'est pas valide : contenus/2019/avis.yaml, ligne 33"
    )
    assert result.stderr.endswith("Rien n'a été modifié. Corrigez ce fichier, puis recommencez.\n")
    assert path.read_bytes() == avis
    assert annexes_state(projet) == annexes


def test_a_full_disk_is_said_and_nothing_changes(projet: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    avis, annexes = (projet / AVIS).read_bytes(), annexes_state(projet)
    result = cli(
        "avis", "ajouter", str(SCAN), "--organisme", "Auchel", "--seance", "18/11/2020", "--sens", "favorable", "2019"
    )
    assert result.exit_code == 2  # a problem of the machine, not of the user's files
    assert result.stderr == (
        "Erreur : Le scan de « Auchel » n'a pas pu être enregistré (le disque est plein).\n"
        "Rien n'a été modifié. Vérifiez la place sur le disque et les droits du dossier, puis recommencez.\n"
    )
    assert (projet / AVIS).read_bytes() == avis and annexes_state(projet) == annexes


def test_a_yaml_mistake_in_avis_yaml_is_named_with_its_line(projet: Path, cli) -> None:
    text = (projet / AVIS).read_text(encoding="utf-8")
    (projet / AVIS).write_text(text + "organismes: [\n", encoding="utf-8")
    line = text.count("\n") + 2  # where ruamel sees the end of the file
    avis, annexes = (projet / AVIS).read_bytes(), annexes_state(projet)
    result = cli(
        "avis", "ajouter", str(SCAN), "--organisme", "Auchel", "--seance", "18/11/2020", "--sens", "favorable", "2019"
    )
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith(
        f"Erreur : 1 erreur dans les contenus :\n- contenus/2019/avis.yaml, ligne {line}, colonne 1 : "
        "le YAML est mal formé à cet endroit ;"
    ), result.stderr
    assert (projet / AVIS).read_bytes() == avis and annexes_state(projet) == annexes


def test_the_shared_pieces_of_registration_are_public_and_in_their_place(tmp_path: Path) -> None:
    from assembleur import limites
    from assembleur.pdf import actes

    assert registre.parse_date("18 novembre 2020", "date de la séance", "seance").isoformat() == "2020-11-18"
    with pytest.raises(registre.RegistrationError, match=r"^Date de la séance : "):
        registre.parse_date("31/02/2020", "date de la séance", "seance")
    assert registre.MAX_BYTES == limites.MAX_SCAN_BYTES == 100 * 1024 * 1024  # the atelier's upload limit
    assert not hasattr(registre, "slug")  # one ASCII naming for file names: the one of @ctes
    assert actes.ascii_name("Bruay-La-Buissière") == "bruay-la-buissiere"


def test_replace_contents_is_atomic_and_keeps_the_file_mode(tmp_path: Path) -> None:
    from assembleur import files

    target = tmp_path / "avis.yaml"
    target.write_text("ancien\n", encoding="utf-8")
    target.chmod(0o640)
    files.replace_contents(target, b"nouveau\n")
    assert target.read_text(encoding="utf-8") == "nouveau\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ["avis.yaml"]  # no temporary file left
