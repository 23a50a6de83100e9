"""The atelier's web application (Starlette): its pages, its downloads, and the checks every request passes.

Security, for a server that only this computer can reach but any web page
open in its browser could try to call:

- every request carries the secret token: ``?jeton=`` on the first visit
  (the address printed by the command), then an HttpOnly, SameSite=Strict
  cookie;
- the Host header must be ``127.0.0.1:PORT`` or ``localhost:PORT`` (a page
  served under another name through DNS rebinding is refused);
- every form carries a CSRF token derived from the session's token, checked
  on POST with the Origin header;
- an upload is limited to 100 Mio and read into memory, its type sniffed
  from its bytes; only :mod:`assembleur.contenus.registre` writes it, inside
  ``annexes/<année>/``; a spreadsheet to import is read from a private
  temporary folder and written nowhere (only ``programmation.yaml`` changes);
- files are served only from ``sortie/<année>/``, paths resolved and checked.

:class:`Atelier` holds it all: its methods are the pages, :meth:`Atelier.guard`
runs the checks above before any page, :meth:`Atelier.refusal` draws every
refusal page.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import secrets
import threading
import zipfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ..contenus import consultation, registre
from ..contenus.model import SENS_AVIS
from ..errors import AssembleurError
from ..fabrication import versions
from ..project import Year
from . import etat
from .travaux import Workshop

COOKIE = "assembleur_jeton"
MAX_UPLOAD = registre.MAX_BYTES
FORM_OVERHEAD = 1024 * 1024  # the other fields and the multipart boundaries of the form
STATIC = Path(__file__).parent / "static"
# The « Aide »: pages of docs/, rendered to HTML by outils/fabriquer_aide.py and shipped in the package, so that
# the help works offline whatever the installation (a wheel has no docs/ folder) and needs no Markdown library.
AIDE = Path(__file__).parent / "aide"
AIDE_PAGES = {
    "guide": "Le guide de la saison",
    "reference": "Référence",
    "contenus": "Le format des contenus",
    "developpeurs": "Informatique et développeurs",
}
# a refusal page stands alone (its style inline: without the token, /static is refused too)
REFUSAL_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
}


class _InMemoryParser(MultiPartParser):
    """Starlette's form parser, keeping an upload in memory: a scan is written nowhere but annexes/<année>/."""

    spool_max_size = MAX_UPLOAD + FORM_OVERHEAD


class _Guarded:
    """Starlette middleware (pure ASGI, so that a refusal is sent before any byte of the body is read).

    Every HTTP request passes the atelier's guard first; what it answers is sent instead of the page.
    """

    def __init__(self, app: ASGIApp, guard: Callable[[Request], Response | None]) -> None:
        self.app, self.guard = app, guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (answer := self.guard(Request(scope))) is not None:
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)


class Atelier:
    """The atelier of one year: its pages (the methods named after their address), its guard, its refusals.

    It holds what the pages share: the year, the templates, the background
    work (:class:`~.travaux.Workshop`), the cached checks and preview
    (:mod:`.etat`), the secret token and the CSRF token derived from it.
    """

    def __init__(self, year: Year, token: str, port: int, workshop: Workshop | None = None) -> None:
        self.year, self.token, self.port = year, token, port
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.templates = Environment(
            loader=PackageLoader("assembleur.atelier", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.workshop = workshop or Workshop(year)
        self.checks = etat.CachedChecks(year)
        self.previews = etat.CachedPreview(year)
        self.csrf = hmac.new(token.encode(), b"formulaires", hashlib.sha256).hexdigest()
        self._registering = threading.Lock()
        self._pending: dict[str, tuple[bytes, str, str, str]] = {}  # the spreadsheet previewed, until imported
        # at start and after each save: the pages find the checks done
        self.checks.keep_fresh(self.workshop.stopped, self.workshop.building)

    def application(self) -> Starlette:
        """The Starlette application: the routes, behind the guard."""
        # a sync endpoint runs in Starlette's thread pool: reading the project's files never blocks the others
        routes = [
            Route("/", self.annee),
            Route("/fabriquer", self.fabriquer, methods=["POST"]),
            Route("/avis", self.avis),
            Route("/avis", self.avis_post, methods=["POST"]),
            Route("/programmation", self.programmation),
            Route("/programmation", self.programmation_post, methods=["POST"]),
            Route("/apercu", self.apercu),
            Route("/apercu/page/{numero:int}.png", self.apercu_page),
            Route("/telecharger/{chemin:path}", self.telecharger),
            Route("/actes/{label}.zip", self.actes_zip),
            Route("/evenements", self.evenements),
            Route("/aide/{nom}", self.aide),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
        app = Starlette(routes=routes, middleware=[Middleware(_Guarded, guard=self.guard)])
        app.state.workshop = self.workshop
        return app

    # --- the guard and the refusals ------------------------------------------------------

    def refusal(self, status: int, title: str, text: str) -> HTMLResponse:
        """A refusal page (``refus.html``), standing alone with its own security headers."""
        page = self.templates.get_template("refus.html").render(titre=title, texte=text)
        return HTMLResponse(page, status_code=status, headers=REFUSAL_HEADERS)

    def guard(self, request: Request) -> Response | None:
        """What to answer instead of the page (a refusal, or the redirection that stores the token); None to go on."""
        # Starlette's TrustedHostMiddleware ignores the port and answers in English (400 « Invalid host header »):
        # the port is part of the check here (another server of this computer), and the refusal is said in French.
        host = request.headers.get("host", "")
        if host not in self.hosts:
            return self.refusal(
                403,
                "Adresse refusée",
                f"Cette page ne répond qu'à l'adresse http://127.0.0.1:{self.port}/ "
                f"(nom reçu : « {host or 'aucun'} »). Ouvrez l'adresse affichée par « assembleur atelier ».",
            )
        given = request.query_params.get("jeton")
        if given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
            # the token leaves the address (history, screenshots) for an HttpOnly cookie
            query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "jeton"])
            response = RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
            return response
        cookie = request.cookies.get(COOKIE, "")
        if not hmac.compare_digest(cookie.encode(), self.token.encode()):
            return self.refusal(
                403,
                "Accès refusé",
                "Il manque le jeton secret de l'atelier. Ouvrez l'adresse complète affichée par "
                "« assembleur atelier » dans le terminal (elle se termine par ?jeton=…).",
            )
        if request.method not in ("GET", "HEAD"):
            return self._sending_refused(request)
        return None

    def _sending_refused(self, request: Request) -> HTMLResponse | None:
        """The refusal of a POST by its headers alone: no size, too big, or sent by another site."""
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return self.refusal(411, "Envoi refusé", "La taille de l'envoi n'est pas donnée.")
        if int(length) > MAX_UPLOAD + FORM_OVERHEAD:
            return self.refusal(
                413,
                "Fichier trop lourd",
                f"Un envoi est limité à {MAX_UPLOAD // 1024 // 1024} Mio. Scannez à nouveau la délibération "
                "en A4, à 200 ou 300 dpi.",
            )
        origin = request.headers.get("origin")
        if origin is not None and origin.removeprefix("http://") not in self.hosts:
            return self.refusal(403, "Envoi refusé", f"Un formulaire venu d'un autre site ({origin}) est refusé.")
        return None

    def form_refused(self) -> HTMLResponse:
        """The refusal of a form without the CSRF token (or with a value no form of the atelier sends)."""
        return self.refusal(
            403,
            "Formulaire refusé",
            "Ce formulaire n'a pas le jeton de l'atelier (ou il a expiré). Rechargez la page, puis recommencez.",
        )

    def not_found(self) -> HTMLResponse:
        """The refusal of a download outside the outputs of the year."""
        return self.refusal(
            404,
            "Fichier introuvable",
            f"Seuls les fichiers fabriqués, dans sortie/{self.year.annee}/, se téléchargent ici.",
        )

    async def form(self, request: Request) -> Any:
        """The posted form, once its CSRF token is checked; None when refused."""
        try:
            if request.headers.get("content-type", "").startswith("multipart/form-data"):
                data = await _InMemoryParser(request.headers, request.stream(), max_files=1, max_fields=20).parse()
            else:
                data = await request.form(max_files=1, max_fields=20)
        except MultiPartException:
            return None
        given = data.get("csrf")
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), self.csrf.encode()):
            return None
        return data

    # --- the pages -----------------------------------------------------------------------

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        """The page of template ``name``, with what every page shows (year, CSRF token, last event)."""
        page = self.templates.get_template(name).render(
            annee=self.year.annee,
            csrf=self.csrf,
            page=name.removesuffix(".html"),
            evenement=self.workshop.last_event(),
            **values,
        )
        return HTMLResponse(page, status_code=status, headers=_headers())

    def annee(self, request: Request) -> HTMLResponse:
        """The year: its checks, the consultation, the versions built, the build under way."""
        verification = self.checks.get()
        workshop = self.workshop
        busy = ""
        if request.query_params.get("occupe") and workshop.running:
            running = "la version définitive" if workshop.running == versions.DEFINITIF else "une version projet"
            busy = f"Une fabrication est déjà en cours ({running}) : attendez qu'elle se termine."
        return self.render(
            "annee.html",
            verification=verification,
            statuts=verification.statuts,
            RECU=consultation.RECU,
            EN_ATTENTE=consultation.EN_ATTENTE,
            REPUTE_FAVORABLE=consultation.REPUTE_FAVORABLE,
            versions=etat.built_versions(self.year),
            comparaisons=etat.comparisons(self.year),
            en_cours=workshop.running,
            etape=workshop.stage,
            etapes=_stages(),
            resultat=workshop.outcome,
            occupe=busy,
        )

    async def fabriquer(self, request: Request) -> Response:
        """Start a build (POST): back to the year's page, which follows it."""
        data = await self.form(request)
        if data is None:
            return self.form_refused()
        version = data.get("version")
        if version not in versions.VERSIONS:
            return self.form_refused()
        if not self.workshop.start(str(version)):  # said on the page it leads to (never a page a reload posts again)
            return RedirectResponse("/?occupe=1#fabrication", status_code=303)
        return RedirectResponse("/#fabrication", status_code=303)

    def avis(self, request: Request) -> HTMLResponse:
        """The form that records an avis."""
        return self._avis_page(request)

    def _avis_page(self, request: Request, status: int = 200, **values: Any) -> HTMLResponse:
        return self.render(
            "avis.html",
            status,
            organismes=etat.pending_organismes(self.year),
            sens_possibles=SENS_AVIS,
            aujourdhui=consultation.today().isoformat(),
            valeurs=values.pop("valeurs", {}),
            erreur=values.pop("erreur", None),
            enregistre=parse_registered(request.query_params.get("enregistre", "")),
            **values,
        )

    def _register(self, *args: Any) -> registre.Registered:
        with self._registering:  # two tabs sending at once: one after the other, no edit of avis.yaml lost
            return registre.register_avis(*args)

    async def avis_post(self, request: Request) -> Response:
        """Record an avis and its scan (POST); refused next to its field, with the values kept."""
        data = await self.form(request)
        if data is None:
            return self.form_refused()
        valeurs = {key: str(data.get(key) or "") for key in ("organisme", "seance", "sens", "recu")}
        upload = data.get("fichier")
        if not isinstance(upload, UploadFile) or not upload.filename:
            erreur = {"champ": "fichier", "message": "Choisissez le fichier scanné de la délibération."}
            return self._avis_page(request, 400, valeurs=valeurs, erreur=erreur)
        content = await upload.read(MAX_UPLOAD + 1)
        await upload.close()
        try:
            done = await run_in_threadpool(
                self._register,
                self.year,
                content,
                valeurs["organisme"],
                valeurs["seance"],
                valeurs["sens"],
                valeurs["recu"] or None,
            )
        except registre.RegistrationError as exc:
            erreur = {"champ": exc.field or "organisme", "message": exc.message, "conseil": exc.advice}
            return await run_in_threadpool(self._avis_page, request, 400, valeurs=valeurs, erreur=erreur)
        except AssembleurError as exc:
            erreur = {"champ": "fichier", "message": exc.message, "conseil": exc.advice}
            return await run_in_threadpool(self._avis_page, request, 400, valeurs=valeurs, erreur=erreur)
        query = urlencode({"enregistre": f"{done.organisme}|{done.scan.name}|{done.pages}"})
        return RedirectResponse(f"/avis?{query}", status_code=303)

    def programmation(self, request: Request) -> HTMLResponse:
        """The form that imports the programmation from a spreadsheet: first what would change, then « Importer »."""
        return self.render("programmation.html", valeurs={}, importe=request.query_params.get("importe") == "1")

    def _import(self, data: bytes, name: str, contrat: str, feuille: str, essai: bool) -> list[str]:
        from ..programmation import importer

        with self._registering:  # one write of the contents at a time (two tabs, an avis sent meanwhile)
            done = importer.import_upload(self.year, data, name, contrat, feuille, essai)
        return importer.report(done, self.year)

    async def programmation_post(self, request: Request) -> Response:
        """A spreadsheet sent (its preview, nothing written), or the import of the one previewed (POST)."""
        data = await self.form(request)
        if data is None:
            return self.form_refused()
        valeurs = {key: str(data.get(key) or "").strip()[:100] for key in ("contrat", "feuille")}
        waiting = str(data.get("attente") or "")
        upload = data.get("fichier")
        if waiting:  # « Importer »: the spreadsheet previewed, kept in memory since
            pending = self._pending.pop(waiting, None)
            if pending is None:
                erreur = {
                    "message": "Ce tableau n'est plus en attente (déjà importé, ou l'atelier a redémarré) : "
                    "envoyez-le à nouveau."
                }
                return self.render("programmation.html", 400, valeurs=valeurs, erreur=erreur)
            content, name, valeurs["contrat"], valeurs["feuille"] = pending
        elif isinstance(upload, UploadFile) and upload.filename:
            content, name = await upload.read(MAX_UPLOAD + 1), upload.filename
            await upload.close()
        else:
            erreur = {"message": "Choisissez le tableau à importer (.xlsx, .ods ou .csv)."}
            return self.render("programmation.html", 400, valeurs=valeurs, erreur=erreur)
        if len(content) > MAX_UPLOAD:
            erreur = {"message": f"Un tableau envoyé est limité à {MAX_UPLOAD // 1024 // 1024} Mio."}
            return self.render("programmation.html", 400, valeurs=valeurs, erreur=erreur)
        try:
            lines = await run_in_threadpool(
                self._import, content, name, valeurs["contrat"], valeurs["feuille"], not waiting
            )
        except AssembleurError as exc:
            erreur = {"message": exc.message, "conseil": exc.advice}
            return self.render("programmation.html", 400, valeurs=valeurs, erreur=erreur)
        if waiting:
            return self.render("programmation.html", valeurs=valeurs, rapport=lines, importe=True)
        key = secrets.token_urlsafe(16)
        self._pending = {key: (content, name, valeurs["contrat"], valeurs["feuille"])}  # the last one sent only
        return self.render("programmation.html", valeurs=valeurs, rapport=lines, attente=key)

    def apercu(self, request: Request) -> HTMLResponse:
        """The preview of the dossier, rebuilt on each save."""
        workshop = self.workshop
        return self.render(
            "apercu.html", apercu=self.previews.get(), note=workshop.preview_note, en_cours=workshop.running
        )

    async def apercu_page(self, request: Request) -> Response:
        """The image of one page of the preview (``?v=`` names the preview it belongs to)."""
        preview = await run_in_threadpool(self.previews.get)
        number = request.path_params["numero"]
        if preview is None or request.query_params.get("v") != preview.key or not 1 <= number <= preview.pages:
            return Response("Page introuvable (l'aperçu a changé : rechargez la page).", 404)
        try:
            image = await run_in_threadpool(self.previews.page_image, preview, number)
        except AssembleurError as exc:  # no pdftoppm, a timeout, a file caught half-written
            return Response(f"{exc.message}\n{exc.advice}", 503, media_type="text/plain; charset=utf-8")
        return FileResponse(image, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    def aide(self, request: Request) -> HTMLResponse:
        """A page of the documentation (``/aide/guide``…): each page of the atelier links to its section."""
        name = request.path_params["nom"]
        if name not in AIDE_PAGES:
            return self.refusal(404, "Page d'aide introuvable", f"Les pages d'aide : {', '.join(AIDE_PAGES)}.")
        text = (AIDE / f"{name}.html").read_text(encoding="utf-8")
        return self.render("aide.html", contenu=Markup(text), courante=name, pages=AIDE_PAGES)

    def _inside_outputs(self, relative: str) -> Path | None:
        """``sortie/<année>/relative``, if it really lies there (no .., no link out)."""
        root = self.year.outputs.resolve()
        try:
            path = (self.year.outputs / relative).resolve()
        except (OSError, RuntimeError, ValueError):
            return None
        if not path.is_relative_to(root) or path == root:
            return None
        return path

    async def telecharger(self, request: Request) -> Response:
        """A file built in ``sortie/<année>/`` (a PDF shown in the page with ``?voir=1``)."""
        path = self._inside_outputs(request.path_params["chemin"])
        if path is None or not path.is_file() or path.suffix not in (".pdf", ".docx", ".odt", ".json", ".csv"):
            return self.not_found()
        inline = request.query_params.get("voir") == "1" and path.suffix == ".pdf"
        return FileResponse(
            path,
            filename=path.name,
            content_disposition_type="inline" if inline else "attachment",
            headers=_headers(),
        )

    async def actes_zip(self, request: Request) -> Response:
        """The @ctes folder of a version, as one zip."""
        label = request.path_params["label"]
        path = self._inside_outputs(f"actes-{label}")
        if path is None or not path.is_dir() or path.parent != self.year.outputs.resolve():
            return self.not_found()
        data = await run_in_threadpool(_zip_folder, path)
        named = f'attachment; filename="actes-{self.year.annee}-{label}.zip"'
        return Response(data, media_type="application/zip", headers={**_headers(), "Content-Disposition": named})

    async def evenements(self, request: Request) -> Response:
        """The events of the background work, live (server-sent events), after the one numbered ``?depuis=``."""
        try:
            seen = int(request.query_params.get("depuis", "0"))
        except ValueError:
            seen = 0
        return StreamingResponse(
            self._events(request, seen), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )

    async def _events(self, request: Request, seen: int) -> AsyncIterator[str]:
        workshop = self.workshop
        yield "retry: 1000\n\n"
        quiet = 0.0
        while not workshop.stopping and not await request.is_disconnected():
            events = workshop.events_after(seen)
            for event in events:
                seen = event.number
                yield f"id: {event.number}\nevent: {event.kind}\ndata: {event.data}\n\n"
            await asyncio.sleep(0.05)
            quiet = 0.0 if events else quiet + 0.05
            if quiet >= 15:
                yield ": toujours là\n\n"
                quiet = 0.0


def create_app(year: Year, token: str, port: int, workshop: Workshop | None = None) -> Starlette:
    """The atelier of ``year``, answering on 127.0.0.1:``port`` to requests that carry ``token``."""
    return Atelier(year, token, port, workshop).application()


def _headers() -> dict[str, str]:
    """Nothing of ours in shared caches; no framing by another site; scripts only from the atelier."""
    return {
        "Cache-Control": "no-store",
        "X-Frame-Options": "SAMEORIGIN",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": (
            "default-src 'self'; img-src 'self' data:; object-src 'self'; frame-ancestors 'self'"
        ),
        "Referrer-Policy": "same-origin",  # (no-referrer would make the browser send « Origin: null »)
    }


def _stages() -> tuple[str, ...]:
    from ..fabrication.build import STAGES

    return STAGES


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def new_token() -> str:
    """The secret of one run of the atelier."""
    return secrets.token_urlsafe(32)


def parse_registered(value: str) -> dict[str, str] | None:
    """The confirmation carried by the address after an avis is recorded."""
    parts = value.split("|")
    if len(parts) != 3:
        return None
    return {"organisme": parts[0], "fichier": parts[1], "pages": parts[2]}
