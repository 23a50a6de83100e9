"""The assembled dossier, built with the real LibreOffice and read back with pypdf and qpdf."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from assembleur.documents import annexes
from assembleur.fabrication import verification
from assembleur.project import Year

from .aides import PARTS, PROJET_FIGE
from .fidelite import normalize

pytestmark = pytest.mark.libreoffice

DOSSIER = "dossier-politique-de-la-ville-2019-projet-v1.pdf"
SCANS = [
    ("Marles-les-Mines", "avis-marles-les-mines-2020-11-18.pdf"),
    ("Bruay-La-Buissière", "avis-bruay-la-buissiere-2020-11-07.pdf"),
    ("Conseil municipal présidé par M. Frédéric WALLET", "avis-conseil-municipal-2020-11-02.pdf"),
]


@pytest.fixture(scope="module")
def reader(dossier_2019: dict[str, Path]) -> PdfReader:
    return PdfReader(dossier_2019[DOSSIER])


@pytest.fixture(scope="module")
def text(reader: PdfReader) -> str:
    return normalize("\n".join(page.extract_text() for page in reader.pages))


def outline(reader: PdfReader, items: list | None = None, depth: int = 0) -> list[tuple[int, str, int]]:
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += outline(reader, item, depth + 1)
        else:
            found.append((depth, item.title, reader.get_destination_page_number(item)))
    return found


def test_page_count_is_the_sum_of_the_parts(reader: PdfReader, dossier_2019: dict[str, Path]) -> None:
    parts = sum(len(PdfReader(dossier_2019[name]).pages) for name in PARTS)
    scans = sum(len(PdfReader(PROJET_FIGE / "annexes" / "2019" / name).pages) for _, name in SCANS)
    assert len(reader.pages) == parts + scans


def test_one_bookmark_per_part_and_per_avis_in_the_seed_order(reader: PdfReader) -> None:
    titles = [(depth, title) for depth, title, _ in outline(reader)]
    assert titles == [
        (0, "Rapport sur la mise en œuvre de la Politique de la Ville – 2019"),
        (0, "Annexe 1 – Grille de répartition des actions par priorité"),
        (0, "Annexe 2 – Protocole d'engagements réciproques et renforcés 2019-2022"),
        (0, "Avis des conseils citoyens et des communes"),
        (1, "Synthèse des avis"),
        (1, "Avis ou contribution des conseils citoyens"),
        (1, "Avis des communes du contrat de ville"),
        *[(2, f"Avis – {nom}") for nom, _ in SCANS],
    ]
    pages = [page for _, _, page in outline(reader)]
    assert pages == sorted(pages) and pages[0] == 0


def test_every_page_can_be_cited_by_its_label(reader: PdfReader) -> None:
    labels = reader.page_labels
    assert len(set(labels)) == len(labels)
    assert labels[0] == "1" and "A1-1" in labels and "A2-1" in labels and labels[-1].startswith("Avis-")


def test_scans_are_carried_over_with_their_images_unchanged(reader: PdfReader) -> None:
    def images(page) -> list[bytes]:
        xobjects = page["/Resources"].get("/XObject", {})
        return [
            xobjects[n].get_object().get_data() for n in xobjects if xobjects[n].get_object()["/Subtype"] == "/Image"
        ]

    scan_pages = [page for _, name in SCANS for page in PdfReader(PROJET_FIGE / "annexes" / "2019" / name).pages]
    tail = reader.pages[len(reader.pages) - len(scan_pages) :]
    for original, merged in zip(scan_pages, tail, strict=True):
        assert images(merged) == images(original) != []


def test_metadata(reader: PdfReader) -> None:
    assert reader.metadata.title == "Rapport sur la mise en œuvre de la Politique de la Ville – 2019 – dossier complet"
    assert reader.metadata.author == "Communauté d'Agglomération Béthune-Bruay, Artois Lys Romane"
    assert "politique de la ville" in reader.metadata.subject
    assert "CABBALR" in reader.metadata["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"


def test_qpdf_check_passes(dossier_2019: dict[str, Path]) -> None:
    result = subprocess.run(["qpdf", "--check", str(dossier_2019[DOSSIER])], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_grid_carries_every_sous_priorite_and_action(text: str, checked_2019: verification.Checked) -> None:
    content = checked_2019.content
    for sous in content.contrat.strategie.at_level(3):
        assert normalize(f"{sous.code} {sous.titre}") in text
    for action in content.programmation.actions:
        assert normalize(action.titre) in text, action.titre


def test_the_protocole_carries_every_article_and_every_indicator(text: str, checked_2019: verification.Checked) -> None:
    content = checked_2019.content
    for section in content.protocole.sections:
        assert normalize(section.titre) in text, section.titre
    for priorite in content.feuille_de_route.priorites:
        titre = priorite.intitule_protocole or content.contrat.strategie.element(priorite.numero).titre
        assert normalize(f"PRIORITE n°{priorite.numero} : {titre}") in text
        for indicateur in priorite.indicateurs:
            assert normalize(indicateur) in text, indicateur


def test_the_summary_and_the_intercalaires_are_there(text: str, checked_2019) -> None:
    for title in annexes.categories(checked_2019.content).values():  # no contribution in 2019: no such group
        assert normalize(title) in text
    assert normalize("Synthèse des avis recueillis") in text
    assert normalize("Marles-les-Mines 18 novembre 2020 favorable 25 novembre 2020") in text


def test_a_broken_scan_stops_the_build_before_anything_is_written(projet: Path, cli) -> None:
    (projet / "annexes" / "2019" / "avis-marles-les-mines-2020-11-18.pdf").write_bytes(b"%PDF-1.4\n")
    result = cli("dossier", "2019")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Dossier 2019 : vérification, mise en page, conversion en PDF et assemblage…\n"
        "Erreur : 1 erreur dans les avis scannés :\n"
        "- annexes/2019/avis-marles-les-mines-2020-11-18.pdf : le PDF de l'avis de « Marles-les-Mines » est endommagé"
    )
    assert not (projet / "sortie").exists()


def test_verifier_checks_the_scans_too(projet: Path, cli) -> None:
    (projet / "annexes" / "2019" / "avis-bruay-la-buissiere-2020-11-07.pdf").unlink()
    result = cli("verifier", "2019")
    assert result.exit_code == 1
    assert (
        "annexes/2019/avis-bruay-la-buissiere-2020-11-07.pdf : l'avis de « Bruay-La-Buissière » est introuvable"
        in result.stderr
    )


def test_dossier_command_prints_every_file(projet: Path, cli) -> None:
    result = cli("dossier", "2019", "--sortie", "livraison")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-2:] == [f"livraison/{DOSSIER}", "livraison/manifeste-2019-projet-v1.json"]
    assert "livraison/parties/projet-v1/annexe-1-grille-des-actions-2019.pdf" in lines
    assert all((projet / line).is_file() for line in lines)
    assert Year(projet, 2019).outputs.exists() is False


def test_the_grid_is_landscape_and_readable_in_print(dossier_2019: dict[str, Path]) -> None:
    grid = PdfReader(dossier_2019["annexe-1-grille-des-actions-2019.pdf"])
    sizes: set[float] = set()

    def collect(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            sizes.add(round(size * tm[0] * cm[0], 1))

    for page in grid.pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)
        page.extract_text(visitor_text=collect)
    assert min(sizes) >= 7
    # the header row is repeated on every page of the grid
    assert all("Actions 2019 : titre - commune (porteur)" in page.extract_text() for page in grid.pages)
