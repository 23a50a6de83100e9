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
  ``annexes/<année>/``;
- files are served only from ``sortie/<année>/``, paths resolved and checked.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import secrets
import threading
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
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


class Guard:
    """ASGI middleware: Host header, token (query then cookie), size of request bodies."""

    def __init__(self, app: ASGIApp, token: str, port: int, templates: Environment) -> None:
        self.app, self.token, self.templates = app, token, templates
        self.port = port
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        host = request.headers.get("host", "")
        if host not in self.hosts:
            await self.refuse(
                scope,
                receive,
                send,
                403,
                "Adresse refusée",
                f"Cette page ne répond qu'à l'adresse http://127.0.0.1:{self.port}/ "
                f"(nom reçu : « {host or 'aucun'} »). Ouvrez l'adresse affichée par « assembleur atelier ».",
            )
            return
        given = request.query_params.get("jeton")
        if given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
            # the token leaves the address (history, screenshots) for an HttpOnly cookie
            query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "jeton"])
            response = RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
            await response(scope, receive, send)
            return
        cookie = request.cookies.get(COOKIE, "")
        if not hmac.compare_digest(cookie.encode(), self.token.encode()):
            await self.refuse(
                scope,
                receive,
                send,
                403,
                "Accès refusé",
                "Il manque le jeton secret de l'atelier. Ouvrez l'adresse complète affichée par "
                "« assembleur atelier » dans le terminal (elle se termine par ?jeton=…).",
            )
            return
        if request.method not in ("GET", "HEAD"):
            length = request.headers.get("content-length")
            if length is None or not length.isdigit():
                await self.refuse(scope, receive, send, 411, "Envoi refusé", "La taille de l'envoi n'est pas donnée.")
                return
            if int(length) > MAX_UPLOAD + FORM_OVERHEAD:
                await self.refuse(
                    scope,
                    receive,
                    send,
                    413,
                    "Fichier trop lourd",
                    f"Un envoi est limité à {MAX_UPLOAD // 1024 // 1024} Mio. Scannez à nouveau la délibération "
                    "en A4, à 200 ou 300 dpi.",
                )
                return
            origin = request.headers.get("origin")
            if origin is not None and origin.removeprefix("http://") not in self.hosts:
                await self.refuse(
                    scope,
                    receive,
                    send,
                    403,
                    "Envoi refusé",
                    f"Un formulaire venu d'un autre site ({origin}) est refusé.",
                )
                return
        await self.app(scope, receive, send)

    async def refuse(self, scope: Scope, receive: Receive, send: Send, status: int, title: str, text: str) -> None:
        page = self.templates.get_template("refus.html").render(titre=title, texte=text)
        await HTMLResponse(page, status_code=status, headers=REFUSAL_HEADERS)(scope, receive, send)


def create_app(year: Year, token: str, port: int, workshop: Workshop | None = None) -> Starlette:
    """The atelier of ``year``, answering on 127.0.0.1:``port`` to requests that carry ``token``."""
    templates = Environment(
        loader=PackageLoader("assembleur.atelier", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    workshop = workshop or Workshop(year)
    checks = etat.CachedChecks(year)
    previews = etat.CachedPreview(year)
    csrf = hmac.new(token.encode(), b"formulaires", hashlib.sha256).hexdigest()
    checks.keep_fresh(workshop.stopped, workshop.building)  # at start and after each save: pages find them done

    def render(name: str, status: int = 200, **values: Any) -> HTMLResponse:
        page = templates.get_template(name).render(
            annee=year.annee,
            csrf=csrf,
            page=name.removesuffix(".html"),
            evenement=workshop.last_event(),
            **values,
        )
        return HTMLResponse(page, status_code=status, headers=_headers())

    async def form(request: Request) -> Any:
        """The posted form, once its CSRF token is checked; None when refused."""
        try:
            if request.headers.get("content-type", "").startswith("multipart/form-data"):
                data = await _InMemoryParser(request.headers, request.stream(), max_files=1, max_fields=20).parse()
            else:
                data = await request.form(max_files=1, max_fields=20)
        except MultiPartException:
            return None
        given = data.get("csrf")
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), csrf.encode()):
            return None
        return data

    def csrf_refused() -> HTMLResponse:
        page = templates.get_template("refus.html").render(
            titre="Formulaire refusé",
            texte="Ce formulaire n'a pas le jeton de l'atelier (ou il a expiré). Rechargez la page, puis recommencez.",
        )
        return HTMLResponse(page, status_code=403, headers=REFUSAL_HEADERS)

    def year_page(request: Request) -> HTMLResponse:
        verification = checks.get()
        busy = ""
        if request.query_params.get("occupe") and workshop.running:
            running = "la version définitive" if workshop.running == versions.DEFINITIF else "une version projet"
            busy = f"Une fabrication est déjà en cours ({running}) : attendez qu'elle se termine."
        return render(
            "annee.html",
            verification=verification,
            statuts=verification.statuts,
            RECU=consultation.RECU,
            EN_ATTENTE=consultation.EN_ATTENTE,
            REPUTE_FAVORABLE=consultation.REPUTE_FAVORABLE,
            versions=etat.built_versions(year),
            comparaisons=etat.comparisons(year),
            en_cours=workshop.running,
            etape=workshop.stage,
            etapes=_stages(),
            resultat=workshop.outcome,
            occupe=busy,
        )

    async def annee(request: Request) -> Response:
        return await run_in_threadpool(year_page, request)

    async def fabriquer(request: Request) -> Response:
        data = await form(request)
        if data is None:
            return csrf_refused()
        version = data.get("version")
        if version not in versions.VERSIONS:
            return csrf_refused()
        if not workshop.start(str(version)):  # said on the page it leads to (never a page a reload would post again)
            return RedirectResponse("/?occupe=1#fabrication", status_code=303)
        return RedirectResponse("/#fabrication", status_code=303)

    def avis_page(request: Request, status: int = 200, **values: Any) -> HTMLResponse:
        return render(
            "avis.html",
            status,
            organismes=etat.pending_organismes(year),
            sens_possibles=SENS_AVIS,
            aujourdhui=consultation.today().isoformat(),
            valeurs=values.pop("valeurs", {}),
            erreur=values.pop("erreur", None),
            enregistre=parse_registered(request.query_params.get("enregistre", "")),
            **values,
        )

    async def avis(request: Request) -> Response:
        return await run_in_threadpool(avis_page, request)

    registering = threading.Lock()

    def register_one(*args: Any) -> registre.Registered:
        with registering:  # two tabs sending at once: one after the other, no edit of avis.yaml lost
            return registre.register_avis(*args)

    async def avis_post(request: Request) -> Response:
        data = await form(request)
        if data is None:
            return csrf_refused()
        valeurs = {key: str(data.get(key) or "") for key in ("organisme", "seance", "sens", "recu")}
        upload = data.get("fichier")
        if not isinstance(upload, UploadFile) or not upload.filename:
            erreur = {"champ": "fichier", "message": "Choisissez le fichier scanné de la délibération."}
            return avis_page(request, 400, valeurs=valeurs, erreur=erreur)
        content = await upload.read(MAX_UPLOAD + 1)
        await upload.close()
        try:
            done = await run_in_threadpool(
                register_one,
                year,
                content,
                valeurs["organisme"],
                valeurs["seance"],
                valeurs["sens"],
                valeurs["recu"] or None,
            )
        except registre.RegistrationError as exc:
            erreur = {"champ": exc.field or "organisme", "message": exc.message, "conseil": exc.advice}
            return await run_in_threadpool(avis_page, request, 400, valeurs=valeurs, erreur=erreur)
        except AssembleurError as exc:
            erreur = {"champ": "fichier", "message": exc.message, "conseil": exc.advice}
            return await run_in_threadpool(avis_page, request, 400, valeurs=valeurs, erreur=erreur)
        query = urlencode({"enregistre": f"{done.organisme}|{done.scan.name}|{done.pages}"})
        return RedirectResponse(f"/avis?{query}", status_code=303)

    def preview_page(request: Request) -> HTMLResponse:
        return render("apercu.html", apercu=previews.get(), note=workshop.preview_note, en_cours=workshop.running)

    async def apercu(request: Request) -> Response:
        return await run_in_threadpool(preview_page, request)

    async def apercu_page(request: Request) -> Response:
        preview = await run_in_threadpool(previews.get)
        number = request.path_params["numero"]
        if preview is None or request.query_params.get("v") != preview.key or not 1 <= number <= preview.pages:
            return Response("Page introuvable (l'aperçu a changé : rechargez la page).", 404)
        try:
            image = await run_in_threadpool(previews.page_image, preview, number)
        except AssembleurError as exc:  # no pdftoppm, a timeout, a file caught half-written
            return Response(f"{exc.message}\n{exc.advice}", 503, media_type="text/plain; charset=utf-8")
        return FileResponse(image, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    def inside_outputs(relative: str) -> Path | None:
        """``sortie/<année>/relative``, if it really lies there (no .., no link out)."""
        root = year.outputs.resolve()
        try:
            path = (year.outputs / relative).resolve()
        except (OSError, RuntimeError, ValueError):
            return None
        if not path.is_relative_to(root) or path == root:
            return None
        return path

    async def telecharger(request: Request) -> Response:
        path = inside_outputs(request.path_params["chemin"])
        if path is None or not path.is_file() or path.suffix not in (".pdf", ".docx", ".odt", ".json", ".csv"):
            return not_found()
        inline = request.query_params.get("voir") == "1" and path.suffix == ".pdf"
        return FileResponse(
            path,
            filename=path.name,
            content_disposition_type="inline" if inline else "attachment",
            headers=_headers(),
        )

    async def actes_zip(request: Request) -> Response:
        label = request.path_params["label"]
        path = inside_outputs(f"actes-{label}")
        if path is None or not path.is_dir() or path.parent != year.outputs.resolve():
            return not_found()
        data = await run_in_threadpool(_zip_folder, path)
        return Response(
            data,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="actes-{year.annee}-{label}.zip"'},
        )

    def not_found() -> HTMLResponse:
        page = templates.get_template("refus.html").render(
            titre="Fichier introuvable",
            texte=f"Seuls les fichiers fabriqués, dans sortie/{year.annee}/, se téléchargent ici.",
        )
        return HTMLResponse(page, status_code=404, headers=REFUSAL_HEADERS)

    async def evenements(request: Request) -> Response:
        try:
            seen = int(request.query_params.get("depuis", "0"))
        except ValueError:
            seen = 0

        async def stream():
            nonlocal seen
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

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    routes = [
        Route("/", annee),
        Route("/fabriquer", fabriquer, methods=["POST"]),
        Route("/avis", avis),
        Route("/avis", avis_post, methods=["POST"]),
        Route("/apercu", apercu),
        Route("/apercu/page/{numero:int}.png", apercu_page),
        Route("/telecharger/{chemin:path}", telecharger),
        Route("/actes/{label}.zip", actes_zip),
        Route("/evenements", evenements),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.workshop = workshop
    return Guard(app, token, port, templates)  # type: ignore[return-value]


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
