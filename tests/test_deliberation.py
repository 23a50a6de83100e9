"""The conseil communautaire's step: observations and their suites, contributions, the délibération, @ctes."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from docx import Document as WordDocument
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

from assembleur.contenus import consultation
from assembleur.documents import annexes, deliberation
from assembleur.errors import ContentError
from assembleur.fabrication import pieces, verification
from assembleur.files import sha256
from assembleur.pdf import actes
from assembleur.project import Year

from .aides import actes_schema, blank_pdf, edit, send_projet, sign_deliberation, signed_scan

MARLES = "      recu: 25/11/2020      # délibération n° 18.11.20.17, affichée le 25 novembre 2020\n"
OBSERVATION = "Souhaite que les actions de la Cité 3 soient davantage détaillées."
SUITE = "Le rapport 2020 présentera un bilan par quartier."
REGION = """
  # Les autres signataires du contrat de ville (contributions facultatives)
  - nom: Région Hauts-de-France
    type: signataire
    avis:
      fichier: contribution-region-2020-11-20.pdf
      seance: 20/11/2020
      observations:
        - texte: "Demande un volet emploi des jeunes plus développé."
          suite: "Un chapitre emploi des jeunes sera ajouté en 2020."
"""


def observe(contenus: Path, suite: str | None = SUITE) -> None:
    """Marles-les-Mines' avis carries one observation (with its suite, unless ``suite`` is None)."""
    lines = f'      observations:\n        - texte: "{OBSERVATION}"\n'
    if suite is not None:
        lines += f'          suite: "{suite}"\n'
    edit(contenus / "avis.yaml", MARLES, MARLES + lines)


def add_region(projet: Path, contenus: Path) -> None:
    """The Région, a signatory, sent a contribution (a scan in annexes/2019/)."""
    (contenus / "avis.yaml").write_text((contenus / "avis.yaml").read_text(encoding="utf-8") + REGION, "utf-8")
    blank_pdf(projet / "annexes/2019/contribution-region-2020-11-20.pdf")


# --- the content -----------------------------------------------------------------------------------------


def test_an_observation_has_a_text_and_a_suite(annee: Year, contenus: Path) -> None:
    observe(contenus, suite=None)
    edit(
        contenus / "avis.yaml",
        f'        - texte: "{OBSERVATION}"\n',
        f'        - texte: "{OBSERVATION}"\n          suitte: x\n',
    )
    with pytest.raises(ContentError) as refused:
        verification.check(annee)
    assert [str(p) for p in refused.value.problems] == [
        "contenus/2019/avis.yaml, ligne 30, colonne 11 [organismes › 1 › avis › observations › 1] : "
        "clé inconnue « suitte » ; vouliez-vous dire « suite » ?"
    ]


def test_an_avis_without_sens_is_refused_but_a_contribution_needs_none(annee: Year, contenus: Path) -> None:
    edit(contenus / "avis.yaml", "      sens: favorable\n", "")
    with pytest.raises(ContentError) as refused:
        verification.check(annee)
    assert [p.message for p in refused.value.problems] == [
        "l'avis de « Marles-les-Mines » n'a pas de « sens » ; ajoutez sens: favorable, défavorable, réservé, "
        "prend acte ou approuve."
    ]
    edit(contenus / "avis.yaml", "      seance: 18/11/2020\n", "      seance: 18/11/2020\n      sens: favorable\n")
    (contenus / "avis.yaml").write_text((contenus / "avis.yaml").read_text(encoding="utf-8") + REGION, "utf-8")
    region = verification.check(annee).content.avis.organismes[-1]
    assert region.type == "signataire" and region.avis.sens is None


def test_verifier_warns_about_an_observation_without_suite(projet: Path, contenus: Path, cli) -> None:
    observe(contenus, suite=None)
    result = cli("verifier", "2019")
    assert result.exit_code == 0, result.stderr
    assert (
        "- contenus/2019/avis.yaml, ligne 29, colonne 11 : l'observation de « Marles-les-Mines » n'a pas de suite "
        "(« Souhaite que les actions de la Cité 3 soient davantage détaillées. ») ; "
        "ajoutez « suite: … » sous son texte." in result.stderr
    )


def test_a_definitif_is_refused_while_an_observation_has_no_suite(projet: Path, contenus: Path, cli) -> None:
    send_projet(contenus)
    observe(contenus, suite=None)
    result = cli("dossier", "2019", "--version", "definitif")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:4] == [
        "Erreur : 1 erreur dans le dossier définitif :",
        "- contenus/2019/avis.yaml, ligne 30, colonne 11 : l'observation de « Marles-les-Mines » n'a pas de suite "
        "(« Souhaite que les actions de la Cité 3 soient davantage détaillées. ») ; "
        "ajoutez « suite: … » sous son texte.",
        "Chaque observation reçoit sa suite avant la version définitive. Rien n'a été écrit. Corrigez ces points, "
        "ou fabriquez une version projet (option par défaut).",
    ]
    assert not (projet / "sortie").exists()


def test_a_definitif_actes_without_a_signed_deliberation_says_how_to_register_it(
    projet: Path, contenus: Path, cli
) -> None:
    send_projet(contenus)
    result = cli("dossier", "2019", "--version", "definitif", "--actes")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:4] == [
        "Erreur : 1 erreur dans le dossier définitif :",
        "- contenus/2019/deliberation.yaml : la délibération signée du conseil communautaire n'est pas enregistrée : "
        "le dossier @ctes d'une version définitive part avec elle, en document principal.",
        "Après la séance, enregistrez la délibération signée : assembleur deliberation ajouter FICHIER --numero "
        "NUMERO --seance JJ/MM/AAAA 2019. Rien n'a été écrit. Corrigez ces points, ou fabriquez une version projet "
        "(option par défaut).",
    ]
    assert not (projet / "sortie").exists()


# --- registering the signed act ------------------------------------------------------------------------


def test_the_signed_deliberation_is_filed_and_recorded_with_the_comments_kept(
    projet: Path, contenus: Path, cli, tmp_path: Path
) -> None:
    scan = tmp_path / "Délibération signée.jpg"
    scan.write_bytes(signed_scan())
    before = (contenus / "deliberation.yaml").read_text(encoding="utf-8")
    result = cli("deliberation", "ajouter", str(scan), "--numero", "2020_245", "--seance", "15/12/2020", "2019")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "annexes/2019/deliberation-conseil-communautaire-2020-12-15.pdf\n"
    assert result.stderr == (
        "Délibération n° 2020_245 enregistrée (1 page, converti depuis JPEG) ; contenus/2019/deliberation.yaml "
        "complété. Elle sera le document principal du dossier @ctes (dossier --version definitif --actes).\n"
    )
    after = (contenus / "deliberation.yaml").read_text(encoding="utf-8")
    assert after == before + (
        "acte:\n  fichier: deliberation-conseil-communautaire-2020-12-15.pdf\n  numero: '2020_245'\n  seance: 15/12/2020\n"
    )
    acte = verification.check(Year(projet, 2019)).content.deliberation.acte
    assert (acte.numero, acte.seance) == ("2020_245", dt.date(2020, 12, 15))
    again = cli("deliberation", "ajouter", str(scan), "--numero", "2020_246", "--seance", "16/12/2020", "2019")
    assert again.exit_code == 1
    assert again.stderr == (
        "Erreur : Une délibération signée est déjà enregistrée dans contenus/2019/deliberation.yaml "
        "(n° 2020_245, deliberation-conseil-communautaire-2020-12-15.pdf).\n"
        "Pour la remplacer, retirez la rubrique « acte » de contenus/2019/deliberation.yaml, puis recommencez.\n"
    )
    assert (contenus / "deliberation.yaml").read_text(encoding="utf-8") == after


def test_a_file_that_is_not_a_scan_is_refused_and_nothing_changes(
    projet: Path, contenus: Path, cli, tmp_path: Path
) -> None:
    page = tmp_path / "deliberation.pdf"
    page.write_text("<html><body>Délibération</body></html>", encoding="utf-8")
    before = (contenus / "deliberation.yaml").read_bytes()
    files = sorted((projet / "annexes/2019").iterdir())
    result = cli("deliberation", "ajouter", str(page), "--numero", "2020_245", "--seance", "15/12/2020", "2019")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Erreur : Le fichier de la délibération signée n'est ni un PDF ni une image JPEG, PNG ou TIFF.\n"
    )
    assert (contenus / "deliberation.yaml").read_bytes() == before
    assert sorted((projet / "annexes/2019").iterdir()) == files


def test_verifier_checks_the_signed_deliberation_like_a_scan(projet: Path, contenus: Path, cli) -> None:
    scan = sign_deliberation(projet)
    scan.write_bytes(b"%PDF-1.4 tronque")
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Erreur : 1 erreur dans la délibération signée :\n"
        "- annexes/2019/deliberation-conseil-communautaire-2020-12-15.pdf : le PDF de la délibération signée "
        "est endommagé (fichier tronqué ou abîmé) ;"
    ), result.stderr
    scan.write_bytes(b"")
    assert "le fichier de la délibération signée est vide ;" in cli("verifier", "2019").stderr


def test_a_signed_deliberation_missing_or_outside_the_annexes_says_what_to_do(
    projet: Path, contenus: Path, cli, tmp_path: Path
) -> None:
    scan = sign_deliberation(projet)
    scan.unlink()
    missing = cli("verifier", "2019")
    assert missing.exit_code == 1
    assert missing.stderr.startswith(
        "Erreur : 1 erreur dans la délibération signée :\n"
        "- annexes/2019/deliberation-conseil-communautaire-2020-12-15.pdf : la délibération signée est introuvable ; "
        "déposez le scan dans annexes/2019/ ou corrigez « acte › fichier » dans deliberation.yaml.\n"
    ), missing.stderr
    elsewhere = tmp_path / "ailleurs.pdf"
    elsewhere.write_bytes(b"%PDF-1.4")
    scan.symlink_to(elsewhere)
    outside = cli("verifier", "2019")
    assert outside.exit_code == 1
    assert (
        "- annexes/2019/deliberation-conseil-communautaire-2020-12-15.pdf : la délibération signée doit se trouver "
        "dans annexes/2019/ (pas ailleurs, même par un lien) ; copiez le fichier dans ce dossier.\n"
    ) in outside.stderr


def test_a_contribution_is_registered_like_an_avis_without_a_sens(
    projet: Path, contenus: Path, cli, tmp_path: Path
) -> None:
    text = (contenus / "avis.yaml").read_text(encoding="utf-8")
    (contenus / "avis.yaml").write_text(text + "  - nom: Région Hauts-de-France\n    type: signataire\n", "utf-8")
    scan = tmp_path / "region.jpg"
    scan.write_bytes(signed_scan("Contribution de la Region"))
    commune = cli("avis", "ajouter", str(scan), "--organisme", "Auchel", "--seance", "20/11/2020", "2019")
    assert commune.exit_code == 1
    assert commune.stderr.startswith("Erreur : Le sens de l'avis de « Auchel » manque ; sens possibles : favorable,")
    result = cli(
        "avis", "ajouter", str(scan), "--organisme", "Région Hauts-de-France", "--seance", "20/11/2020", "2019"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "annexes/2019/contribution-region-hauts-de-france-2020-11-20.pdf\n"
    region = verification.check(Year(projet, 2019)).content.avis.organismes[-1]
    assert (region.avis.fichier, region.avis.sens) == ("contribution-region-hauts-de-france-2020-11-20.pdf", None)


def test_a_new_year_does_not_inherit_the_signed_act(projet: Path, cli) -> None:
    sign_deliberation(projet)
    assert cli("nouveau", "2020").exit_code == 0
    text = (projet / "contenus/2020/deliberation.yaml").read_text(encoding="utf-8")
    assert "acte:" not in text and "visas:" in text and "# yaml-language-server" in text


# --- the documents, from the data ----------------------------------------------------------------------


def test_the_deliberation_names_the_avis_the_reputes_favorables_the_excused_and_the_suites(
    annee: Year, contenus: Path, monkeypatch
) -> None:
    send_projet(contenus)
    observe(contenus)
    monkeypatch.setattr(consultation, "today", lambda: dt.date(2020, 12, 1))
    checked = verification.check(annee)
    cover = deliberation.build_deliberation(checked.content, verification.statuts(checked, ("Auchel",))).cover
    assert cover["envoi"] == "1er octobre 2020" and cover["echeance"] == "1er novembre 2020"
    assert cover["avis_recus"][0] == {
        "organisme": "Marles-les-Mines",
        "date": "18 novembre 2020",
        "sens": "favorable",
        "recu": "25 novembre 2020",
    }
    assert [a["organisme"] for a in cover["avis_recus"]] == [
        "Marles-les-Mines",
        "Bruay-La-Buissière",
        "Conseil municipal présidé par M. Frédéric WALLET",
    ]
    assert cover["sans_avis"] == ["Auchel"]
    assert "Barlin" in cover["reputes_favorables"] and "Auchel" not in cover["reputes_favorables"]
    assert cover["en_attente"] == []
    assert cover["observations"] == [{"organisme": "Marles-les-Mines", "texte": OBSERVATION, "suite": SUITE}]
    assert [a.split()[3] for a in cover["articles"]] == ["approuve", "arrête", "annexes"]
    assert cover["classification_code"] == "8.5"


def test_without_observations_the_article_on_the_suites_is_left_out(checked_2019: verification.Checked) -> None:
    cover = deliberation.build_deliberation(checked_2019.content, verification.statuts(checked_2019)).cover
    assert cover["observations"] == [] and len(cover["articles"]) == 2
    assert not any("suites" in article for article in cover["articles"])


def test_observations_and_contributions_have_their_parts_in_the_dossier(
    annee: Year, projet: Path, contenus: Path
) -> None:
    observe(contenus, suite=None)
    add_region(projet, contenus)
    checked = verification.check(annee)
    keys = [
        p.key
        for p in pieces.dossier_pieces(
            checked.content, verification.statuts(checked), "projet", "", {"rapport": "r", "parties": "p"}, 2019
        )
    ]
    assert keys == [
        "rapport",
        "grille",
        "protocole",
        "synthese",
        "observations",
        "conseil_citoyen",
        "commune",
        "signataire",
    ]
    rows = annexes.build_observations(checked.content).body[1].table.rows
    assert [[cell.lines[0] for cell in row] for row in rows[1:]] == [
        ["Marles-les-Mines", OBSERVATION, "*suite à définir*"],
        [
            "Région Hauts-de-France",
            "Demande un volet emploi des jeunes plus développé.",
            "Un chapitre emploi des jeunes sera ajouté en 2020.",
        ],
    ]
    synthese = annexes.build_synthese_avis(checked.content, verification.statuts(checked))
    assert synthese.body[0].text.startswith("Le projet de rapport a été soumis pour avis à 19 organismes")
    region = [
        item.table.rows[1] for item in synthese.body if item.table and item.table.rows[0][0].lines == ["Signataire"]
    ]
    assert [cell.lines[0] for cell in region[0]] == [
        "Région Hauts-de-France",
        "20 novembre 2020",
        "contribution reçue",
        "—",
    ]


def test_a_signatory_without_contribution_is_neither_waited_for_nor_repute_favorable(
    annee: Year, contenus: Path
) -> None:
    send_projet(contenus)
    text = (contenus / "avis.yaml").read_text(encoding="utf-8")
    (contenus / "avis.yaml").write_text(text + "  - nom: CAF du Pas-de-Calais\n    type: signataire\n", "utf-8")
    checked = verification.check(annee)
    caf = verification.statuts(checked)[-1]
    assert (caf.etat, caf.sens) == (consultation.SANS_CONTRIBUTION, "pas de contribution")
    assert "signataire" not in annexes.categories(checked.content)


def test_the_deliberation_template_is_checked_like_the_others(projet: Path, cli) -> None:
    from .aides import edit_template

    edit_template(projet / "gabarits" / "deliberation.docx", "{{ objet }}", "{{ object }}")
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    first, second = result.stderr.splitlines()[:2]
    assert first == "Erreur : 1 erreur dans les gabarits :"
    assert second.startswith("- gabarits/deliberation.docx : la balise « object » ne correspond à aucune donnée ;")
    assert "Objet : {{ object }}" in second  # the text around it


def test_a_template_folder_without_the_deliberation_only_warns(projet: Path, cli) -> None:
    (projet / "gabarits" / "deliberation.docx").unlink()
    result = cli("verifier", "2019")
    assert result.exit_code == 0, result.stderr
    assert (
        "- gabarits : pas de gabarit deliberation.docx (ou .odt) : « assembleur deliberation » ne pourra pas écrire "
        "le projet de délibération ; reprenez celui livré dans gabarits/." in result.stderr
    )


# --- @ctes ---------------------------------------------------------------------------------------------


@given(st.text())
def test_actes_file_names_are_plain_ascii(name: str) -> None:
    piece = actes.Piece(3, f"avis-{actes.ascii_name(name)}", name, Path("x.pdf"))
    assert actes.SAFE_NAME.fullmatch(piece.name)


def test_actes_names_keep_the_words(tmp_path: Path) -> None:
    assert actes.ascii_name("Conseil municipal présidé par M. Frédéric WALLET") == (
        "conseil-municipal-preside-par-m-frederic-wallet"
    )
    with pytest.raises(ValueError):
        _ = actes.Piece(1, "délibération", "", tmp_path).name


def test_the_bordereau_says_nature_classification_objet_number_date_then_each_file(tmp_path: Path) -> None:
    sources = [blank_pdf(tmp_path / f"s{index}.pdf", pages) for index, pages in enumerate((2, 1))]
    pieces = [
        actes.Piece(1, "deliberation", "Délibération n° 12", sources[0], actes.PRINCIPAL),
        actes.Piece(2, "rapport", "Rapport", sources[1]),
    ]
    transmission = actes.Transmission(
        nature="Délibération",
        classification_code="8.5",
        classification_libelle="Politique de la ville – habitat – logement",
        objet="Rapport 2019",
        numero="12",
        date="2020-12-15",
        sans_message="pas de SIREN",  # no identity: the files keep their short names
    )
    written = actes.build_package(pieces, tmp_path / "actes", transmission)
    rows = (tmp_path / "actes/bordereau.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows == [
        "nature;Délibération;code 1 (DE)",
        "classification;8.5;Politique de la ville – habitat – logement",
        "matieres;8;5",
        "date de classification;",
        "objet;Rapport 2019",
        "numero;12",
        "date;2020-12-15",
        "message;non écrit : pas de SIREN",
        "",
        "ordre;fichier;role;type de piece;titre;pages;taille (octets);sha256",
        f"1;01-deliberation.pdf;principal;;Délibération n° 12;2;{sources[0].stat().st_size};{sha256(sources[0])}",
        f"2;02-rapport.pdf;annexe;;Rapport;1;{sources[1].stat().st_size};{sha256(sources[1])}",
    ]
    assert [p.name for p in written] == ["01-deliberation.pdf", "02-rapport.pdf", "bordereau.csv"]


# --- end to end, with LibreOffice ----------------------------------------------------------------------


def _docx_text(path: Path) -> str:
    return "\n".join(paragraph.text for paragraph in WordDocument(str(path)).paragraphs)


@pytest.mark.libreoffice
def test_done_when_observation_deliberation_signed_act_and_actes(
    projet: Path, contenus: Path, cli, tmp_path: Path
) -> None:
    send_projet(contenus)
    observe(contenus)

    written = cli("deliberation", "2019")
    assert written.exit_code == 0, written.stderr
    assert written.stdout.splitlines() == [
        "sortie/2019/deliberation-2019-projet.docx",
        "sortie/2019/deliberation-2019-projet.pdf",
    ]
    text = _docx_text(projet / "sortie/2019/deliberation-2019-projet.docx")
    assert "Vu l'avis de Marles-les-Mines, rendu le 18 novembre 2020 et reçu le 25 novembre 2020 : favorable ;" in text
    assert (
        "Vu l'avis de Bruay-La-Buissière, rendu le 7 novembre 2020 et reçu le 10 novembre 2020 : prend acte ;" in text
    )
    assert (
        "l'avis des organismes suivants est réputé favorable (décret n° 2015-1118) : Auchel, Barlin, Béthune," in text
    )
    assert f"Marles-les-Mines : « {OBSERVATION} » Suite donnée : {SUITE}" in text
    assert "Classification : 8.5 – Politique de la ville – habitat – logement" in text
    assert "Vu le décret n° 2015-1118 du 3 septembre 2015" in text and "L. 1811-2" in text
    pdf = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(projet / "sortie/2019/deliberation-2019-projet.pdf").pages
    )
    assert "Article 2" in pdf and SUITE in pdf and "PROJET DE DÉLIBÉRATION" in pdf

    without = cli("dossier", "2019", "--version", "definitif", "--actes")
    assert without.exit_code == 1
    assert "la délibération signée du conseil communautaire n'est pas enregistrée" in without.stderr

    scan = tmp_path / "scan.jpg"
    scan.write_bytes(signed_scan())
    refused = cli("deliberation", "ajouter", str(scan), "--numero", "2020-245", "--seance", "15/12/2020", "2019")
    assert (refused.exit_code, refused.stderr.splitlines()[-1]) == (
        1,
        "Écrivez-le « 2020_245 » (--numero 2020_245), comme il sera transmis à la Préfecture.",
    )
    assert (
        cli("deliberation", "ajouter", str(scan), "--numero", "2020_245", "--seance", "15/12/2020", "2019").exit_code
        == 0
    )
    # without the Préfecture's file, its classification date lets the message be written
    libelle = "  libelle: Politique de la ville – habitat – logement\n"
    edit(contenus / "deliberation.yaml", libelle, f"{libelle}  date_version: 2020-06-15\n")

    result = cli("dossier", "2019", "--version", "definitif", "--actes")
    assert result.exit_code == 0, result.stderr
    folder = projet / "sortie/2019/actes-definitif"
    stem = "062-200072460-20201215-2020_245-DE-1-1"
    names = sorted(path.name for path in folder.iterdir())
    assert names[:2] == [f"{stem}_0.xml", f"99_AU-{stem}_2.pdf"] and f"99_DE-{stem}_1.pdf" in names
    schema = actes_schema()
    assert schema.validate(etree.parse(str(folder / f"{stem}_0.xml"))), schema.error_log
    signed = projet / "annexes/2019/deliberation-conseil-communautaire-2020-12-15.pdf"
    assert (folder / f"99_DE-{stem}_1.pdf").read_bytes() == signed.read_bytes()  # the act as signed
    bordereau = (folder / "bordereau.csv").read_text(encoding="utf-8-sig")
    assert "nature;Délibération" in bordereau and "classification;8.5;Politique de la ville – habitat" in bordereau
    assert "date de classification;2020-06-15" in bordereau
    assert f"1;99_DE-{stem}_1.pdf;principal;99_DE;Délibération n° 2020_245 du 15 décembre 2020;1;" in bordereau
    synthese = PdfReader(folder / f"99_AU-{stem}_5.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in synthese.pages)
    assert "Observations et suites données" in text and SUITE in text
    assert synthese.outline[0].title == "Synthèse des avis ; Observations et suites données"
    for path in folder.glob("*.pdf"):
        assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0, path.name


@pytest.mark.libreoffice
def test_a_contribution_has_its_group_in_the_dossier_and_in_actes(projet: Path, contenus: Path, cli) -> None:
    add_region(projet, contenus)
    result = cli("dossier", "2019", "--actes")
    assert result.exit_code == 0, result.stderr
    reader = PdfReader(projet / "sortie/2019/dossier-politique-de-la-ville-2019-projet-v1.pdf")
    avis = [entry for entry in reader.outline if not isinstance(entry, list)][-1]
    children = reader.outline[reader.outline.index(avis) + 1]
    titles = [entry.title for entry in children if not isinstance(entry, list)]
    assert titles == [
        "Synthèse des avis",
        "Observations et suites données",
        "Avis ou contribution des conseils citoyens",
        "Avis des communes du contrat de ville",
        "Contributions des autres signataires du contrat de ville",
    ]
    assert children[-1][0].title == "Contribution – Région Hauts-de-France"
    folder = projet / "sortie/2019/actes-projet-v1"
    names = sorted(path.name for path in folder.glob("*.pdf"))
    assert names[0] == "01-rapport.pdf"  # a projet without a signed act: the rapport leads, under short names
    assert names[-1] == "08-contribution-region-hauts-de-france.pdf"
    assert not list(folder.glob("*.xml"))  # no number nor date: no ACTES message, and the bordereau says why
    bordereau = (folder / "bordereau.csv").read_text(encoding="utf-8-sig").splitlines()
    assert bordereau[7] == (
        "message;non écrit : aucune délibération signée n'est enregistrée, or le message porte son numéro et sa "
        "date, comme les noms des fichiers ACTES (assembleur deliberation ajouter)"
    )


@pytest.mark.libreoffice
def test_the_deliberation_from_the_odt_template(projet: Path, contenus: Path, cli) -> None:
    observe(contenus)
    result = cli("deliberation", "2019", "--gabarits", "gabarits-odt")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "sortie/2019/deliberation-2019-projet.odt",
        "sortie/2019/deliberation-2019-projet.pdf",
    ]
    text = " ".join(PdfReader(projet / "sortie/2019/deliberation-2019-projet.pdf").pages[0].extract_text().split())
    assert "Objet : Rapport 2019 sur la mise en œuvre de la politique de la ville" in text


def test_a_yaml_mistake_in_deliberation_yaml_is_named_with_its_line(
    projet: Path, contenus: Path, cli, tmp_path: Path
) -> None:
    text = (contenus / "deliberation.yaml").read_text(encoding="utf-8")
    (contenus / "deliberation.yaml").write_text(text + "visas: [\n", encoding="utf-8")
    line = text.count("\n") + 2
    scan = tmp_path / "deliberation.jpg"
    scan.write_bytes(signed_scan("Deliberation"))
    result = cli("deliberation", "ajouter", str(scan), "--numero", "2020_245", "--seance", "15/12/2020", "2019")
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith(
        f"Erreur : 1 erreur dans les contenus :\n- contenus/2019/deliberation.yaml, ligne {line}, colonne 1 : "
        "le YAML est mal formé à cet endroit ;"
    ), result.stderr


def test_a_contribution_that_is_not_a_scan_is_named_a_contribution(contenus: Path, cli, tmp_path: Path) -> None:
    text = (contenus / "avis.yaml").read_text(encoding="utf-8")
    (contenus / "avis.yaml").write_text(text + "  - nom: Région Hauts-de-France\n    type: signataire\n", "utf-8")
    page = tmp_path / "region.pdf"
    page.write_text("<html><body>Contribution</body></html>", encoding="utf-8")
    result = cli(
        "avis", "ajouter", str(page), "--organisme", "Région Hauts-de-France", "--seance", "20/11/2020", "2019"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Erreur : Le fichier de la contribution de « Région Hauts-de-France » n'est ni un PDF ni une image JPEG, "
        "PNG ou TIFF.\n"
    ), result.stderr
