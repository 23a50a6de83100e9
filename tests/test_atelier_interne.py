"""The atelier's parts without a browser: its checks are ``verifier``'s, its crashes and previews are told in French."""

from __future__ import annotations

import asyncio
import html
import io
import os
import shutil
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfWriter

from assembleur.atelier import app as atelier_app
from assembleur.atelier import etat, travaux
from assembleur.errors import ConversionError, EnvironmentProblem
from assembleur.fabrication import build, verification
from assembleur.pdf import apercu
from assembleur.project import Year
from tests.aides import send_projet, sign_deliberation

SCANS = Path("annexes") / "2019"


# --- the checks: the same as « assembleur verifier » ---------------------------------


def test_a_missing_signed_act_is_an_error_in_the_atelier_as_in_verifier(projet: Path, annee: Year, cli) -> None:
    sign_deliberation(projet).unlink()

    refused = cli("verifier", "2019")
    shown = etat.verify(annee)

    assert refused.exit_code == 1
    assert "la délibération signée est introuvable" in refused.stderr
    assert [str(p) for p in shown.errors] == [line.removeprefix("- ") for line in refused.stderr.splitlines()[1:2]]
    assert "la délibération signée est introuvable" in str(shown.errors[0])


def test_a_broken_signed_act_is_an_error_in_the_atelier(projet: Path, annee: Year) -> None:
    sign_deliberation(projet).write_bytes(b"%PDF-1.4 pas un PDF")

    [error] = etat.verify(annee).errors

    assert error.file == Path("annexes/2019") / error.file.name
    assert "la délibération signée" in error.message


def test_the_atelier_says_the_sentences_of_verifier_and_avis_etat(projet: Path, annee: Year, contenus: Path, cli):
    send_projet(contenus)

    shown = etat.verify(annee)

    assert shown.errors == []
    assert cli("verifier", "2019").stderr.splitlines()[0] == shown.summary
    assert shown.summary.startswith("Contenus 2019 valides : ")
    assert cli("avis", "etat", "2019").stdout.splitlines()[0] == shown.envoi
    assert shown.envoi.startswith("Projet envoyé le 1er octobre 2020 ; réponses attendues jusqu'au ")


def test_a_scan_of_any_name_renews_the_cached_checks(projet: Path, annee: Year) -> None:
    before = etat.stamps(annee)
    scan = projet / SCANS / "AVIS.PDF"
    shutil.copy(next((projet / SCANS).glob("*.pdf")), scan)
    added = etat.stamps(annee)
    os.utime(scan, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))

    assert added != before
    assert etat.stamps(annee) != added


# --- an unexpected error in a build started from the page --------------------------


def test_a_crash_in_a_build_from_the_page_is_told_as_the_command_line_does(
    projet: Path, annee: Year, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boum")

    monkeypatch.setattr(build, "build_dossier", broken)
    workshop = travaux.Workshop(annee)

    assert workshop.start("projet")
    workshop._builder.join(timeout=120)

    [log] = (projet / ".cache" / "assembleur" / "plantages").iterdir()
    assert workshop.outcome.ok is False
    assert workshop.outcome.message == (
        "Erreur inattendue : assembleur s'est arrêté sur un problème qu'il ne sait pas expliquer (RuntimeError)."
    )
    assert workshop.outcome.advice == (
        "Aucun fichier déjà publié n'a été modifié. "
        f"Le détail est écrit dans .cache/assembleur/plantages/{log.name} : joignez ce fichier à votre signalement."
    )
    report = log.read_text(encoding="utf-8")
    assert "\nCommande : atelier 2019 : fabrication projet\n" in report
    assert "RuntimeError: boum" in report


def test_the_version_built_from_the_page_is_named_after_its_manifest(
    projet: Path, annee: Year, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = annee.outputs
    written = [folder / "manifeste-2019-projet-v3.json", folder / "actes-projet-v3" / "bordereau.xml"]
    monkeypatch.setattr(build, "build_dossier", lambda *args, **kwargs: (None, written))
    workshop = travaux.Workshop(annee)

    assert workshop.start("projet")
    workshop._builder.join(timeout=120)

    assert workshop.outcome.message == "Version projet v3 fabriquée."


def test_the_unchanged_projet_sentence_names_its_manifest() -> None:
    files = [
        Path("sortie/2019/dossier-politique-de-la-ville-2019-projet-v2.pdf"),
        Path("manifeste-2019-projet-v2.json"),
    ]

    assert verification.unchanged_message(files) == (
        "Rien n'a changé depuis la dernière version projet : elle est reprise telle quelle "
        "(manifeste-2019-projet-v2.json)."
    )


# --- the page previews ---------------------------------------------------------------


def a_pdf(path: Path, pages: int = 2) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        writer.write(stream)
    return path


def test_a_page_preview_is_a_png(tmp_path: Path) -> None:
    target = apercu.page_png(a_pdf(tmp_path / "dossier.pdf"), 2, tmp_path / "page-2.png")

    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dossier.pdf", "page-2.png"]


def test_a_page_preview_without_pdftoppm_says_what_to_install(tmp_path: Path, monkeypatch) -> None:
    pdf = a_pdf(tmp_path / "dossier.pdf")
    monkeypatch.setenv("PATH", str(tmp_path / "vide"))

    with pytest.raises(EnvironmentProblem) as raised:
        apercu.page_png(pdf, 1, tmp_path / "page-1.png")

    assert (
        raised.value.message == "Le programme pdftoppm est introuvable : l'aperçu des pages ne peut pas être affiché."
    )
    assert "poppler-utils" in raised.value.advice


def test_a_page_preview_of_a_broken_file_is_a_conversion_error(tmp_path: Path) -> None:
    pdf = tmp_path / "dossier.pdf"
    pdf.write_bytes(b"%PDF-1.7\nceci n'est pas la suite d'un PDF")

    with pytest.raises(ConversionError) as raised:
        apercu.page_png(pdf, 1, tmp_path / "page-1.png")

    assert raised.value.message.startswith("L'image de la page 1 de dossier.pdf n'a pas pu être faite")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dossier.pdf"]


def test_a_page_preview_that_takes_too_long_is_stopped(tmp_path: Path, monkeypatch) -> None:
    def slow(command, **kwargs):
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(apercu.subprocess, "run", slow)

    with pytest.raises(ConversionError) as raised:
        apercu.page_png(a_pdf(tmp_path / "dossier.pdf"), 1, tmp_path / "page-1.png", timeout=60)

    assert raised.value.message == "L'image de la page 1 de dossier.pdf n'a pas été faite en 60 secondes."


def get(
    application, path: str, port: int, token: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request (a GET unless told) through the whole ASGI application (guard included), as the browser sends it."""
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (name.lower().encode(), value.encode())
            for name, value in {
                "Host": f"127.0.0.1:{port}",
                "Cookie": f"{atelier_app.COOKIE}={token}",
                **(headers or {}),
            }.items()
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", port),
    }
    # in a thread of its own: another test (Playwright) may leave an event loop running in this one
    worker = threading.Thread(target=asyncio.run, args=(application(scope, receive, send),))
    worker.start()
    worker.join(timeout=60)
    start = next(m for m in sent if m["type"] == "http.response.start")
    answered = {k.decode(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], answered, body


def test_a_page_preview_that_cannot_be_made_is_told_in_french_by_the_atelier(
    annee: Year, tmp_path: Path, monkeypatch
) -> None:
    a_pdf(annee.outputs / "dossier-politique-de-la-ville-2019-projet-v1.pdf")
    workshop = travaux.Workshop(annee)
    application = atelier_app.create_app(annee, "jeton", 8719, workshop)
    key = etat.CachedPreview(annee).get().key
    monkeypatch.setenv("PATH", str(tmp_path / "vide"))
    try:
        status, headers, body = get(application, f"/apercu/page/1.png?v={key}", 8719, "jeton")
    finally:
        workshop.stopped.set()

    assert status == 503
    assert headers["content-type"].startswith("text/plain")
    assert body.decode() == (
        "Le programme pdftoppm est introuvable : l'aperçu des pages ne peut pas être affiché.\n"
        "Installez le paquet poppler-utils (sudo apt install poppler-utils), puis rechargez la page."
    )


def test_a_post_without_its_size_is_refused_by_the_guard_on_a_page_of_its_own(annee: Year) -> None:
    workshop = travaux.Workshop(annee)
    application = atelier_app.create_app(annee, "jeton", 8719, workshop)
    try:
        status, headers, body = get(application, "/fabriquer", 8719, "jeton", method="POST")
        refused_host, _, named = get(application, "/", 8719, "jeton", headers={"Host": "localhost"})
    finally:
        workshop.stopped.set()

    assert status == 411
    assert "<h1>Envoi refusé</h1>" in html.unescape(body.decode())
    assert "La taille de l'envoi n'est pas donnée." in html.unescape(body.decode())
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"].startswith("default-src 'none'")
    assert refused_host == 403
    assert "(nom reçu : « localhost »)" in html.unescape(named.decode())


def test_the_actes_zip_is_kept_out_of_caches_as_every_download(annee: Year) -> None:
    folder = annee.outputs / "actes-definitif"
    folder.mkdir(parents=True)
    (folder / "bordereau.csv").write_text("ordre;fichier\r\n", encoding="utf-8")
    workshop = travaux.Workshop(annee)
    application = atelier_app.create_app(annee, "jeton", 8719, workshop)
    try:
        status, headers, body = get(application, "/actes/definitif.zip", 8719, "jeton")
    finally:
        workshop.stopped.set()

    assert status == 200
    assert headers["cache-control"] == "no-store"
    assert headers["content-disposition"] == 'attachment; filename="actes-2019-definitif.zip"'
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.namelist() == ["actes-definitif/bordereau.csv"]
