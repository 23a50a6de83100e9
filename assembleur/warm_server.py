"""The warm tool's worker (see :mod:`.warm`): loads the modules once, then forks a child per command.

It must stay single-threaded: only the forking thread survives in a child.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import selectors
import signal
import socket
import struct
import sys
import time
from pathlib import Path

from .files import FileLock
from .warm import FORWARDED_SIGNALS, IDLE_SECONDS, LENGTH, REQUEST_SECONDS, identity

MAX_REQUEST_BYTES = 1 << 20  # arguments and environment: a few kilobytes
# the modules a build loads, loaded once by the worker
PRELOADED = (
    "assembleur.cli",
    "assembleur.contenus.load",
    "assembleur.contenus.model",
    "assembleur.contenus.validate",
    "assembleur.documents.derive",
    "assembleur.documents.render",
    "assembleur.fabrication.build",
    "assembleur.fabrication.manifest",
    "assembleur.fabrication.verification",
    "assembleur.pdf.assemble",
    "assembleur.pdf.balisage",
    "assembleur.pdf.finish",
    "assembleur.pdf.libreoffice",
    "assembleur.pdf.scans",
    "assembleur.pdf.structure",
)


def serve(path: str) -> None:
    """Load the modules, then serve commands on ``path`` until idle for :data:`IDLE_SECONDS`, stopped or outdated.

    One worker per path: a second one finds the lock taken and leaves.
    """
    lock = FileLock(Path(path).with_suffix(".verrou"))
    if not lock.acquire(0):
        return
    for name in PRELOADED:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    Worker(path, lock).serve()


class Worker:
    """The worker's loop: one connection per command, one child per connection, all in one thread."""

    def __init__(self, path: str, lock: FileLock) -> None:
        import gc

        self.path, self.lock = path, lock
        self.stamps = _stamps()
        self.children: dict[int, socket.socket] = {}  # a running command's child → its command's connection
        self.selector = selectors.DefaultSelector()
        self.listener = _listen(path)
        self.inode = os.stat(path).st_ino  # the socket file is this worker's until another replaces it
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.wake_read, wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(wake_write, False)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # a child ended: select() wakes through the pipe
        signal.set_wakeup_fd(wake_write)
        self.selector.register(self.wake_read, selectors.EVENT_READ, "reap")
        self.stopping = False
        self.served = 0
        gc.freeze()  # the loaded modules stay out of the collector: children do not copy their pages by touching them

    def serve(self) -> None:
        last = time.monotonic()
        while not (self.stopping and not self.children):
            if not self.children and time.monotonic() - last > IDLE_SECONDS:
                self.stop()
                continue
            for key, _ in self.selector.select(timeout=60):
                if key.data == "accept":
                    with contextlib.suppress(OSError):
                        self.accept()
                    last = time.monotonic()
                elif key.data == "reap":
                    with contextlib.suppress(OSError):
                        os.read(self.wake_read, 512)
                    self.reap()
                else:
                    self.relay(key.data, key.fileobj)  # type: ignore[arg-type]
        self.lock.release(remove=True)

    def accept(self) -> None:
        connection, _ = self.listener.accept()
        connection.settimeout(REQUEST_SECONDS)
        if not _same_user(connection):
            connection.close()
            return
        message, fds = _receive(connection)
        try:
            if "ping" in message or "stop" in message:
                _reply(connection, {"pid": os.getpid(), "served": self.served, "running": len(self.children)})
                if "stop" in message:
                    self.stop()
                return
            outdated = _stamps() != self.stamps
            if outdated or self.stopping or message.get("identity") != identity():
                _reply(connection, {"refused": 1})
                if outdated:  # updated code: the command runs itself and leaves a new worker
                    self.stop()
                return
            if not os.path.isdir(message["folder"]) or len(fds) != 3:
                _reply(connection, {"refused": 1})
                return
            pid = self.fork(message, fds, connection)
            # watched before it is told: a command that dies from now on takes its child with it
            self.children[pid] = connection
            self.selector.register(connection, selectors.EVENT_READ, pid)
            self.served += 1
            connection.settimeout(None)
            _reply(connection, {"pid": pid})
        finally:
            for fd in fds:
                os.close(fd)
            if connection not in self.children.values():
                connection.close()

    def fork(self, message: dict, fds: list[int], connection: socket.socket) -> int:
        pid = os.fork()
        if pid:
            return pid
        try:  # the child keeps none of the worker's sockets: the worker alone answers the commands
            self.selector.close()
            self.listener.close()
            for held in (connection, *self.children.values()):
                held.close()
            signal.set_wakeup_fd(-1)
            os.close(self.wake_read)
            _become(message, fds)
        except BaseException:  # nothing must return into the worker's loop
            import traceback

            with contextlib.suppress(Exception):
                traceback.print_exc()
            os._exit(70)
        os._exit(0)

    def relay(self, pid: int, connection: socket.socket) -> None:
        """The command sent signals to pass on, or died (then its child dies too)."""
        try:
            data = connection.recv(64)
        except OSError:
            data = b""
        if data:
            for number in data:
                if number in FORWARDED_SIGNALS:
                    with contextlib.suppress(OSError):
                        os.kill(pid, number)
            return
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)  # gone before the next command is served: its build lock is free again
        self._forget(pid)

    def reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if (connection := self.children.get(pid)) is not None:
                code = os.waitstatus_to_exitcode(status)
                with contextlib.suppress(OSError):
                    _reply(connection, {"signal": -code} if code < 0 else {"code": code})
                self._forget(pid)

    def _forget(self, pid: int) -> None:
        connection = self.children.pop(pid)
        self.selector.unregister(connection)
        connection.close()

    def stop(self) -> None:
        """Serve no new command; the running ones end first."""
        if self.stopping:
            return
        self.stopping = True
        with contextlib.suppress(OSError):
            if os.stat(self.path).st_ino == self.inode:
                os.unlink(self.path)
        self.selector.unregister(self.listener)
        self.listener.close()


def _listen(path: str) -> socket.socket:
    """Listen on ``path``: made under a private name, then renamed, so that no command meets a half-made worker."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    private = f"{path}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(private)
    listener.bind(private)
    os.chmod(private, 0o600)
    listener.listen(16)
    os.replace(private, path)
    return listener


def _same_user(connection: socket.socket) -> bool:
    if not hasattr(socket, "SO_PEERCRED"):
        return True  # the socket is the user's own (mode 600)
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", credentials)[1] == os.getuid()


def _receive(connection: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    if len(data) < LENGTH.size:
        return {}, fds
    (length,) = LENGTH.unpack_from(data)
    if length > MAX_REQUEST_BYTES:
        return {}, fds
    while len(data) < LENGTH.size + length:
        chunk = connection.recv(1 << 16)
        if not chunk:
            break
        data += chunk
    try:
        return json.loads(data[LENGTH.size :].decode("utf-8", "surrogateescape")), fds
    except ValueError:
        return {}, fds


def _reply(connection: socket.socket, message: dict[str, int]) -> None:
    connection.sendall(json.dumps(message).encode() + b"\n")


def _stamps() -> dict[str, tuple[int, int]]:
    """Size and modification time of every loaded module's file: what the worker serves."""
    stamps = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path:
            try:
                status = os.stat(path)
            except OSError:
                continue
            stamps[path] = (status.st_size, status.st_mtime_ns)
    return stamps


def _become(message: dict, fds: list[int]) -> None:
    """In the child: take the command's terminal, folder, environment and limits, then run it."""
    import io

    for number in (signal.SIGCHLD, *FORWARDED_SIGNALS):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(message["folder"])
    os.environ.clear()
    os.environ.update(message["environment"])
    time.tzset()  # the command's TZ
    os.umask(message["umask"])
    _limit(message["limits"])
    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
    streams = []
    for fd, (encoding, errors) in enumerate(message["streams"]):
        raw = io.FileIO(fd, "r" if fd == 0 else "w", closefd=False)
        terminal = os.isatty(fd)
        buffered = io.BufferedReader(raw) if fd == 0 else io.BufferedWriter(raw)
        streams.append(
            io.TextIOWrapper(
                buffered,
                encoding=encoding,
                errors=errors,
                line_buffering=terminal or fd == 2,
                write_through=unbuffered and fd != 0,
            )
        )
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams
    sys.argv = [message["program"], *message["arguments"]]
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = None  # TMPDIR is the command's
    from .__main__ import run

    run(message["arguments"])


def _limit(limits: dict[str, list[int]]) -> None:
    import resource

    for name, (soft, hard) in limits.items():
        with contextlib.suppress(ValueError, OSError, AttributeError):
            resource.setrlimit(getattr(resource, name), (soft, hard))
