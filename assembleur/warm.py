"""The warm tool: assembleur's modules kept loaded in a process that forks one child per command.

Loading Python's libraries (Typer, pydantic and its content model, pikepdf,
docxtpl) takes 0.5 to 0.9 s of every command: more than a rebuild's own work.
So, after a command, a worker is left running, like the warm converters (same
state folder, same half-hour idle stop, stopped by ``assembleur convertisseur
arreter``). The next command hands it its arguments, folder, environment,
limits and terminal (its file descriptors, over a Unix socket); the worker
forks, and the child runs the command exactly as the command's own process
would have, every check and every file, with the modules already loaded.

The worker tells the command how its child ended (exit code or signal), and
the command ends the same way. The signals the command receives (Ctrl+C) are
passed on to the child; if the command dies, its child is killed at once,
as it would have died with it.

The worker serves only the code it loaded: when one of its modules' files
has changed (assembleur or a library updated), it refuses, and stops; the
command then runs by itself and leaves a new worker. ``ASSEMBLEUR_OUTIL_PRET=non``
turns it off. Only where there are fork and Unix sockets (not Windows).

This module is imported by every command before anything else: it loads
only the standard library's smallest modules.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
import zlib

ENV_CACHE = "ASSEMBLEUR_CACHE"  # where the kept-ready processes' state lives (default: ~/.cache/assembleur)
ENV_WARM_TOOL = "ASSEMBLEUR_OUTIL_PRET"  # "non": each command loads its modules itself
IDLE_SECONDS = 1800  # as the warm converters: stops by itself after half an hour unused
REQUEST_SECONDS = 5  # a command that connects sends its request at once
MAX_SOCKET_PATH = 100  # a Unix socket's path is limited to 104 bytes (macOS), 108 (Linux)
# commands that are not served: the atelier is its own long-lived process; « convertisseur » stops the worker
NOT_SERVED = ("atelier", "convertisseur")
FORWARDED_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, name)
)
# what a command's own process would have limited; the child takes the command's limits
LIMITS = ("RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE")
LENGTH = struct.Struct("!I")


def state_folder() -> str:
    """The folder of the kept-ready processes' state: ``ASSEMBLEUR_CACHE``, else ~/.cache/assembleur."""
    return os.environ.get(ENV_CACHE) or os.path.join(os.path.expanduser("~"), ".cache", "assembleur")


def enabled() -> bool:
    """Is the warm tool in use: asked for (the default), and possible on this system?"""
    return (
        os.environ.get(ENV_WARM_TOOL, "oui").strip().lower() not in ("non", "0", "no")
        and hasattr(os, "fork")
        and hasattr(socket, "AF_UNIX")
        and hasattr(socket, "send_fds")
        and not sys._xoptions  # -X importtime and the like: the command measures its own process
        and not sys.flags.dev_mode
    )


def served(arguments: list[str]) -> bool:
    """Would the worker run this command line?"""
    words = [word for word in arguments if not word.startswith("-")]
    return enabled() and not (words and words[0] in NOT_SERVED)


def identity() -> str:
    """What a worker must share with a command to serve it: the Python, the package, the PYTHON… variables."""
    python = sorted((key, value) for key, value in os.environ.items() if key.startswith("PYTHON"))
    return "\0".join([sys.executable, os.path.dirname(os.path.abspath(__file__)), repr(python)])


def socket_path() -> str:
    """Where the worker serving this Python and this package listens."""
    key = zlib.crc32(identity().encode("utf-8", "surrogateescape"))
    return os.path.join(state_folder(), f"outil-{key:08x}.sock")


# --- the command's side --------------------------------------------------------------------------


def forward(arguments: list[str]) -> int | None:
    """Run the command in the worker; its exit code, or None when no worker serves it (run it here then).

    A command the worker's child ended by a signal ends by the same signal here.
    """
    if not served(arguments):
        return None
    connection = _connect()
    if connection is None:
        return None
    with connection:
        try:
            socket.send_fds(connection, [_frame(_request(arguments))], [0, 1, 2])
            started = _read_line(connection)
        except OSError:
            return None
        if "pid" not in started:  # refused (code changed, other identity): the command runs itself
            return None
        child = started["pid"]

        def pass_on(number: int, frame: object) -> None:
            try:
                connection.send(bytes([number]))
            except OSError:
                os.kill(child, number)

        previous = {number: signal.signal(number, pass_on) for number in FORWARDED_SIGNALS}
        try:
            ended = _read_line(connection)
        except OSError:
            ended = {}
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
    if "signal" in ended:
        signal.signal(ended["signal"], signal.SIG_DFL)
        os.kill(os.getpid(), ended["signal"])
        return 128 + ended["signal"]
    if "code" in ended:
        return ended["code"]
    with suppressed(OSError):  # the worker died under it: the child goes too
        os.kill(child, signal.SIGKILL)
    from .errors import ExitCode

    sys.stderr.write(
        "Erreur : l'outil gardé prêt s'est arrêté pendant la commande. Relancez-la ; si cela se reproduit, "
        "arrêtez-le avec « assembleur convertisseur arreter ».\n"
    )
    return ExitCode.ENVIRONMENT


def _connect() -> socket.socket | None:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(socket_path())
    except OSError:  # none running, or its socket left by a killed worker
        connection.close()
        return None
    return connection


def _request(arguments: list[str]) -> dict[str, object]:
    mask = os.umask(0)
    os.umask(mask)
    import resource

    limits = {name: resource.getrlimit(getattr(resource, name)) for name in LIMITS if hasattr(resource, name)}
    return {
        "identity": identity(),
        "program": sys.argv[0],
        "arguments": arguments,
        "folder": os.getcwd(),
        "environment": dict(os.environ),
        "umask": mask,
        "limits": limits,
        "streams": [
            [getattr(stream, "encoding", "utf-8"), getattr(stream, "errors", "strict")]
            for stream in (sys.stdin, sys.stdout, sys.stderr)
        ],
    }


def _frame(message: dict[str, object]) -> bytes:
    data = json.dumps(message).encode("utf-8", "surrogateescape")
    return LENGTH.pack(len(data)) + data


def _read_line(connection: socket.socket) -> dict[str, int]:
    """One JSON line from the worker; {} if it closed the connection first."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(256)
        if not chunk:
            return {}
        data += chunk
    return json.loads(data)


def ask(what: str) -> dict[str, int] | None:
    """Send the running worker ``what`` (« ping » or « stop »); its answer, or None when none runs.

    The answer gives the worker's ``pid``, how many commands it has ``served`` and how many are ``running``.
    """
    connection = _connect()
    if connection is None:
        return None
    with connection:
        try:
            connection.sendall(_frame({what: True}))
            return _read_line(connection) or None
        except OSError:
            return None


class suppressed:
    """contextlib.suppress, without loading contextlib on every command."""

    def __init__(self, *kinds: type[BaseException]) -> None:
        self.kinds = kinds

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> bool:
        return kind is not None and issubclass(kind, self.kinds)


def start() -> None:
    """Leave a worker for the next commands, unless one runs; it loads its modules in the background."""
    path = socket_path()
    if not enabled() or len(path.encode()) > MAX_SOCKET_PATH or ask("ping") is not None:
        return
    import subprocess

    with suppressed(OSError):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path[: -len(".sock")] + ".log", "wb") as log:
            subprocess.Popen(
                # -P: the current folder (a project's) is not searched for modules
                [sys.executable, "-P", "-c", f"from assembleur.warm_server import serve; serve({path!r})"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,  # it outlives this command, on purpose
                close_fds=True,
            )
