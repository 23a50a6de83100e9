"""ODT templates with the same tags: ODT in, ODT and PDF out, the same text as the Word path."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from .aides import DATA
from .fidelite import compare, normalize

pytestmark = pytest.mark.libreoffice


@pytest.fixture
def odt_project(projet: Path) -> Path:
    """The project copy, which holds the ODT set of templates beside the Word one."""
    assert (projet / "gabarits-odt" / "rapport.odt").is_file()
    return projet


def test_the_odt_set_writes_odt_and_pdf_with_the_same_text_as_word(odt_project: Path, cli, rapport_2019) -> None:
    result = cli("rapport", "2019", "--gabarits", "gabarits-odt", "--pdf")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "sortie/2019/rapport-politique-de-la-ville-2019-projet-v1.odt",
        "sortie/2019/rapport-politique-de-la-ville-2019-projet-v1.pdf",
    ]
    odt = odt_project / "sortie/2019/rapport-politique-de-la-ville-2019-projet-v1.odt"
    assert zipfile.ZipFile(odt).read("mimetype") == b"application/vnd.oasis.opendocument.text"
    pdf = PdfReader(odt_project / "sortie/2019/rapport-politique-de-la-ville-2019-projet-v1.pdf")
    odt_text = "\n".join(page.extract_text() for page in pdf.pages)
    assert compare(DATA / "faits_rapport_2019.txt", odt_text) == []  # every heading, figure, cell and item
    word = PdfReader(rapport_2019["pdf"])
    assert len(pdf.pages) == len(word.pages)
    for page_odt, page_word in zip(pdf.pages[2:], word.pages[2:], strict=True):  # past cover and sommaire
        assert (
            normalize(page_odt.extract_text()).split("rapport sur la mise en oeuvre")[0]
            == normalize(page_word.extract_text()).split("rapport sur la mise en oeuvre")[0]
        )


def test_the_odt_set_makes_a_whole_dossier(odt_project: Path, cli) -> None:
    result = cli("dossier", "2019", "--gabarits", "gabarits-odt")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "sortie/2019/parties/projet-v1/annexe-1-grille-des-actions-2019.odt" in lines
    assert lines[-2] == "sortie/2019/dossier-politique-de-la-ville-2019-projet-v1.pdf"


def test_verifier_reads_odt_templates_too(odt_project: Path, cli) -> None:
    result = cli("verifier", "2019", "--gabarits", "gabarits-odt")
    assert result.exit_code == 0, result.stderr


def test_two_templates_for_one_document_is_refused(projet: Path, cli) -> None:
    shutil.copy(projet / "gabarits-odt" / "rapport.odt", projet / "gabarits" / "rapport.odt")
    result = cli("rapport", "2019")
    assert result.exit_code == 1
    assert "Erreur : Deux gabarits pour le même document : rapport.docx et rapport.odt dans" in result.stderr
