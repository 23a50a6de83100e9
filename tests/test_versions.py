"""PROJET and définitif versions, the consultation, the manifest, reproducible files, @ctes, OCR, PDF/A."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from assembleur.contenus import consultation
from assembleur.contenus.model import Consultation
from assembleur.files import sha256

from .aides import actes_schema, assert_pdfa_2b, edit, says, send_projet

pytestmark = pytest.mark.libreoffice

DEFINITIF = "dossier-politique-de-la-ville-2019-definitif.pdf"


def test_two_projet_builds_leave_v1_and_v2_side_by_side(projet: Path, contenus: Path, cli) -> None:
    first = cli("rapport", "2019", "--pdf")
    v1 = projet / "sortie/2019/rapport-politique-de-la-ville-2019-projet-v1.docx"
    before = v1.read_bytes()
    edit(contenus / "rapport.yaml", "  nom: Eric EDOUARD", "  nom: Éric EDOUARD")
    second = cli("rapport", "2019", "--pdf")
    assert first.exit_code == second.exit_code == 0
    assert second.stdout.splitlines()[0] == "sortie/2019/rapport-politique-de-la-ville-2019-projet-v2.docx"
    assert v1.read_bytes() == before  # never overwritten
    pdf = PdfReader(projet / "sortie/2019/rapport-politique-de-la-ville-2019-projet-v2.pdf")
    assert all(says(page, "version projet v2") for page in pdf.pages)  # the number on every page (drawn)


def test_an_unchanged_rebuild_takes_the_last_projet_back_unless_forced(projet: Path, cli) -> None:
    assert cli("rapport", "2019").exit_code == 0
    again = cli("rapport", "2019")
    assert again.exit_code == 0
    assert again.stderr.splitlines()[:2] == [
        "Rien n'a changé depuis la dernière version projet : elle est reprise telle quelle "
        "(manifeste-2019-projet-v1.json).",
        "26 avertissements (le rapport garde les chiffres tapés) :",  # the content was checked again
    ]
    assert again.stdout.splitlines() == [
        "sortie/2019/rapport-politique-de-la-ville-2019-projet-v1.docx",
        "sortie/2019/manifeste-2019-projet-v1.json",
    ]
    forced = cli("rapport", "2019", "--forcer")
    assert forced.stdout.splitlines()[0] == "sortie/2019/rapport-politique-de-la-ville-2019-projet-v2.docx"


def test_an_unchanged_dossier_is_reused_only_if_its_inputs_pass_the_checks_again(projet: Path, cli) -> None:
    """A scan turned into a link out of annexes/2019/, same bytes: same fingerprint, but refused as by --forcer."""
    assert cli("dossier", "2019").exit_code == 0
    scan = projet / "annexes/2019/avis-marles-les-mines-2020-11-18.pdf"
    outside = projet / "ailleurs.pdf"
    scan.rename(outside)
    scan.symlink_to(outside)

    reused, forced = cli("dossier", "2019"), cli("dossier", "2019", "--forcer")

    assert reused.exit_code == forced.exit_code == 1
    assert reused.stdout == forced.stdout == ""
    assert forced.stderr == reused.stderr
    assert reused.stderr == (
        "Dossier 2019 : vérification, mise en page, conversion en PDF et assemblage…\n"
        "Erreur : 1 erreur dans les avis scannés :\n"
        "- annexes/2019/avis-marles-les-mines-2020-11-18.pdf : l'avis de « Marles-les-Mines » doit se trouver dans "
        "annexes/2019/ (pas ailleurs, même par un lien) ; copiez le fichier dans ce dossier.\n"
        "Corrigez ces fichiers dans le dossier des annexes, puis relancez. Aucun fichier n'a été produit.\n"
    )


def test_every_page_of_a_projet_dossier_says_projet(dossier_2019: dict[str, Path]) -> None:
    reader = PdfReader(dossier_2019["dossier-politique-de-la-ville-2019-projet-v1.pdf"])
    # drawn as artifacts, outside the text: a screen reader does not read them, every eye sees them
    assert all(says(page, "PROJET") and says(page, "version projet v1") for page in reader.pages)


def test_no_page_of_a_definitif_says_projet(definitif_2019) -> None:
    _, files = definitif_2019
    reader = PdfReader(files[DEFINITIF])
    for page in reader.pages:
        text = page.extract_text()
        assert not re.search(r"\bPROJET\b", text) and "version projet" not in text.lower()
        assert not says(page, "PROJET")
    assert "version définitive" in reader.pages[1].extract_text()


def test_a_definitif_with_missing_avis_fails_naming_them(projet: Path, cli) -> None:
    result = cli("dossier", "2019", "--version", "definitif")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[1] == "Erreur : 16 erreurs dans le dossier définitif :"
    assert lines[2] == (
        "- contenus/2019/avis.yaml, ligne 35, colonne 5 : avis manquant : Auchel (date d'envoi du projet inconnue : renseignez consultation.envoi dans avis.yaml)"
    )
    assert (
        "- contenus/2019/avis.yaml, ligne 78, colonne 5 : avis manquant : CONSEIL CITOYEN LA FOSSE 7 (date d'envoi du projet inconnue : renseignez consultation.envoi dans avis.yaml)"
        in lines
    )
    assert lines[-1].startswith(
        "Attendez ces avis, ou joignez le dossier sans eux avec --sans-avis « NOM » pour chacun."
    )
    assert not list((projet / "sortie").rglob("*.pdf")) if (projet / "sortie").exists() else True


def test_a_definitif_before_the_deadline_fails_with_the_deadline(
    projet: Path, contenus: Path, cli, monkeypatch
) -> None:
    send_projet(contenus)
    monkeypatch.setattr(consultation, "today", lambda: dt.date(2020, 10, 20))
    result = cli("dossier", "2019", "--version", "definitif")
    assert result.exit_code == 1
    assert (
        "avis.yaml, ligne 36, colonne 5 : avis manquant : Auchel (délai de réponse jusqu'au 1er novembre 2020)"
        in result.stderr
    )


def test_missing_avis_past_the_deadline_are_reputes_favorables(definitif_2019) -> None:
    _, files = definitif_2019
    text = " ".join(PdfReader(files["parties/definitif/avis-synthese-2019.pdf"]).pages[0].extract_text().split())
    assert "réputé favorable (pas de réponse au 1er novembre 2020)" in text
    assert "Marles-les-Mines" in text and "favorable" in text


def test_two_definitif_builds_are_byte_identical(definitif_2019, tmp_path: Path) -> None:
    from assembleur.fabrication import build
    from assembleur.project import Year

    root, files = definitif_2019
    _, again = build.build_dossier(
        Year(root, 2019), tmp_path / "encore", build.BuildOptions(version="definitif", actes=True)
    )
    again_by_name = {p.relative_to(tmp_path / "encore").as_posix(): p for p in again}
    assert sorted(again_by_name) == sorted(files)
    for name, path in files.items():
        assert path.read_bytes() == again_by_name[name].read_bytes(), name


def test_the_manifest_lists_inputs_tools_and_outputs_with_their_hashes(definitif_2019) -> None:
    _, files = definitif_2019
    data = json.loads(files["manifeste-2019-definitif.json"].read_text(encoding="utf-8"))
    assert data["options"]["version"] == "definitif"
    assert {"assembleur", "libreoffice", "pypdf", "docxtpl", "python"} <= set(data["versions"])
    inputs = {entry["fichier"] for entry in data["entrees"]}
    assert {
        "contenus/2019/programmation.yaml",
        "gabarits/rapport.docx",
        "annexes/2019/avis-marles-les-mines-2020-11-18.pdf",
    } <= inputs
    folder = files["manifeste-2019-definitif.json"].parent
    for entry in data["sorties"]:
        path = folder / entry["fichier"]
        assert sha256(path) == entry["sha256"] and path.stat().st_size == entry["taille"]
    dossier = next(e for e in data["sorties"] if e["fichier"] == DEFINITIF)
    assert dossier["pages"] == len(PdfReader(files[DEFINITIF]).pages)


def test_verifier_manifeste_names_a_changed_file(definitif_2019, cli, tmp_path: Path) -> None:
    import shutil

    _, files = definitif_2019
    folder = tmp_path / "livre"
    shutil.copytree(files[DEFINITIF].parent, folder)
    ok = cli("verifier", "2019", "--manifeste", str(folder / "manifeste-2019-definitif.json"))
    assert ok.exit_code == 0 and "sont identiques à leur fabrication" in ok.stderr
    with (folder / DEFINITIF).open("ab") as handle:
        handle.write(b"%modifie")
    bad = cli("verifier", "2019", "--manifeste", str(folder / "manifeste-2019-definitif.json"))
    assert bad.exit_code == 1
    assert (
        f"- {folder / DEFINITIF} : le contenu a changé depuis la fabrication (empreinte SHA-256 différente)."
        in bad.stderr
    )


def test_an_existing_definitif_is_never_overwritten(definitif_2019, cli, monkeypatch) -> None:
    root, files = definitif_2019
    monkeypatch.chdir(root)
    before = files[DEFINITIF].read_bytes()
    refused = cli("dossier", "2019", "--version", "definitif")
    assert refused.exit_code == 1
    assert f"Erreur : Une version définitive existe déjà : sortie/2019/{DEFINITIF}." in refused.stderr
    assert files[DEFINITIF].read_bytes() == before


def test_remplacer_keeps_the_previous_definitif_under_a_dated_name(projet: Path, contenus: Path, cli) -> None:
    send_projet(contenus)
    assert cli("rapport", "2019", "--version", "definitif").exit_code == 0
    first = (projet / "sortie/2019/rapport-politique-de-la-ville-2019-definitif.docx").read_bytes()
    result = cli("rapport", "2019", "--version", "definitif", "--remplacer")
    assert result.exit_code == 0, result.stderr
    kept = list((projet / "sortie/2019").glob("rapport-politique-de-la-ville-2019-definitif-remplace-le-*.docx"))
    assert len(kept) == 1 and kept[0].read_bytes() == first


def test_sans_avis_is_recorded_in_the_summary_and_the_manifest(projet: Path, contenus: Path, cli, monkeypatch) -> None:
    send_projet(contenus)
    monkeypatch.setattr(consultation, "today", lambda: dt.date(2020, 10, 20))
    names = [
        line.split("nom: ", 1)[1]
        for line in (contenus / "avis.yaml").read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("- nom:")
    ]
    received = {"Marles-les-Mines", "Bruay-La-Buissière", "Conseil municipal présidé par M. Frédéric WALLET"}
    arguments = [item for name in names if name not in received for item in ("--sans-avis", name)]
    result = cli("dossier", "2019", "--version", "definitif", *arguments)
    assert result.exit_code == 0, result.stderr
    folder = projet / "sortie/2019"
    text = " ".join(PdfReader(folder / "parties/definitif/avis-synthese-2019.pdf").pages[0].extract_text().split())
    assert "joint sans avis (décision de la collectivité)" in text
    data = json.loads((folder / "manifeste-2019-definitif.json").read_text(encoding="utf-8"))
    assert "Auchel" in data["options"]["sans_avis"]


def test_sans_avis_with_an_unknown_name(projet: Path, cli) -> None:
    result = cli("dossier", "2019", "--version", "definitif", "--sans-avis", "Auchell")
    assert result.exit_code == 1
    assert (
        "--sans-avis « Auchell » : aucun organisme de ce nom dans avis.yaml ; vouliez-vous dire « Auchel » ?"
        in result.stderr
    )


def test_a_placeholder_left_in_a_definitif_stops_it(projet: Path, contenus: Path, cli) -> None:
    send_projet(contenus)
    edit(contenus / "rapport.yaml", "  nom: Eric EDOUARD", "  nom: Eric EDOUARD (à compléter)")
    result = cli("rapport", "2019", "--version", "definitif", "--pdf")
    assert result.exit_code == 1
    assert (
        "sortie/2019/rapport-politique-de-la-ville-2019-definitif.pdf : page 1 : un texte à compléter reste (« à compléter »)."
        in result.stderr
    )
    assert not list((projet / "sortie/2019").glob("*.pdf"))


def test_avis_command_shows_where_the_consultation_stands(projet: Path, contenus: Path, cli, monkeypatch) -> None:
    send_projet(contenus)
    monkeypatch.setattr(consultation, "today", lambda: dt.date(2020, 10, 20))
    result = cli("avis", "2019")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Projet envoyé le 1er octobre 2020 ; réponses attendues jusqu'au 1er novembre 2020 inclus."
    assert (
        "- Marles-les-Mines : reçu le 25 novembre 2020 — séance du 18 novembre 2020, favorable — avis-marles-les-mines-2020-11-18.pdf"
        in lines
    )
    assert "- Auchel : en attente (12 jours restants)" in lines
    monkeypatch.setattr(consultation, "today", lambda: dt.date(2020, 11, 2))
    assert "- Auchel : réputé favorable (pas de réponse au 1er novembre 2020)" in cli("avis", "2019").stdout


@pytest.mark.parametrize(
    ("envoi", "months", "deadline"),
    [
        (dt.date(2020, 10, 1), 1, dt.date(2020, 11, 1)),
        (dt.date(2020, 1, 31), 1, dt.date(2020, 2, 29)),
        (dt.date(2020, 12, 15), 2, dt.date(2021, 2, 15)),
    ],
)
def test_the_deadline_is_the_same_day_months_later(envoi, months, deadline) -> None:
    assert consultation.deadline(Consultation(envoi=envoi, delai_mois=months)) == deadline


ACTES = "062-200072460-20201215-2020_245-DE-1-1"  # département, SIREN, date and number of the act, nature


def test_actes_folder_one_pdf_per_part_under_actes_names_with_the_message_and_a_bordereau(definitif_2019) -> None:
    _, files = definitif_2019
    names = sorted(name.removeprefix("actes-definitif/") for name in files if name.startswith("actes-definitif/"))
    assert names == [
        f"{ACTES}_0.xml",
        f"99_AU-{ACTES}_2.pdf",
        f"99_AU-{ACTES}_3.pdf",
        f"99_AU-{ACTES}_4.pdf",
        f"99_AU-{ACTES}_5.pdf",
        f"99_AU-{ACTES}_6.pdf",
        f"99_AU-{ACTES}_7.pdf",
        f"99_AU-{ACTES}_8.pdf",
        f"99_DE-{ACTES}_1.pdf",
        "bordereau.csv",
    ]
    total = 0
    for name in names:
        if name.endswith(".pdf"):
            path = files[f"actes-definitif/{name}"]
            assert subprocess.run(["pdfinfo", str(path)], capture_output=True).returncode == 0
            assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0
            assert not PdfReader(path).is_encrypted
            total += path.stat().st_size
    assert total < 150 * 1024 * 1024
    rows = files["actes-definitif/bordereau.csv"].read_text(encoding="utf-8-sig").splitlines()
    assert rows[:10] == [
        "nature;Délibération;code 1 (DE)",
        "classification;8.5;Politique de la ville-habitat-logement",  # as the Préfecture's file names it
        "matieres;8;5",
        "date de classification;2020-06-15",
        "objet;Rapport 2019 sur la mise en œuvre de la politique de la ville",
        "numero;2020_245",
        "date;2020-12-15",
        f"message;{ACTES}_0.xml",
        "",
        "ordre;fichier;role;type de piece;titre;pages;taille (octets);sha256",
    ]
    message, first, second = (row.split(";") for row in rows[10:13])
    assert message[:5] == [
        "0",
        f"{ACTES}_0.xml",
        "message",
        "",
        "Message ACTES (description de l'acte et de ses annexes)",
    ]
    assert message[7] == sha256(files[f"actes-definitif/{ACTES}_0.xml"])
    assert first[:6] == [
        "1",
        f"99_DE-{ACTES}_1.pdf",
        "principal",
        "99_DE",
        "Délibération n° 2020_245 du 15 décembre 2020",
        "1",
    ]
    assert second[:5] == [
        "2",
        f"99_AU-{ACTES}_2.pdf",
        "annexe",
        "99_AU",
        "Rapport sur la mise en œuvre de la Politique de la Ville – 2019",
    ]
    assert second[7] == sha256(files[f"actes-definitif/99_AU-{ACTES}_2.pdf"])
    assert [row.split(";")[2:4] for row in rows[12:]] == [["annexe", "99_AU"]] * 7
    assert rows[-1].split(";")[4] == "Avis – Conseil municipal présidé par M. Frédéric WALLET"


def test_the_actes_message_validates_against_the_schema_and_lists_every_annex(definitif_2019) -> None:
    from lxml import etree

    _, files = definitif_2019
    path = files[f"actes-definitif/{ACTES}_0.xml"]
    assert path.read_bytes().startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<actes:Acte ')
    tree = etree.parse(str(path))
    schema = actes_schema()
    assert schema.validate(tree), schema.error_log
    ns = {"actes": "http://www.interieur.gouv.fr/ACTES#v1.1-20040216"}
    root = tree.getroot()

    def attribute(element, name: str) -> str:
        return element.get(f"{{{ns['actes']}}}{name}")

    assert (attribute(root, "Date"), attribute(root, "NumeroInterne"), attribute(root, "CodeNatureActe")) == (
        "2020-12-15",
        "2020_245",
        "1",
    )
    assert [attribute(root.find(f"actes:CodeMatiere{level}", ns), "CodeMatiere") for level in (1, 2)] == ["8", "5"]
    assert root.find("actes:CodeMatiere3", ns) is None
    assert (
        root.findtext("actes:Objet", namespaces=ns) == "Rapport 2019 sur la mise en oeuvre de la politique de la ville"
    )
    assert root.findtext("actes:ClassificationDateVersion", namespaces=ns) == "2020-06-15"
    assert root.findtext("actes:Document/actes:NomFichier", namespaces=ns) == f"99_DE-{ACTES}_1.pdf"
    annexes = root.find("actes:Annexes", ns)
    listed = [element.text for element in annexes.iterfind("actes:Annexe/actes:NomFichier", ns)]
    assert listed == [f"99_AU-{ACTES}_{order}.pdf" for order in range(2, 9)]
    assert attribute(annexes, "Nombre") == "7"
    assert all(f"actes-definitif/{name}" in files for name in listed)
    assert root.findtext("actes:DocumentPapier", namespaces=ns) == "N"


def test_actes_over_the_size_limit_is_refused(projet: Path, cli) -> None:
    result = cli("dossier", "2019", "--actes", "--limite-actes", "0.5")
    assert result.exit_code == 1
    assert re.search(r"Erreur : Le paquet @ctes pèserait \d+,\d Mio, au-delà de la limite de 0,5 Mio.", result.stderr)
    assert not list((projet / "sortie").rglob("*.pdf"))


def test_ocr_makes_the_scans_searchable_and_is_cached(projet: Path, cli) -> None:
    result = cli("dossier", "2019", "--ocr")
    assert result.exit_code == 0, result.stderr
    dossier = projet / "sortie/2019/dossier-politique-de-la-ville-2019-projet-v1.pdf"
    text = subprocess.run(["pdftotext", str(dossier), "-"], capture_output=True, text=True).stdout
    assert "TOURSEL" in text and "PAJOT" in text
    # the recognised text reaches assistive technologies: the scan's Figure has it as its actual text
    from .aides import elements

    tree = PdfReader(dossier).trailer["/Root"]["/StructTreeRoot"]
    figures = [e for e in elements(tree) if e["/S"] == "/Figure" and "/ActualText" in e]
    assert len(figures) == 3 and any("TOURSEL" in f["/ActualText"] for f in figures)
    cache = list((projet / ".cache/assembleur/ocr").glob("*.pdf"))
    assert len(cache) == 3
    stamps = {path: path.stat().st_mtime_ns for path in cache}
    assert cli("dossier", "2019", "--ocr").exit_code == 0
    assert {path: path.stat().st_mtime_ns for path in cache} == stamps  # not read again


def test_pdfa_only_with_definitif(projet: Path, cli) -> None:
    result = cli("dossier", "2019", "--pdfa")
    assert result.exit_code == 64  # options that exclude each other: a wrong command line
    assert "Erreur : --pdfa ne s'utilise qu'avec --version definitif." in result.stderr


def test_a_pdfa_definitif_has_its_output_intent_xmp_and_embedded_fonts(projet: Path, contenus: Path, cli) -> None:
    send_projet(contenus)
    result = cli("dossier", "2019", "--version", "definitif", "--pdfa")
    assert result.exit_code == 0, result.stderr
    reader, xmp = assert_pdfa_2b(projet / "sortie/2019" / DEFINITIF)
    assert "2020-09-29T12:00:00+00:00" in xmp and reader.metadata["/CreationDate"] == "D:20200929120000+00'00'"


def test_ocr_without_ocrmypdf_fails_with_install_advice(projet: Path, cli, monkeypatch) -> None:
    import shutil as shell

    real_which = shell.which
    monkeypatch.setattr(shell, "which", lambda name, *a, **k: None if name == "ocrmypdf" else real_which(name, *a, **k))
    monkeypatch.setenv("HOME", str(projet))  # an empty OCR cache
    result = cli("dossier", "2019", "--ocr")
    assert result.exit_code == 2
    assert "Erreur : L'option --ocr demande OCRmyPDF, introuvable sur cette machine." in result.stderr
    assert "sudo apt-get install ocrmypdf tesseract-ocr-fra" in result.stderr
    assert not list((projet / "sortie").rglob("*.pdf"))
