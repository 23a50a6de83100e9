"""``assembleur comparer``: two versions as Word tracked changes, the same as PDF, a French summary."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

from assembleur.documents import redline

from .aides import edit

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SORTIE = "sortie/2019"
COMPARAISON = f"{SORTIE}/comparaison-2019-projet-v1-projet-v2"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def tracked_changes(docx: Path) -> list[tuple[str, str, bool, str, str]]:
    """Every tracked change of the document's body: (ins/del, its text, inside a table cell, author, date).

    A deleted or inserted paragraph also marks its paragraph sign (in w:pPr): that one is not counted apart.
    """
    with zipfile.ZipFile(docx) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    found = []
    for mark in root.iter(_w("ins"), _w("del")):
        if mark.getparent().tag == _w("rPr"):
            continue
        text = "".join(node.text or "" for node in mark.iter(_w("t"), _w("delText")))
        in_cell = any(ancestor.tag == _w("tc") for ancestor in mark.iterancestors())
        kind = "ins" if mark.tag == _w("ins") else "del"
        found.append((kind, text, in_cell, mark.get(_w("author")), mark.get(_w("date"))))
    return found


def fake_versions(projet: Path, *labels: str) -> Path:
    """Manifests of versions said to be built (their rapports are not there)."""
    folder = projet / SORTIE
    folder.mkdir(parents=True)
    for label in labels:
        (folder / f"manifeste-2019-{label}.json").write_text("{}", encoding="utf-8")
    return folder


def test_with_a_single_version_nothing_is_written(projet: Path, cli) -> None:
    folder = fake_versions(projet, "projet-v1")
    result = cli("comparer", "2019")
    assert result.exit_code == 1
    assert result.stderr == (
        "Erreur : Il faut deux versions pour comparer : 2019 n'en a qu'une (projet-v1) dans sortie/2019/. "
        "Rien n'a été écrit.\n"
        "Fabriquez une nouvelle version (assembleur dossier ou rapport), puis relancez la comparaison.\n"
    )
    assert result.stdout == ""
    assert [p.name for p in folder.iterdir()] == ["manifeste-2019-projet-v1.json"]


def test_without_any_version_the_message_says_so(projet: Path, cli) -> None:
    result = cli("comparer", "2019")
    assert result.exit_code == 1
    assert result.stderr.startswith("Erreur : Il faut deux versions pour comparer : 2019 n'en a aucune")
    assert not (projet / "sortie").exists()


def test_an_unknown_version_names_the_versions_that_exist(projet: Path, cli) -> None:
    fake_versions(projet, "projet-v1", "projet-v2")
    result = cli("comparer", "2019", "--de", "projet-v7")
    assert result.exit_code == 1
    assert result.stderr == (
        "Erreur : La version projet-v7 de 2019 n'a pas été fabriquée.\n"
        "Versions de 2019 dans sortie/2019/ : projet-v1, projet-v2.\n"
    )
    assert cli("comparer", "2019", "--a", "brouillon").stderr == (
        "Erreur : « brouillon » n'est pas un nom de version.\n"
        "Écrivez par exemple projet-v1, definitif ou 2019:definitif. Versions de 2019 : projet-v1, projet-v2.\n"
    )


def test_a_version_whose_rapport_was_deleted_is_named_with_its_file(projet: Path, cli) -> None:
    fake_versions(projet, "projet-v1", "projet-v2")
    result = cli("comparer", "2019")
    assert result.exit_code == 1
    assert result.stderr == (
        "Erreur : Le rapport Word de la version projet-v1 "
        "(sortie/2019/rapport-politique-de-la-ville-2019-projet-v1.docx) a été supprimé : "
        "la comparaison repose sur ce fichier.\n"
        "Remettez-le en place depuis une sauvegarde, ou comparez d'autres versions avec --de et --a "
        "(une version ne peut pas être refabriquée à l'identique : les contenus ont changé depuis).\n"
    )


@pytest.mark.libreoffice
def test_exactly_the_edits_are_marked_the_figure_in_each_place(projet: Path, contenus: Path, cli) -> None:
    assert cli("rapport", "2019", "--pdf").exit_code == 0
    edit(contenus / "programmation.yaml", 'credits_cget: "1 712 989 €"', 'credits_cget: "1 812 989 €"')
    edit(contenus / "chapitre1.yaml", "14 communes du territoire intercommunal", "14 communes de l'agglomération")
    item = "              - 3 participants ne résident pas sur le territoire de la Communauté d'Agglomération"
    text = (contenus / "chapitre2.yaml").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines(keepends=True) if line.startswith(item))
    edit(contenus / "chapitre2.yaml", line, "")  # one list item deleted
    edit(contenus / "chapitre2.yaml", '{nom: "PYRAMIDE", projets: 1}', '{nom: "PYRAMIDE", projets: 2}')
    edit(contenus / "avis.yaml", "      sens: prend acte", "      sens: favorable")  # not in the rapport's text
    scans = projet / "annexes" / "2019"
    shutil.copyfile(scans / "avis-marles-les-mines-2020-11-18.pdf", scans / "avis-auchel-2020-11-20.pdf")
    received = "    avis:\n      fichier: avis-auchel-2020-11-20.pdf\n      seance: 20/11/2020\n      sens: réservé\n"
    edit(
        contenus / "avis.yaml",
        "  - nom: Auchel\n    type: commune\n",
        f"  - nom: Auchel\n    type: commune\n{received}",
    )
    assert cli("rapport", "2019", "--pdf").exit_code == 0

    result = cli("comparer", "2019")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [f"{COMPARAISON}.docx", f"{COMPARAISON}.pdf"]
    changes = tracked_changes(projet / f"{COMPARAISON}.docx")
    built = (projet / SORTIE / "manifeste-2019-projet-v2.json").stat().st_mtime
    date = dt.datetime.fromtimestamp(built, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert {(author, when) for *_, author, when in changes} == {("assembleur", date)}
    # word-level: the figure twice (the list of chapter 2 and a heading), one phrase, one item, one cell
    assert sorted((kind, text, in_cell) for kind, text, in_cell, *_ in changes) == sorted(
        [
            ("del", "712", False),
            ("ins", "812", False),
            ("del", "712", False),
            ("ins", "812", False),
            ("del", "du territoire intercommunal", False),
            ("ins", "de l'agglomération", False),
            ("del", line.strip()[2:], False),
            ("del", "1", True),
            ("ins", "2", True),
        ]
    )
    summary = result.stderr
    assert summary.startswith("Modifications entre la v1 et la v2 (9 au total) :\n")
    # the figure named by its words in the newer rapport, then its key in programmation.yaml
    assert (
        "- chiffre clé « 1\u202f812\u202f989\u00a0€ de crédits CGET (Etat) ont été mobilisés pour la programmation "
        "2019 … » (credits_cget) : 1\u202f712\u202f989\u00a0€ → 1\u202f812\u202f989\u00a0€\n"
    ) in summary
    assert re.search(
        r"- tableau « Les Associations\s?: » \(2\.1 La programmation 2019[^)]*\) : 1 cellule modifiée", summary
    )
    assert "- sections modifiées : La géographie prioritaire sur la Communauté d'Agglomération; 2.1 " in summary
    assert "- avis « Bruay-La-Buissière » : prend acte → favorable\n" in summary
    assert "- avis « Auchel » : nouvel avis, réservé\n" in summary
    pages = len(PdfReader(projet / SORTIE / "rapport-politique-de-la-ville-2019-projet-v2.pdf").pages)
    assert f"- pages du rapport : {pages} → {pages}\n" in summary

    pdf = PdfReader(projet / f"{COMPARAISON}.pdf")
    first = pdf.pages[0].extract_text()
    assert "Modifications entre la v1 et la v2" in first
    assert "(credits_cget) : 1" in first and "1 cellule modifiée" in first
    assert "Auchel : nouvel avis, réservé (séance du 20 novembre 2020)" in first
    assert len(pdf.pages) == pages + 1  # the summary page, then the rapport
    shown = subprocess.run(
        ["pdftotext", "-layout", str(projet / f"{COMPARAISON}.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    # deleted text stays visible (struck through) beside the inserted text
    assert re.search(r"de l'agglomérationdu territoire intercommunal|du territoire intercommunal\s*de l'agglo", shown)


@pytest.mark.libreoffice
def test_version_marks_are_never_changes(projet: Path, cli) -> None:
    assert cli("rapport", "2019").exit_code == 0
    assert cli("rapport", "2019", "--version", "definitif").exit_code == 0

    forward = cli("comparer", "2019")
    backward = cli("comparer", "2019", "--de", "definitif", "--a", "projet-v1")

    assert forward.exit_code == backward.exit_code == 0
    assert forward.stderr.startswith("Modifications entre la v1 et la version définitive (0 au total) :\n")
    assert tracked_changes(projet / f"{SORTIE}/comparaison-2019-projet-v1-definitif.docx") == []
    compared = projet / f"{SORTIE}/comparaison-2019-definitif-projet-v1.docx"
    assert tracked_changes(compared) == []
    with zipfile.ZipFile(compared) as archive:  # the newer version's own marks stay, unmarked
        assert "PROJET" in archive.read("word/document.xml").decode()
    manifest = json.loads((projet / SORTIE / "manifeste-2019-definitif.json").read_text(encoding="utf-8"))
    assert manifest["resume"]["chiffres"]["credits_cget"] == "1\u202f712\u202f989\u00a0€"


@pytest.mark.libreoffice
def test_a_version_of_another_year_can_be_compared(projet: Path, contenus: Path, cli) -> None:
    assert cli("rapport", "2019").exit_code == 0
    shutil.copytree(contenus, projet / "contenus" / "2020")
    shutil.copytree(projet / "annexes" / "2019", projet / "annexes" / "2020")
    edit(projet / "contenus/2020/rapport.yaml", "annee: 2019 ", "annee: 2020 ")
    edit(projet / "contenus/2020/rapport.yaml", "de référence 2019**", "de référence 2020**")
    assert cli("rapport", "2020").exit_code == 0

    result = cli("comparer", "2020", "--de", "2019:projet-v1")

    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("Modifications entre la v1 2019 et la v1 2020 (4 au total) :\n")
    assert result.stdout.splitlines()[0] == "sortie/2020/comparaison-2020-2019-projet-v1-projet-v1.docx"
    changes = tracked_changes(projet / "sortie/2020/comparaison-2020-2019-projet-v1-projet-v1.docx")
    assert sorted(change[:3] for change in changes) == [("del", "2019", False)] * 2 + [("ins", "2020", False)] * 2


def test_the_same_version_twice_is_refused(projet: Path, cli) -> None:
    fake_versions(projet, "projet-v1", "projet-v2")
    same = cli("comparer", "2019", "--de", "v2", "--a", "projet-v2")
    assert same.exit_code == 1
    assert same.stderr == (
        "Erreur : --de et --a désignent la même version (projet-v2).\n"
        "Précisez --de ou --a (versions : projet-v1, projet-v2).\n"
    )


def _paragraph(text: str) -> etree._Element:
    paragraph = etree.Element(_w("p"))
    run = etree.SubElement(paragraph, _w("r"))
    etree.SubElement(run, _w("rPr"))
    node = etree.SubElement(run, _w("t"))
    node.text = text
    return paragraph


WORDS = st.lists(st.sampled_from(["le", "la", "1\u202f712", "812", "€", "Béthune", "QPV", ";", "projet"]), max_size=12)


@given(old=WORDS, new=WORDS)
def test_a_changed_cell_line_reads_as_the_new_text_accepted_and_the_old_rejected(
    old: list[str], new: list[str]
) -> None:
    old_text, new_text = " ".join(old), " ".join(new)
    paragraph = _paragraph(new_text)
    redline._redline_paragraph(
        paragraph, _paragraph(old_text), redline._Marker("assembleur", "2020-10-01T12:00:00Z", 1)
    )

    def text(accepted: bool) -> str:
        """The line with every change accepted, or every change rejected."""
        nodes = paragraph.iter(_w("t"), _w("delText"))
        if accepted:
            return "".join(node.text for node in nodes if node.tag == _w("t"))
        inserted = {node for mark in paragraph.iter(_w("ins")) for node in mark.iter(_w("t"))}
        return "".join(node.text for node in nodes if node not in inserted)

    assert text(accepted=True) == new_text
    assert text(accepted=False) == old_text
    marks = list(paragraph.iter(_w("ins"), _w("del")))
    assert (marks == []) == (old_text == new_text)  # an unchanged line carries no mark
    assert all(m.get(_w("author")) == "assembleur" for m in marks)


def test_a_missing_summary_template_is_named_before_any_work(projet: Path, cli) -> None:
    folder = fake_versions(projet, "projet-v1", "projet-v2")
    for label in ("projet-v1", "projet-v2"):
        (folder / f"rapport-politique-de-la-ville-2019-{label}.docx").write_bytes(b"")
    (projet / "gabarits" / "comparaison.docx").unlink()
    result = cli("comparer", "2019")
    assert result.exit_code == 1
    assert result.stderr == (
        "Erreur : Le gabarit de la page de synthèse est introuvable : gabarits/comparaison.docx.\n"
        "Reprenez-le dans le projet livré (gabarits/comparaison.docx), ou refaites-le avec "
        "« python outils/fabriquer_gabarits.py ».\n"
    )


def test_a_changed_figure_is_named_by_its_words_in_the_rapport_then_its_key(projet: Path) -> None:
    from assembleur.documents.redline import Changes
    from assembleur.fabrication import comparer, manifest
    from assembleur.project import Year

    folder = projet / SORTIE
    folder.mkdir(parents=True)
    figures = {"projet-v1": ("71", "—"), "projet-v2": ("85", "85 emplois francs ont été signés en 2019")}
    for label, (value, words) in figures.items():
        resume = {"chiffres": {"emplois_francs": value, "feder_iti": value}, "avis": {}}
        if label == "projet-v2":
            resume["libelles_chiffres"] = {"emplois_francs": words}
        manifest.write_manifest(folder / f"manifeste-2019-{label}.json", projet, {}, [], [], resume=resume)
    older, newer = comparer.choose(Year(projet, 2019), "projet-v1", "projet-v2")
    told = comparer.summary(older, newer, Changes(), dt.datetime(2020, 10, 1))
    assert told["chiffres"] == [
        {"nom": "« 85 emplois francs ont été signés en 2019 » (emplois_francs)", "avant": "71", "apres": "85"},
        {"nom": "feder_iti", "avant": "71", "apres": "85"},  # a manifest that keeps no words for it
    ]
