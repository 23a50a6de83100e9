"""``assembleur atelier``: serve the atelier on 127.0.0.1 until Ctrl+C."""

from __future__ import annotations

import errno
import socket
import threading
import time
import webbrowser
from collections.abc import Callable

from ..errors import EnvironmentProblem
from ..project import Year

DEFAULT_PORT = 8719
TRIES = 20  # without --port, the next ports are tried when one is taken (as Jupyter does)


def free_port(port: int | None) -> int:
    """``port`` if it can be listened on, or (without a chosen port) the first free one after the default."""
    candidates = [port] if port is not None else list(range(DEFAULT_PORT, DEFAULT_PORT + TRIES))
    for candidate in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
                continue
            return candidate
    if port is not None:
        raise EnvironmentProblem(
            f"Le port {port} est déjà utilisé sur cet ordinateur.",
            "Choisissez-en un autre avec --port, ou lancez « assembleur atelier » sans --port.",
        )
    raise EnvironmentProblem(
        f"Les ports {DEFAULT_PORT} à {DEFAULT_PORT + TRIES - 1} sont tous utilisés.",
        "Choisissez un port libre avec --port.",
    )


def serve(year: Year, port: int | None, open_browser: bool, say: Callable[[str], None]) -> None:
    """Run the atelier of ``year`` until Ctrl+C; print its address with its secret token."""
    import uvicorn

    from .app import create_app, new_token
    from .travaux import Workshop

    port = free_port(port)
    token = new_token()
    workshop = Workshop(year)
    app = create_app(year, token, port, workshop)
    address = f"http://127.0.0.1:{port}/?jeton={token}"
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )

    class _Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: object) -> None:
            # said when Ctrl+C arrives, not seconds later once the open connections are closed
            workshop.interrupt(say)
            super().handle_exit(sig, frame)

    server = _Server(config)
    workshop.watch()

    def announce() -> None:  # once the server listens: the address works as soon as it is shown
        while not server.started and not server.should_exit:
            time.sleep(0.02)
        if not server.started:
            return
        say(f"L'atelier {year.annee} est ouvert à l'adresse (jeton secret compris, ne la partagez pas) :")
        say(f"    {address}")
        say("Ctrl+C pour l'arrêter.")
        if open_browser:
            webbrowser.open(address)

    threading.Thread(target=announce, name="annonce", daemon=True).start()
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn shuts down on Ctrl+C, then raises it again: a normal end here
        pass
    finally:
        workshop.stop(say)
    say("Atelier arrêté.")
