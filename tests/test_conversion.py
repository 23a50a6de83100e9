"""The real PDF, produced by the real LibreOffice and read back with pypdf."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from assembleur.errors import ConversionError, LibreOfficeMissing
from assembleur.fabrication import build, verification
from assembleur.pdf import convert, libreoffice
from assembleur.project import Year

from .aides import DATA
from .fidelite import compare, normalize

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def pages(rapport_2019: dict[str, Path]) -> list[str]:
    return [page.extract_text() for page in PdfReader(rapport_2019["pdf"]).pages]


def sommaire(pages: list[str]) -> list[tuple[str, int]]:
    """The entries of the sommaire page: (heading, page number)."""
    page = next(text for text in pages if text.startswith("Sommaire"))
    entries, pending = [], ""
    for line in page.splitlines()[1:]:
        pending = f"{pending} {line}".strip()
        match = re.match(r"^(.*?)\.{3,}\s*(\d+)$", pending)
        if match:
            entries.append((match[1].strip(), int(match[2])))
            pending = ""
    return entries


def test_the_pdf_has_the_cover_and_every_page_numbered(pages: list[str]) -> None:
    assert 20 <= len(pages) <= 60
    assert "Année de référence 2019" in pages[0]
    assert "arrêtée au 29 septembre 2020" in pages[0]
    for number, text in enumerate(pages[1:], start=2):
        assert f"page {number} / {len(pages)}" in text


def test_sommaire_page_numbers_are_where_the_headings_fall(pages: list[str]) -> None:
    entries = sommaire(pages)
    assert [title for title, _ in entries if title[:2] in {"1 ", "2 ", "3 "}] == [
        "1 – Le Contrat de Ville et ses orientations stratégiques",
        "2 – La programmation 2019 et les programmes connexes",
        "3 – La contribution de la programmation 2019 aux objectifs du Contrat de Ville",
    ]
    assert len(entries) >= 13
    for title, number in entries:
        assert normalize(title) in normalize(pages[number - 1]), f"« {title} » n'est pas page {number}"


def test_key_figures_are_in_the_pdf(pages: list[str]) -> None:
    text = normalize("\n".join(pages))
    for figure in [
        "1 712 989 €",
        "5 530 289 €",
        "35,3 %",
        "24,4 %",
        "191 974",
        "280 000",
        "1 595 490 €",
        "773 782 €",
        "eric edouard",
    ]:
        assert normalize(figure) in text, figure


def test_the_pdf_carries_every_fact_of_the_seed_in_order(pages: list[str]) -> None:
    problems = compare(DATA / "faits_rapport_2019.txt", "\n".join(pages))
    assert problems == []


def test_metadata_names_the_collectivite(rapport_2019: dict[str, Path]) -> None:
    metadata = PdfReader(rapport_2019["pdf"]).metadata
    assert metadata.title == "Rapport sur la mise en œuvre de la Politique de la Ville – 2019"
    assert metadata.author == "Communauté d'Agglomération Béthune-Bruay, Artois Lys Romane"


def test_qpdf_finds_the_pdf_sound(rapport_2019: dict[str, Path]) -> None:
    result = subprocess.run(["qpdf", "--check", str(rapport_2019["pdf"])], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_libreoffice_is_an_environment_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSEMBLEUR_SOFFICE", str(tmp_path / "nulle-part" / "soffice"))
    with pytest.raises(LibreOfficeMissing) as caught:
        libreoffice.find_soffice()
    assert caught.value.exit_code == 2
    assert "ASSEMBLEUR_SOFFICE désigne" in caught.value.message
    assert "apt-get install libreoffice-writer" in caught.value.advice


def test_a_hanging_libreoffice_is_stopped_by_the_timeout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(libreoffice.ENV_WARM, "non")
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 60\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("ASSEMBLEUR_SOFFICE", str(fake))
    source = tmp_path / "a.docx"
    source.write_bytes(b"x")
    with pytest.raises(ConversionError) as caught:
        libreoffice.convert_to_pdf(source, tmp_path / "a.pdf", timeout=3)
    assert caught.value.message == "LibreOffice n'a pas terminé la conversion de a.docx en 3 secondes."


def test_a_crashing_libreoffice_is_reported_and_the_previous_pdf_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(libreoffice.ENV_WARM, "non")
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("ASSEMBLEUR_SOFFICE", str(fake))
    source, target = tmp_path / "a.docx", tmp_path / "a.pdf"
    source.write_bytes(b"x")
    target.write_bytes(b"ancien PDF")
    with pytest.raises(ConversionError) as caught:
        convert.to_pdf(source, target)
    assert caught.value.message.startswith("LibreOffice n'a pas pu convertir a.docx (")
    assert target.read_bytes() == b"ancien PDF"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "a.pdf", "soffice"]


def test_concurrent_conversions_each_get_their_own_profile(tmp_path: Path, rapport_2019: dict[str, Path]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        outputs = list(
            pool.map(lambda n: libreoffice.convert_to_pdf(rapport_2019["docx"], tmp_path / f"{n}.pdf"), [1, 2])
        )
    assert [len(PdfReader(p).pages) for p in outputs] == [len(PdfReader(rapport_2019["pdf"]).pages)] * 2


def test_an_earlier_rapport_survives_a_failed_build(annee: Year, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = annee.outputs
    folder.mkdir(parents=True)
    earlier = folder / "rapport-politique-de-la-ville-2019.pdf"
    earlier.write_bytes(b"version precedente")

    def crash(pairs: list[tuple[Path, Path]], **_: object) -> list[Path]:
        pairs[0][1].write_bytes(b"moitie")
        raise ConversionError("LibreOffice s'est arrêté brutalement.")

    monkeypatch.setattr(libreoffice, "convert_batch", crash)
    with pytest.raises(ConversionError):
        build.build_rapport(annee, folder, pdf=True)
    assert earlier.read_bytes() == b"version precedente"
    assert not [p for p in folder.iterdir() if p.name.endswith(".partiel")]


def test_the_warm_converter_is_reused_restarted_when_it_dies_and_stopped(tmp_path: Path, rapport_2019) -> None:
    import json
    import os
    import signal

    libreoffice.convert_batch([(rapport_2019["docx"], tmp_path / "1.pdf")], slot=0)
    first = json.loads(libreoffice.state_file(0).read_text())["pid"]
    libreoffice.convert_batch([(rapport_2019["docx"], tmp_path / "2.pdf")], slot=0)
    assert json.loads(libreoffice.state_file(0).read_text())["pid"] == first  # reused: no new LibreOffice
    os.killpg(first, signal.SIGKILL)  # it dies
    libreoffice.convert_batch([(rapport_2019["docx"], tmp_path / "3.pdf")], slot=0)
    assert json.loads(libreoffice.state_file(0).read_text())["pid"] != first  # restarted
    assert [len(PdfReader(tmp_path / f"{n}.pdf").pages) for n in (1, 2, 3)] == [
        len(PdfReader(rapport_2019["pdf"]).pages)
    ] * 3
    assert libreoffice.stop_servers() >= 1
    assert libreoffice.servers_running() == 0


@pytest.mark.skipif(libreoffice.converter_count() < 2, reason="un seul cœur : un seul convertisseur")
def test_documents_are_converted_side_by_side_each_converter_with_its_own_profile(tmp_path: Path, rapport_2019) -> None:
    import json

    libreoffice.stop_servers()
    outputs = libreoffice.convert_many([(rapport_2019["docx"], tmp_path / f"{n}.pdf") for n in range(4)])
    assert [len(PdfReader(p).pages) for p in outputs] == [len(PdfReader(rapport_2019["pdf"]).pages)] * 4
    states = [json.loads(libreoffice.state_file(slot).read_text()) for slot in (0, 1)]
    assert states[0]["pid"] != states[1]["pid"]  # two LibreOffices worked
    profiles = sorted(p.name for p in libreoffice.state_file(0).parent.glob("profil-*"))
    assert profiles == [f"profil-{libreoffice.state_file(slot).stem}" for slot in (0, 1)]


def test_the_converter_commands(cli) -> None:
    cli("convertisseur", "arreter")
    assert cli("convertisseur", "etat").stdout == "Le convertisseur LibreOffice est arrêté.\n"
    libreoffice.start_server()
    assert cli("convertisseur", "etat").stdout == "Le convertisseur LibreOffice tourne (1 LibreOffice prêt).\n"
    stopped = cli("convertisseur", "arreter")
    assert stopped.exit_code == 0 and stopped.stderr == "Convertisseur LibreOffice arrêté.\n"


def test_the_cold_path_converts_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, rapport_2019) -> None:
    monkeypatch.setenv(libreoffice.ENV_WARM, "non")
    libreoffice.convert_many([(rapport_2019["docx"], tmp_path / "froid.pdf")])
    assert len(PdfReader(tmp_path / "froid.pdf").pages) == len(PdfReader(rapport_2019["pdf"]).pages)


def test_the_libreoffice_version_is_asked_once_until_libreoffice_changes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = tmp_path / "appels"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\necho x >> {calls}\necho 'LibreOffice 9.9.9.9 abc (X86_64)'\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("ASSEMBLEUR_SOFFICE", str(fake))
    monkeypatch.setenv(libreoffice.ENV_CACHE, str(tmp_path / "etat"))

    def asked() -> tuple[str, int]:
        libreoffice.version.cache_clear()  # a new build: a new process
        return libreoffice.version(), len(calls.read_text().splitlines())

    try:
        assert asked() == ("LibreOffice 9.9.9.9 abc", 1)
        assert asked() == ("LibreOffice 9.9.9.9 abc", 1)  # remembered
        fake.write_text(fake.read_text().replace("9.9.9.9", "10.0.0.1"), encoding="utf-8")  # an update
        assert asked() == ("LibreOffice 10.0.0.1 abc", 2)
    finally:
        libreoffice.version.cache_clear()


def test_the_python_able_to_import_uno_is_looked_for_once_until_libreoffice_changes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\n", encoding="utf-8")
    tried: list[str] = []
    monkeypatch.setattr(libreoffice, "_imports_uno", lambda python: tried.append(python) or python == "/usr/bin/python3")
    monkeypatch.setenv(libreoffice.ENV_CACHE, str(tmp_path / "etat"))

    def found() -> tuple[str, int]:
        libreoffice.find_uno_python.cache_clear()  # a new build: a new process
        return libreoffice.find_uno_python(fake), len(tried)

    try:
        first, count = found()
        assert first == "/usr/bin/python3" and count >= 1
        assert found() == (first, count)  # remembered: no Python started to try it
        fake.write_text("#!/bin/sh\n# une autre version\n", encoding="utf-8")  # LibreOffice updated
        assert found() == (first, 2 * count)
    finally:
        libreoffice.find_uno_python.cache_clear()


@pytest.mark.parametrize("warm", ["oui", "non"])
def test_a_document_wanted_in_odt_and_in_pdf_is_converted_to_both(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, rapport_2019, warm: str
) -> None:
    monkeypatch.setenv(libreoffice.ENV_WARM, warm)
    targets = [tmp_path / "rapport.odt", tmp_path / "rapport.pdf"]
    with libreoffice.Conversions() as conversions:
        futures = conversions.submit_formats(rapport_2019["docx"], targets)
    assert [future.result() for future in futures] == targets
    assert targets[0].read_bytes()[:2] == b"PK"  # a zipped OpenDocument
    assert len(PdfReader(targets[1]).pages) == len(PdfReader(rapport_2019["pdf"]).pages)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="lit /proc (Linux)")
def test_libreoffice_runs_with_the_malloc_settings_that_spare_it_page_faults() -> None:
    import json

    libreoffice.start_server(slot=0)
    group = json.loads(libreoffice.state_file(0).read_text())["pid"]
    environments = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and "soffice" in stat.read_text().split("(", 1)[1].split(")")[0]:
                environments.append(stat.with_name("environ").read_bytes().split(b"\0"))
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
    assert environments  # LibreOffice itself, started by the warm converter
    for setting in (b"MALLOC_MMAP_THRESHOLD_=268435456", b"MALLOC_TRIM_THRESHOLD_=268435456"):
        assert all(setting in environment for environment in environments)


def test_a_relative_target_is_written_in_the_callers_folder_not_the_converters(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, rapport_2019
) -> None:
    libreoffice.start_server(slot=0)  # started from another folder
    monkeypatch.chdir(tmp_path)
    libreoffice.convert_batch([(rapport_2019["docx"], Path("relatif.pdf"))], slot=0)
    assert len(PdfReader(tmp_path / "relatif.pdf").pages) == len(PdfReader(rapport_2019["pdf"]).pages)


def test_each_part_is_converted_while_the_next_ones_are_rendered_and_scans_checked_meanwhile(
    annee: Year, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pipeline's order, seen through the calls it makes (no timing): conversion starts early."""
    from pypdf import PdfWriter

    from assembleur.documents import render

    events: list[str] = []
    real_render, real_check = render.render_docx, verification.check_scans

    def rendering(document, template, output, *args, **kwargs):
        events.append(f"remplir {output.stem}")
        return real_render(document, template, output, *args, **kwargs)

    def converting(pairs: list[tuple[Path, Path]], **_: object) -> list[Path]:
        for source, target in pairs:
            events.append(f"convertir {source.stem}")
            blank = PdfWriter()
            blank.add_blank_page(595, 842)
            blank.write(target)
        return [target for _, target in pairs]

    def checking(*args, **kwargs):
        events.append("vérifier les scans")
        return real_check(*args, **kwargs)

    monkeypatch.setattr(render, "render_docx", rendering)
    monkeypatch.setattr(libreoffice, "convert_batch", converting)
    monkeypatch.setattr(verification, "check_scans", checking)
    monkeypatch.setenv(libreoffice.ENV_WARM, "oui")
    build.build_dossier(annee, annee.outputs)
    renders = [i for i, event in enumerate(events) if event.startswith("remplir")]
    conversions = [i for i, event in enumerate(events) if event.startswith("convertir")]
    assert len(renders) == len(conversions) == 6
    assert conversions[0] < renders[-1]  # the rapport was handed to LibreOffice before the last part was filled
    assert renders[-1] < events.index("vérifier les scans")  # the scans are checked once all is handed over


@pytest.mark.parametrize(
    ("wanted", "count"),
    [
        ("1", 1),
        ("2", min(2, os.cpu_count() or 1)),
        ("9", min(2, os.cpu_count() or 1)),
        ("zéro", min(2, os.cpu_count() or 1)),
    ],
)
def test_one_converter_can_be_chosen_on_a_machine_short_of_memory(
    monkeypatch: pytest.MonkeyPatch, wanted: str, count: int
) -> None:
    monkeypatch.setenv(libreoffice.ENV_COUNT, wanted)
    assert libreoffice.converter_count() == count
