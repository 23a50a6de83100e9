"""The atelier, driven in a real browser (Debian's chromium through Playwright) against the real command.

Each test starts ``assembleur atelier 2019 --port N --sans-navigateur`` in a
copy of the project, reads the address it prints (with its secret token),
and stops it with Ctrl+C at the end.
"""

from __future__ import annotations

import datetime as dt
import html
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from assembleur.contenus import consultation
from tests.aides import REPO, says, send_projet

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCAN = Path("annexes") / "2019" / "avis-marles-les-mines-2020-11-18.pdf"


@dataclass
class Atelier:
    address: str  # with the token
    base: str  # http://127.0.0.1:PORT
    port: int
    token: str
    root: Path
    log: Path
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(projet: Path) -> Iterator[Atelier]:
    """The real command, serving the project copy; stopped by Ctrl+C (SIGINT), which must end it cleanly."""
    port = free_port()
    log = projet.parent / f"atelier-{port}.log"
    with log.open("wb") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "assembleur", "atelier", "2019", "--port", str(port), "--sans-navigateur"],
            cwd=projet,
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not (match := re.search(r"http://127\.0\.0\.1:\d+/\?jeton=(\S+)", log.read_text(encoding="utf-8"))):
            assert process.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, "l'atelier n'a pas affiché son adresse"
            time.sleep(0.05)
        yield Atelier(match[0], f"http://127.0.0.1:{port}", port, match[1], projet, log, process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        code = process.wait(timeout=120)
    text = log.read_text(encoding="utf-8")
    assert code == 0, text
    assert text.rstrip().endswith("Atelier arrêté."), text


@pytest.fixture
def atelier(projet: Path) -> Iterator[Atelier]:
    yield from serve(projet)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def request(atelier: Atelier, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""):
    """A raw HTTP request (what another program or another site could send)."""
    connection = http.client.HTTPConnection("127.0.0.1", atelier.port, timeout=30)
    connection.request(
        method, path, body=body or None, headers={"Host": f"127.0.0.1:{atelier.port}", **(headers or {})}
    )
    try:
        response = connection.getresponse()
        return response.status, html.unescape(response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def snapshot(root: Path) -> tuple[bytes, dict[str, bytes]]:
    """avis.yaml and every file of annexes/2019/, byte for byte."""
    folder = root / "annexes" / "2019"
    return (root / "contenus/2019/avis.yaml").read_bytes(), {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- the bad paths, each refused -----------------------------------------------------


def test_a_request_without_the_token_is_refused_in_french(atelier: Atelier) -> None:
    status, body = request(atelier, "GET", "/")
    assert status == 403
    assert "<h1>Accès refusé</h1>" in body
    assert "Il manque le jeton secret de l'atelier." in body
    status, _ = request(atelier, "GET", "/?jeton=" + "x" * len(atelier.token))
    assert status == 403
    status, _ = request(atelier, "GET", "/telecharger/x.pdf", {"Cookie": "assembleur_jeton=faux"})
    assert status == 403


def test_the_token_becomes_an_httponly_strict_cookie(atelier: Atelier) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", atelier.port, timeout=30)
    connection.request("GET", f"/?jeton={atelier.token}", headers={"Host": f"localhost:{atelier.port}"})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 303
    assert response.getheader("Location") == "/"  # the token leaves the address bar
    cookie = response.getheader("Set-Cookie")
    assert cookie.startswith(f"assembleur_jeton={atelier.token};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_a_request_with_another_host_is_refused(atelier: Atelier) -> None:
    for host in (f"attaquant.example:{atelier.port}", "127.0.0.1", f"127.0.0.1:{atelier.port + 1}"):
        status, body = request(atelier, "GET", f"/?jeton={atelier.token}", {"Host": host})
        assert status == 403, host
        assert "<h1>Adresse refusée</h1>" in body


def test_a_form_without_its_csrf_token_or_from_another_site_is_refused(atelier: Atelier) -> None:
    before = snapshot(atelier.root)
    cookie = {"Cookie": f"assembleur_jeton={atelier.token}", "Content-Type": "application/x-www-form-urlencoded"}
    status, body = request(atelier, "POST", "/fabriquer", cookie, b"version=projet")
    assert status == 403
    assert "<h1>Formulaire refusé</h1>" in body
    status, body = request(
        atelier, "POST", "/fabriquer", {**cookie, "Origin": "http://attaquant.example"}, b"version=projet&csrf=x"
    )
    assert status == 403
    assert "Un formulaire venu d'un autre site (http://attaquant.example) est refusé." in body
    assert snapshot(atelier.root) == before
    assert not (atelier.root / "sortie").exists()


def test_nothing_outside_the_outputs_can_be_read(atelier: Atelier) -> None:
    cookie = {"Cookie": f"assembleur_jeton={atelier.token}"}
    for path in (
        "/telecharger/../../contenus/2019/avis.yaml",
        "/telecharger/%2e%2e/%2e%2e/contenus/2019/avis.yaml",
        "/telecharger/..%2f..%2fannexes/2019/avis-marles-les-mines-2020-11-18.pdf",
        "/telecharger//etc/passwd",
        "/actes/..%2f..%2fannexes.zip",
        "/static/../app.py",
    ):
        status, body = request(atelier, "GET", path, cookie)
        assert status == 404, path
        assert "avis:" not in body and "root:" not in body


def test_an_html_file_sent_as_a_scan_is_refused_next_to_its_field(atelier: Atelier, page, tmp_path: Path) -> None:
    fake = tmp_path / "deliberation.pdf"  # its name lies; its bytes are a web page
    fake.write_text("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", encoding="utf-8")
    before = snapshot(atelier.root)
    page.goto(atelier.address)
    page.get_by_role("link", name="Enregistrer un avis", exact=True).click()
    page.get_by_label("Organisme").select_option("Auchel")
    page.get_by_label("Fichier scanné").set_input_files(fake)
    page.get_by_label("Date de la séance").fill("2020-11-18")
    page.get_by_label("Sens de l'avis").select_option("favorable")
    page.get_by_role("button", name="Enregistrer l'avis").click()
    alert = page.locator("#fichier ~ [role=alert]")
    assert alert.inner_text() == (
        "Le fichier de l'avis de « Auchel » n'est ni un PDF ni une image JPEG, PNG ou TIFF. "
        "Envoyez le scan de la délibération au format PDF (ou en image JPEG, PNG ou TIFF)."
    )
    field = page.get_by_label("Fichier scanné")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.get_attribute("aria-describedby") == alert.get_attribute("id")
    assert page.get_by_label("Organisme").input_value() == "Auchel"  # what was typed is kept
    assert page.get_by_label("Date de la séance").input_value() == "2020-11-18"
    assert snapshot(atelier.root) == before


def test_every_field_has_its_label(atelier: Atelier, page) -> None:
    page.goto(atelier.address)
    page.goto(f"{atelier.base}/avis")
    for label in ("Organisme", "Fichier scanné", "Date de la séance", "Sens de l'avis", "Date de réception"):
        assert page.get_by_label(label, exact=True).count() == 1, label
    assert page.get_by_label("Organisme").evaluate("e => e.tagName") == "SELECT"
    names = page.get_by_label("Organisme").locator("option").all_inner_texts()
    assert "Auchel" in names and "Marles-les-Mines" not in names  # only the bodies still awaited
    assert page.get_by_label("Date de réception").input_value() == consultation.today().isoformat()


def test_a_build_while_another_holds_the_lock_says_so(atelier: Atelier, page) -> None:
    lock = atelier.root / ".cache" / "assembleur" / "fabrication-2019.verrou"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text(
        json.dumps({"pid": os.getpid(), "machine": socket.gethostname(), "commande": "assembleur dossier 2019"}),
        encoding="utf-8",
    )
    page.goto(atelier.address)
    page.get_by_role("button", name="Fabriquer une version projet").click()
    alert = page.locator("#progression [role=alert]")
    alert.wait_for()
    assert alert.locator("p").first.inner_text() == (
        f"Une autre fabrication est en cours : « assembleur dossier 2019 » "
        f"(processus {os.getpid()} sur {socket.gethostname()})."
    )
    assert lock.exists()
    assert not list((atelier.root / "sortie" / "2019").glob("*.pdf")) if (atelier.root / "sortie").exists() else True


# --- the full flow ---------------------------------------------------------------------


@pytest.mark.libreoffice
def test_full_flow_pending_communes_an_avis_a_projet_and_its_download(projet: Path, page, tmp_path: Path) -> None:
    sent = consultation.today() - dt.timedelta(days=5)
    send_projet(projet / "contenus" / "2019", sent.isoformat())
    left = (consultation.add_months(sent, 1) - consultation.today()).days
    with _serving(projet) as atelier:
        page.goto(atelier.address)
        assert page.get_by_role("heading", level=1).inner_text() == "L'année 2019"
        row = page.locator("#consultation tr", has=page.get_by_role("rowheader", name="Auchel", exact=True))
        assert row.locator("td").all_inner_texts() == ["en attente", f"{left} jours restants"]
        marles = page.locator("#consultation tr", has=page.get_by_role("rowheader", name="Marles-les-Mines"))
        assert marles.locator("td").all_inner_texts() == [
            "reçu",
            "reçu le 25 novembre 2020 — séance du 18 novembre 2020, favorable",
        ]

        # an avis arrives: a real scan
        page.get_by_role("link", name="Enregistrer un avis", exact=True).click()
        page.get_by_label("Organisme").select_option("Auchel")
        page.get_by_label("Fichier scanné").set_input_files(projet / SCAN)
        page.get_by_label("Date de la séance").fill("2020-11-18")
        page.get_by_label("Sens de l'avis").select_option("prend acte")
        page.get_by_label("Date de réception").fill("2020-11-20")
        page.get_by_role("button", name="Enregistrer l'avis").click()
        expect(page.get_by_role("status")).to_have_text(
            "L'avis de « Auchel » est enregistré : annexes/2019/avis-auchel-2020-11-18.pdf (2 pages), "
            "avis.yaml complété."
        )
        assert (projet / "annexes/2019/avis-auchel-2020-11-18.pdf").read_bytes() == (projet / SCAN).read_bytes()
        page.get_by_role("link", name="L'année").click()
        # expect() waits for the new page; reading at once could see it half loaded
        expect(row.locator("td")).to_have_text(
            ["reçu", "reçu le 20 novembre 2020 — séance du 18 novembre 2020, prend acte"]
        )

        # a projet, built in the background; a second click meanwhile is told to wait
        page.get_by_role("button", name="Fabriquer une version projet").click()
        page.locator("#progression[data-en-cours=oui]").wait_for()
        page.get_by_role("button", name="Fabriquer une version projet").click()
        assert page.locator("#fabrication > [role=alert]").inner_text() == (
            "Une fabrication est déjà en cours (une version projet) : attendez qu'elle se termine."
        )
        page.locator("#progression .ok").wait_for(timeout=180_000)
        assert page.locator("#progression .ok").inner_text() == "Version projet v1 fabriquée."

        link = page.get_by_role("link", name="dossier-politique-de-la-ville-2019-projet-v1.pdf")
        with page.expect_download() as waiting:
            link.click()
        download = tmp_path / "telecharge.pdf"
        waiting.value.save_as(download)
        built = projet / "sortie/2019/dossier-politique-de-la-ville-2019-projet-v1.pdf"
        assert download.read_bytes() == built.read_bytes()
        reader = PdfReader(download)
        outline = _flat_outline(reader)
        assert "Avis – Auchel" in outline and "Avis – Marles-les-Mines" in outline
        first_auchel = outline["Avis – Auchel"]
        scan_pages = len(PdfReader(projet / SCAN).pages)
        assert sorted(outline.values()).index(first_auchel) < len(outline) - 1
        assert says(reader.pages[first_auchel], "PROJET")  # the watermark on the scan's page (drawn, an artifact)
        assert len(reader.pages) > first_auchel + scan_pages - 1
        for label in (
            "rapport-politique-de-la-ville-2019-projet-v1.docx",
            "rapport-politique-de-la-ville-2019-projet-v1.pdf",
        ):
            assert page.get_by_role("link", name=label).count() == 1

        # the preview shows that dossier, with its bookmarks
        page.get_by_role("link", name="Aperçu").click()
        assert page.locator("#nom-apercu").inner_text() == "dossier-politique-de-la-ville-2019-projet-v1.pdf"
        assert page.get_by_role("navigation", name="Signets").get_by_role("link", name="Avis – Auchel").count() == 1
        first = page.get_by_role("img", name="Page 1 du dossier")
        first.scroll_into_view_if_needed()
        page.wait_for_function("() => document.querySelector('#page-1 img').naturalWidth > 0")

        page.get_by_role("link", name="L'année").click()
        capture = os.environ.get("ASSEMBLEUR_CAPTURE")
        if capture:  # the README's screenshot: ASSEMBLEUR_CAPTURE=docs/atelier.png (from the repository)
            _screenshot(page, REPO / capture)


@pytest.mark.libreoffice
def test_the_final_version_refused_lists_its_reasons_and_writes_nothing(atelier: Atelier, page) -> None:
    page.goto(atelier.address)
    page.get_by_role("button", name="Fabriquer la version définitive").click()
    alert = page.locator("#progression [role=alert]")
    alert.wait_for(timeout=60_000)
    assert alert.locator("p").first.inner_text() == "16 erreurs dans le dossier définitif :"
    reasons = alert.locator("ul.raisons li").all_inner_texts()
    assert len(reasons) == 16
    assert reasons[0] == (
        "contenus/2019/avis.yaml, ligne 35 : avis manquant : Auchel (date d'envoi du projet inconnue : "
        "renseignez consultation.envoi dans avis.yaml)"
    )
    assert not list((atelier.root / "sortie").rglob("*.pdf")) if (atelier.root / "sortie").exists() else True


@pytest.mark.libreoffice
def test_the_preview_refreshes_by_itself_when_a_content_file_is_saved(atelier: Atelier, page) -> None:
    page.goto(atelier.address)
    page.get_by_role("link", name="Aperçu").click()
    expect(page.get_by_text("Aucun dossier fabriqué pour l'instant.")).to_have_count(1)
    rapport = atelier.root / "contenus/2019/rapport.yaml"
    text = rapport.read_text(encoding="utf-8")
    rapport.write_text(text.replace("  titre: Conclusion", "  titre: Conclusion et perspectives"), encoding="utf-8")
    name = page.locator("#nom-apercu")
    name.wait_for(timeout=120_000)  # the page reloads itself when the preview is rebuilt
    assert name.inner_text() == "dossier-politique-de-la-ville-2019-apercu.pdf"
    assert "rapport.yaml modifié → sortie/2019/" in page.locator("#note-apercu").inner_text()
    reader = PdfReader(atelier.root / "sortie/2019/dossier-politique-de-la-ville-2019-apercu.pdf")
    assert "Conclusion et perspectives" in "".join(p.extract_text() for p in reader.pages)


# --- the help, and each page at the width of a laptop and of a half screen -------------------

HELP = {"/": "atelier", "/avis": "avis", "/apercu": "apercu", "/aide/guide": "atelier", "/aide/reference": "atelier"}
GUIDE_IDS = set(re.findall(r'id="([^"]+)"', (REPO / "assembleur/atelier/aide/guide.html").read_text(encoding="utf-8")))


@pytest.mark.libreoffice
@pytest.mark.parametrize("width", [1280, 800])
def test_each_page_links_to_its_help_and_fits_the_width(atelier: Atelier, page, dossier_2019, width: int) -> None:
    outputs = atelier.root / "sortie" / "2019"
    outputs.mkdir(parents=True, exist_ok=True)
    shutil.copy2(dossier_2019["dossier-politique-de-la-ville-2019-projet-v1.pdf"], outputs)  # for the preview
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(atelier.address)
    for path, section in HELP.items():
        page.goto(atelier.base + path)
        help_link = page.get_by_role("navigation", name="Pages de l'atelier").get_by_role("link", name="Aide")
        assert help_link.is_visible() and help_link.get_attribute("href") == f"/aide/guide#{section}", path
        sections = {
            href.removeprefix("/aide/guide#")
            for href in page.eval_on_selector_all(
                "a[href^='/aide/guide#']", "links => links.map(a => a.getAttribute('href'))"
            )
        }
        assert sections <= GUIDE_IDS, (path, sections - GUIDE_IDS)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} déborde de {overflow} px à {width} px de large"
    assert len(GUIDE_IDS & {"nouvelle-annee", "contenus", "gabarits", "consultation", "avis", "definitif"}) == 6

    # the help of the avis page leads to the guide's section, served by the atelier itself (offline)
    page.goto(atelier.base + "/avis")
    page.get_by_role("navigation", name="Pages de l'atelier").get_by_role("link", name="Aide").click()
    page.wait_for_url(re.compile(r"/aide/guide#avis$"))
    heading = page.locator("h2:has(#avis)")
    assert heading.inner_text() == "6. Enregistrer un avis ou une contribution"
    assert page.evaluate("() => document.querySelector('#avis').getBoundingClientRect().top") < 200
    page.get_by_role("link", name="Référence").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Référence")
    status, body = request(atelier, "GET", "/aide/atelier.css", {"Cookie": f"assembleur_jeton={atelier.token}"})
    assert status == 404 and "<h1>Page d'aide introuvable</h1>" in body


@pytest.mark.libreoffice
@pytest.mark.parametrize("width", [1280, 800])
def test_the_preview_shows_the_whole_bookmark_tree_readable(atelier: Atelier, page, dossier_2019, width: int) -> None:
    outputs = atelier.root / "sortie" / "2019"
    outputs.mkdir(parents=True, exist_ok=True)
    shutil.copy2(dossier_2019["dossier-politique-de-la-ville-2019-projet-v1.pdf"], outputs)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(atelier.address)
    page.goto(atelier.base + "/apercu")
    tree = page.get_by_role("navigation", name="Signets")
    titles = list(_flat_outline(PdfReader(outputs / "dossier-politique-de-la-ville-2019-projet-v1.pdf")))
    assert len(titles) == 10
    assert tree.get_by_role("link").all_inner_texts() == titles  # every level, in order, whole titles
    top = tree.locator(":scope > ul > li")
    assert top.count() == 4
    avis = tree.locator("li", has_text="Avis des communes du contrat de ville").last.locator(":scope > ul > li > a")
    assert avis.all_inner_texts() == [t for t in titles if t.startswith("Avis – ")]  # nested under their group
    # one column, read top to bottom; each title on at most two lines of whole words, nothing clipped
    boxes = [top.nth(i).bounding_box() for i in range(top.count())]
    assert len({round(b["x"]) for b in boxes}) == 1 and [b["y"] for b in boxes] == sorted(b["y"] for b in boxes)
    assert tree.bounding_box()["width"] >= 250
    lines = page.eval_on_selector_all(".signets a", "links => links.map(a => a.getClientRects().length)")
    assert max(lines) <= 2, lines
    clipped = page.evaluate(
        "() => { const n = document.querySelector('.signets'); return n.scrollWidth > n.clientWidth; }"
    )
    assert not clipped


# --- helpers ---------------------------------------------------------------------------


class _serving:
    """:func:`serve` as a context manager, for a test that prepares the project first."""

    def __init__(self, projet: Path) -> None:
        self.generator = serve(projet)

    def __enter__(self) -> Atelier:
        return next(self.generator)

    def __exit__(self, *exc: object) -> None:
        for _ in self.generator:
            pass


def _flat_outline(reader: PdfReader) -> dict[str, int]:
    found: dict[str, int] = {}

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.setdefault(str(item.title), reader.get_destination_page_number(item))

    walk(reader.outline)
    return found


def _screenshot(page, target: Path) -> None:
    """A small PNG of the page as staff see it (256 colours: a few tens of kB)."""
    from PIL import Image

    page.set_viewport_size({"width": 1280, "height": 1000})
    image = Image.open(io.BytesIO(page.screenshot(full_page=False)))
    target.parent.mkdir(parents=True, exist_ok=True)
    image.convert("RGB").quantize(colors=64).save(target, optimize=True)


def test_an_upload_over_100_mio_is_refused_before_it_is_read(atelier: Atelier) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", atelier.port, timeout=30)
    connection.putrequest("POST", "/avis", skip_host=True)
    for name, value in {
        "Host": f"127.0.0.1:{atelier.port}",
        "Cookie": f"assembleur_jeton={atelier.token}",
        "Content-Type": "multipart/form-data; boundary=x",
        "Content-Length": str(102 * 1024 * 1024),
    }.items():
        connection.putheader(name, value)
    connection.endheaders()  # no body sent: the answer comes from the headers alone
    response = connection.getresponse()
    body = html.unescape(response.read().decode("utf-8"))
    connection.close()
    assert response.status == 413
    assert "Un envoi est limité à 100 Mio." in body


def test_the_errors_of_the_year_are_listed_with_file_line_and_message(projet: Path, page) -> None:
    path = projet / "contenus/2019/avis.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("      seance: 07/11/2020\n", "      seance: 31/11/2020\n")
    )
    (projet / "sortie/2019").mkdir(parents=True)
    (projet / "sortie/2019/comparaison-projet-v1-projet-v2.docx").write_bytes(b"PK comparaison")
    with _serving(projet) as atelier:
        page.goto(atelier.address)
        rows = page.locator("table.erreurs tbody tr")
        assert rows.count() == 1
        assert rows.first.locator("td").all_inner_texts() == [
            "contenus/2019/avis.yaml",
            "32",
            "la date « 31/11/2020 » n'existe pas dans le calendrier.",
        ]
        assert page.get_by_text("La consultation s'affichera une fois les erreurs corrigées.").count() == 1
        with page.expect_download() as waiting:
            page.get_by_role("link", name="comparaison-projet-v1-projet-v2.docx").click()
        assert Path(waiting.value.path()).read_bytes() == b"PK comparaison"


@pytest.mark.libreoffice
def test_the_actes_folder_of_a_final_version_downloads_as_a_zip(definitif_2019, page, tmp_path: Path) -> None:
    import zipfile

    root, written = definitif_2019
    generator = serve(root)
    atelier = next(generator)
    try:
        page.goto(atelier.address)
        assert page.get_by_role("heading", name="Version définitive").count() == 1
        with page.expect_download() as waiting:
            page.get_by_role("link", name="Dossier pour la Préfecture (@ctes), en zip").click()
        target = tmp_path / "actes.zip"
        waiting.value.save_as(target)
        assert waiting.value.suggested_filename == "actes-2019-definitif.zip"
        with zipfile.ZipFile(target) as archive:
            names = sorted(archive.namelist())
            expected = sorted(name for name in written if name.startswith("actes-definitif/"))
            assert names == expected
            for name in names:
                assert archive.read(name) == written[name].read_bytes()
    finally:
        for _ in generator:
            pass


def test_a_port_already_taken_is_named(atelier: Atelier, cli) -> None:
    result = cli("atelier", "2019", "--port", str(atelier.port), "--sans-navigateur")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Erreur : Le port {atelier.port} est déjà utilisé sur cet ordinateur.\n"
        "Choisissez-en un autre avec --port, ou lancez « assembleur atelier » sans --port.\n"
    )


@pytest.mark.libreoffice
def test_ctrl_c_during_a_build_lets_it_finish_cleanly(atelier: Atelier, page) -> None:
    page.goto(atelier.address)
    page.get_by_role("button", name="Fabriquer une version projet").click()
    page.locator("#progression[data-en-cours=oui]").wait_for()
    atelier.process.send_signal(signal.SIGINT)
    assert atelier.process.wait(timeout=180) == 0
    text = atelier.log.read_text(encoding="utf-8")
    assert (
        "Une fabrication est en cours : l'atelier s'arrête dès qu'elle est finie (Ctrl+C pour l'abandonner).\n" in text
    )
    output = atelier.root / "sortie" / "2019"
    assert (output / "dossier-politique-de-la-ville-2019-projet-v1.pdf").is_file()
    assert not list(output.glob(".assembleur-en-cours-*"))
    assert not (atelier.root / ".cache/assembleur/fabrication-2019.verrou").exists()


def test_a_port_out_of_range_is_refused(projet: Path, cli) -> None:
    result = cli("atelier", "2019", "--port", "80", "--sans-navigateur")
    assert result.exit_code == 64  # a wrong command line
    assert result.stderr == "Erreur : Le port doit être compris entre 1024 et 65535 (reçu : 80).\nCorrigez --port.\n"


def test_the_programmation_is_imported_from_its_page_after_its_preview(projet: Path, page) -> None:
    from tests.tableurs import anct_rows, write_csv

    programmation = projet / "contenus/2019/programmation.yaml"
    before = programmation.read_bytes()
    rows = anct_rows()
    write_csv(projet / "subventions.csv", rows)
    rows[2][8] = "beaucoup"
    write_csv(projet / "illisible.csv", rows)
    with _serving(projet) as atelier:
        page.goto(atelier.address)
        page.get_by_role("link", name="Importer la programmation").click()
        page.get_by_label("Tableau").set_input_files(projet / "illisible.csv")
        page.get_by_role("button", name="Voir ce qui changerait").click()
        expect(page.get_by_role("alert").locator("li")).to_have_text(
            [
                "illisible.csv, ligne 3 : colonne « Mt engagé » : montant illisible « beaucoup » ; "
                "écrivez par exemple « 12 500,00 € »"
            ]
        )
        page.get_by_label("Tableau").set_input_files(projet / "subventions.csv")
        page.get_by_label("Code du contrat").fill("CV062001")
        page.get_by_role("button", name="Voir ce qui changerait").click()
        added = page.locator(".rapport li").filter(has_text=re.compile(r"^ajoutée : Tremplin numérique$"))
        expect(added).to_have_count(1)
        assert page.get_by_text("Total Etat - CGET : ").inner_text() == "Total Etat - CGET : 29\u202f200,50\u00a0€"
        assert programmation.read_bytes() == before  # a preview writes nothing

        page.get_by_role("button", name="Importer", exact=True).click()
        expect(page.get_by_role("status")).to_have_text(
            "La programmation est importée : contenus/2019/programmation.yaml est complété."
        )
        assert "dauphin: PRJ-2019-0004, montants: {cget: 4500}}" in programmation.read_text(encoding="utf-8")
    assert not list(projet.rglob("tableau"))  # the upload was written nowhere in the project
