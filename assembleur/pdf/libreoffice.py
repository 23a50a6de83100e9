"""The one module that talks to LibreOffice.

Conversions go through warm converters by default: LibreOffices kept
running between builds (started on demand, restarted when they die, stopped
after half an hour unused or by ``assembleur convertisseur arreter``), so
that a rebuild pays no start-up. There is one per core, up to two, each
with its own user profile: a build converts its rapport on one while the
annexes go through the other. Several assembleur processes share them: one
starts each converter while the others wait for it, and a converter keeps
its profile until its LibreOffice has quit (file locks in the state folder),
so that no two LibreOffices ever share a profile. Without them
(``ASSEMBLEUR_CONVERTISSEUR=non``) a LibreOffice is started for each batch,
in a private profile.

It finds ``soffice`` (``ASSEMBLEUR_SOFFICE``, then the PATH, then the usual
install locations) and a Python able to ``import uno``, and converts
documents with every index (the sommaire) updated, under a timeout.
Failures become French errors with install advice.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from functools import cache
from pathlib import Path

from .. import warm
from ..errors import AssembleurError, ConversionError, LibreOfficeMissing
from ..files import FileLock

ENV_SOFFICE = "ASSEMBLEUR_SOFFICE"
ENV_WARM = "ASSEMBLEUR_CONVERTISSEUR"  # "non": start and stop LibreOffice for each build
ENV_CACHE = warm.ENV_CACHE  # where the warm converters' state lives (default: ~/.cache/assembleur)
ENV_COUNT = "ASSEMBLEUR_CONVERTISSEURS"  # "1": one LibreOffice kept ready (saves 200 to 300 MB when idle)
MAX_CONVERTERS = 2  # beyond two, LibreOffices on a 2- or 4-core office PC only slow each other down
IDLE_SECONDS = 1800  # the warm converter stops by itself after half an hour unused
DEFAULT_TIMEOUT = 300.0  # seconds; a 60-page rapport takes under 10 s here
STARTUP_SECONDS = 90  # a warm converter not answering by then is given up
UNO_SCRIPT = Path(__file__).with_name("uno_convert.py")
# LibreOffice allocates and frees many large blocks while it starts and lays out; glibc maps each
# one afresh from the system (about 300 000 page faults per start, two thirds of its start-up time
# in a virtual machine). Keeping them in the heap makes a start and a conversion 0.4 s faster,
# for 50 MB more memory. Other C libraries (Windows, macOS) ignore these variables.
# tagged PDF/UA-1 (structure tree, pdfuaid in the XMP) for every PDF; a caller's options add to these
TAGGED_PDF: dict[str, object] = {"UseTaggedPDF": True, "PDFUACompliance": True}
GLIBC_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(256 * 1024 * 1024), "MALLOC_TRIM_THRESHOLD_": str(256 * 1024 * 1024)}

USUAL_LOCATIONS = [
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/snap/bin/libreoffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
]

INSTALL_ADVICE = (
    "Installez LibreOffice : sous Debian ou Ubuntu « sudo apt-get install libreoffice-writer python3-uno », "
    "sous Windows ou macOS depuis https://fr.libreoffice.org/. S'il est installé ailleurs, "
    f"indiquez le chemin de soffice dans la variable d'environnement {ENV_SOFFICE}."
)


def find_soffice() -> Path:
    """The LibreOffice executable, or :class:`LibreOfficeMissing`."""
    configured = os.environ.get(ENV_SOFFICE)
    if configured:
        path = Path(configured)
        if path.is_file():
            return path
        raise LibreOfficeMissing(f"{ENV_SOFFICE} désigne {configured}, qui n'existe pas.", INSTALL_ADVICE)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    for candidate in [*USUAL_LOCATIONS, *sorted(map(str, Path("/opt").glob("libreoffice*/program/soffice")))]:
        if Path(candidate).is_file():
            return Path(candidate)
    raise LibreOfficeMissing("LibreOffice est introuvable sur cette machine.", INSTALL_ADVICE)


def _imports_uno(python: str) -> bool:
    try:
        return subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@cache
def find_uno_python(soffice: Path) -> str:
    """A Python interpreter that can ``import uno`` (LibreOffice's bridge).

    Trying a candidate starts it (a tenth of a second, before a converter can be launched): the
    answer is kept beside the warm converters' state, until LibreOffice or a candidate changes.
    """
    program = soffice.resolve().parent
    candidates = []
    if importlib.util.find_spec("uno") is not None:
        candidates.append(sys.executable)
    candidates += [str(program / "python"), str(program / "python.exe"), "/usr/bin/python3", "/usr/local/bin/python3"]
    key = " ".join(_identity(Path(path)) for path in [str(soffice), *candidates])
    working = (python for python in candidates if Path(python).is_file() and _imports_uno(python))
    found = _remembered("python-uno.json", key, lambda: next(working, None))
    if found is None:
        raise LibreOfficeMissing(
            "LibreOffice est installé, mais son module Python (UNO) est introuvable.",
            "Sous Debian ou Ubuntu : « sudo apt-get install python3-uno ». Sous Windows ou macOS, "
            "réinstallez LibreOffice avec ses composants par défaut.",
        )
    return found


@cache
def version() -> str:
    """LibreOffice's version string, e.g. ``LibreOffice 7.4.7.2``.

    Asking LibreOffice costs a tenth of a second per build: the answer is kept
    beside the warm converters' state, until LibreOffice's executable changes.
    """
    try:
        soffice = find_soffice().resolve()
    except AssembleurError:
        return "inconnue"
    return _remembered("version-libreoffice.json", _identity(soffice), lambda: _ask_version(soffice)) or "inconnue"


def _ask_version(soffice: Path) -> str | None:
    try:
        result = subprocess.run([str(soffice), "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip().split(" (")[0] or None


def _identity(path: Path) -> str:
    """A file's resolved path, size and modification time: what changes when it is installed again."""
    try:
        details = path.resolve().stat()
    except OSError:
        return f"{path} absent"
    return f"{path.resolve()} {details.st_size} {details.st_mtime_ns}"


def _remembered(name: str, key: str, find: Callable[[], str | None]) -> str | None:
    """``find()``'s answer, kept in the state folder under ``name`` as long as ``key`` is the same (None: not kept)."""
    remembered = _state_folder() / name
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        known = json.loads(remembered.read_text(encoding="utf-8"))
        if known["cle"] == key:
            return str(known["valeur"])
    found = find()
    if found is not None:
        with contextlib.suppress(OSError):  # not remembered: found again next time
            remembered.parent.mkdir(parents=True, exist_ok=True)
            remembered.write_text(json.dumps({"cle": key, "valeur": found}), encoding="utf-8")
    return found


def convert_to_pdf(
    source: Path, target: Path, timeout: float = DEFAULT_TIMEOUT, filter_options: dict[str, object] | None = None
) -> Path:
    """Convert ``source`` (DOCX or ODT) to the PDF ``target``, indexes and page fields updated."""
    convert_many([(source, target)], timeout=timeout, filter_options=filter_options)
    return target


def convert_many(
    pairs: list[tuple[Path, Path]],
    timeout: float = DEFAULT_TIMEOUT,
    filter_options: dict[str, object] | None = None,
    templates: bool = False,
) -> list[Path]:
    """Convert each ``(source, target)`` pair (format by the target's extension), indexes updated.

    Through the warm converters (LibreOffices kept running between builds)
    unless ``ASSEMBLEUR_CONVERTISSEUR=non``; ``templates`` converts templates,
    whose sommaire is left as it is. Targets are written by LibreOffice
    directly: callers give temporary paths and rename them into place.
    """
    with Conversions(filter_options, templates, timeout) as conversions:
        futures = [conversions.submit(source, target) for source, target in pairs]
    return [future.result() for future in futures]


def compare_documents(older: Path, newer: Path, target: Path, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Write the DOCX ``target``: ``newer`` with every difference from ``older`` as tracked changes.

    LibreOffice's own comparison (``.uno:CompareDocuments``), on a warm
    converter (or a LibreOffice started for it alone). Both documents are
    copied first, as for a conversion: no lock file beside the user's files.
    """
    names = f"{older.name} et {newer.name}"
    with tempfile.TemporaryDirectory(prefix="assembleur-comparaison-") as work:
        copies = [Path(work) / f"{role}{path.suffix}" for role, path in (("ancien", older), ("nouveau", newer))]
        for source, copy in zip((older, newer), copies, strict=True):
            shutil.copyfile(source, copy)
        arguments = [str(copies[0]), str(copies[1]), str(target.absolute())]
        if warm_enabled():
            doing, advice = f"la comparaison de {names}", "Relancez : le convertisseur a été redémarré."
            with _free_slot() as slot:
                code, detail = _call_warm(slot, timeout, doing, advice, "compare", arguments)
        else:
            soffice = find_soffice()
            profile = str(Path(work) / "profil")  # a private profile: nothing shared with another LibreOffice
            command = [find_uno_python(soffice), str(UNO_SCRIPT), "--comparer", str(soffice), profile, *arguments]
            code, detail = _run_cold(
                command, timeout, f"la comparaison de {names}", "Fermez les fenêtres LibreOffice ouvertes et relancez."
            )
    return _check_outputs([(newer, target)], code == 0, detail or f"code {code}")[0]


def _call_warm(
    slot: int, timeout: float, doing: str, advice: str, method: str, arguments: list[object]
) -> tuple[int, str]:
    """Call ``method`` on warm converter ``slot``, started (or restarted once) as needed; its code and detail.

    ``doing`` names the work in messages (« la conversion de a.docx »); ``advice`` is what to do on a timeout.
    """
    for attempt in (1, 2):
        proxy = start_server(timeout, slot)
        try:
            code, detail = getattr(proxy, method)(*arguments)
        except TimeoutError:
            _kill_server(slot, proxy)
            raise ConversionError(f"LibreOffice n'a pas terminé {doing} en {timeout:.0f} secondes.", advice) from None
        except (OSError, xmlrpc.client.Error):
            _kill_server(slot, proxy)  # it died during the work: start a new one, once
            if attempt == 2:
                raise ConversionError(
                    f"Le convertisseur LibreOffice s'est arrêté pendant {doing}.",
                    "Relancez ; relancez avec --debug pour plus de détails.",
                ) from None
            continue
        if code == 3 and attempt == 1:  # its LibreOffice did not start: once more, on a new one
            _kill_server(slot, proxy)
            continue
        return code, detail
    raise AssertionError("the second attempt returns or raises")


def _run_cold(command: list[str], timeout: float, doing: str, advice: str) -> tuple[int, str]:
    """Run the converter script with a LibreOffice of its own; its exit code and last line of errors."""
    try:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_environment(),
            start_new_session=True,
        )
    except OSError as exc:
        raise LibreOfficeMissing(f"LibreOffice n'a pas pu être lancé ({exc.strerror}).", INSTALL_ADVICE) from exc
    try:
        _, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise ConversionError(f"LibreOffice n'a pas terminé {doing} en {timeout:.0f} secondes.", advice) from None
    detail = (errors or "").strip().splitlines()[-1:] or [f"code de sortie {process.returncode}"]
    return process.returncode, detail[0]


class Conversions:
    """Documents handed to LibreOffice one at a time, as soon as each is ready.

    With the warm converters, each document goes to the first free one while
    the caller prepares the next; without them (``ASSEMBLEUR_CONVERTISSEUR=non``),
    all are converted together, in one LibreOffice start, when the block ends.
    ``submit`` returns a future: its result is the target, or it raises
    :class:`ConversionError`. Leaving the block waits for every conversion.
    """

    def __init__(
        self, filter_options: dict[str, object] | None = None, templates: bool = False, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        options = {**TAGGED_PDF, **(filter_options or {})}
        self.options = json.dumps({**options, **({"_templates": True} if templates else {})})
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(converter_count(), "conversion") if warm_enabled() else None
        self._pending: list[tuple[Path, Path, Future[Path]]] = []

    def __enter__(self) -> Conversions:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=exc_info[0] is not None)
        elif exc_info[0] is None:
            self._flush()

    def _flush(self) -> None:
        """Without warm converters: convert everything submitted so far, in one LibreOffice start."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        try:
            convert_batch(
                [(source, target) for source, target, _ in pending], timeout=self.timeout, options=self.options
            )
        except ConversionError as exc:
            for _, _, future in pending:
                future.set_exception(exc)
            return
        for _, target, future in pending:
            future.set_result(target)

    def completed(self, futures: Iterable[Future[Path]]) -> Iterator[Future[Path]]:
        """``futures`` as their conversions end, first done first."""
        futures = list(futures)
        if self._pool is None:
            self._flush()
        return as_completed(futures)

    def submit(self, source: Path, target: Path) -> Future[Path]:
        """Start converting ``source`` into ``target`` (format by its extension)."""
        return self.submit_formats(source, [target])[0]

    def submit_formats(self, source: Path, targets: list[Path]) -> list[Future[Path]]:
        """Start converting ``source`` into each of ``targets`` (to PDF and to ODT): one future per target.

        LibreOffice opens the document, lays it out and updates its indexes once for all of them,
        on one converter: not twice, on both.
        """
        futures: list[Future[Path]] = [Future() for _ in targets]
        if self._pool is None:
            self._pending += [(source, target, future) for target, future in zip(targets, futures, strict=True)]
            return futures
        job = self._pool.submit(self._convert_on_free_slot, source, targets)

        def settle(done: Future[list[Path]]) -> None:
            if done.cancelled():
                for future in futures:
                    future.cancel()
                return
            error = done.exception()
            for future, target in zip(futures, targets, strict=True):
                if error is not None:
                    future.set_exception(error)
                else:
                    future.set_result(target)

        job.add_done_callback(settle)
        return futures

    def _convert_on_free_slot(self, source: Path, targets: list[Path]) -> list[Path]:
        with _free_slot() as slot:
            pairs = [(source, target) for target in targets]
            return convert_batch(pairs, timeout=self.timeout, options=self.options, slot=slot)


def convert_batch(
    pairs: list[tuple[Path, Path]], *, timeout: float = DEFAULT_TIMEOUT, options: str = "{}", slot: int = 0
) -> list[Path]:
    """Convert ``pairs`` now: on warm converter ``slot``, or in a LibreOffice started for them alone.

    ``options`` is the JSON of the PDF export options (``_templates`` for templates).
    """
    if warm_enabled():
        return _convert_warm(pairs, timeout, options, slot)
    return _convert_cold(pairs, timeout, options)


def converter_count() -> int:
    """How many warm converters run side by side: one per core, at most :data:`MAX_CONVERTERS`.

    ``ASSEMBLEUR_CONVERTISSEURS=1`` keeps a single one, on a machine short of memory.
    """
    wanted = os.environ.get(ENV_COUNT, "").strip()
    limit = int(wanted) if wanted.isdigit() and int(wanted) > 0 else MAX_CONVERTERS
    return max(1, min(limit, MAX_CONVERTERS, os.cpu_count() or 1))


_slots_lock = threading.Lock()
_slots: queue.SimpleQueue[int] | None = None  # the converters not busy with a conversion of this process


def _free_slots() -> queue.SimpleQueue[int]:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = queue.SimpleQueue()
            for slot in range(converter_count()):
                _slots.put(slot)
        return _slots


@contextlib.contextmanager
def _free_slot() -> Iterator[int]:
    """The first free warm converter, kept for this work alone until the block ends."""
    slot = _free_slots().get()
    try:
        yield slot
    finally:
        _free_slots().put(slot)


def _convert_cold(pairs: list[tuple[Path, Path]], timeout: float, options: str) -> list[Path]:
    """Convert with a LibreOffice started for these documents only, then stopped."""
    soffice = find_soffice()
    python = find_uno_python(soffice)
    with tempfile.TemporaryDirectory(prefix="assembleur-conversion-") as work:
        # a private profile and private copies of the documents: concurrent conversions share nothing,
        # not even the lock file LibreOffice puts beside the document it opens
        profile = Path(work) / "profil"
        arguments: list[str] = []
        for document, target in _private_copies(pairs, Path(work)):
            arguments += [str(document), str(target.absolute())]
        command = [python, str(UNO_SCRIPT), str(soffice), str(profile), options, *arguments]
        names = ", ".join(source.name for source, _ in pairs)
        code, detail = _run_cold(
            command,
            timeout,
            f"la conversion de {names}",
            "Fermez les fenêtres LibreOffice ouvertes et relancez ; si cela se reproduit, "
            "ouvrez le document dans LibreOffice pour vérifier qu'il n'est pas endommagé.",
        )
    return _check_outputs(pairs, code == 0, detail)


def _private_copies(pairs: list[tuple[Path, Path]], work: Path) -> list[tuple[Path, Path]]:
    """Each source copied once into ``work``, with its targets: no lock file beside the user's file.

    A source named in a row keeps one copy, that LibreOffice opens once for all its targets.
    """
    copies: dict[Path, Path] = {}
    result = []
    for source, target in pairs:
        if source not in copies:
            copies[source] = work / f"document-{len(copies)}{source.suffix}"
            shutil.copyfile(source, copies[source])
        result.append((copies[source], target))
    return result


def _environment() -> dict[str, str]:
    """The environment of the converter script and of the LibreOffice it starts.

    Without our Python's variables (LibreOffice's own Python must not load the
    venv's modules), with :data:`GLIBC_MALLOC` unless the user set those already.
    """
    return {**GLIBC_MALLOC, **{k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}}


def _check_outputs(pairs: list[tuple[Path, Path]], succeeded: bool, detail: str) -> list[Path]:
    """The targets, or a French error naming the documents LibreOffice did not convert."""
    missing = [source for source, target in pairs if not target.is_file() or target.stat().st_size == 0]
    if succeeded and not missing:
        return [target for _, target in pairs]
    failed = ", ".join(source.name for source in missing) or ", ".join(source.name for source, _ in pairs)
    raise ConversionError(
        f"LibreOffice n'a pas pu convertir {failed} ({detail}).",
        "Ouvrez le document dans LibreOffice pour vérifier qu'il s'ouvre, puis relancez ; "
        "relancez avec --debug pour plus de détails.",
    )


def _state_folder() -> Path:
    return Path(warm.state_folder())


def state_file(slot: int = 0) -> Path:
    """Where warm converter number ``slot`` says its port and process (per LibreOffice installation)."""
    key = hashlib.sha256(str(find_soffice()).encode()).hexdigest()[:12]
    return _state_folder() / f"convertisseur-{key}-{slot}.json"


class _Converter(xmlrpc.client.ServerProxy):
    """A warm converter, reached on its port, with its process (for a restart: kill that one only)."""

    def __init__(self, port: int, pid: int | None, timeout: float) -> None:
        super().__init__(f"http://127.0.0.1:{port}/", transport=_Transport(timeout), allow_none=True)
        self.pid = pid


def _proxy(state: Path, timeout: float) -> _Converter | None:
    try:
        known = json.loads(state.read_text(encoding="utf-8"))
        port, pid = int(known["port"]), known.get("pid")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    proxy = _Converter(port, pid, timeout)
    try:
        proxy.ping()
    except (OSError, xmlrpc.client.Error):
        return None
    return proxy


class _Transport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


def _start_lock(state: Path) -> FileLock:
    """The right to find or start the converter of ``state``, beside its state file.

    Taken while the converter is looked for and, when none answers, launched
    and waited for until it answers. Another process (two years built at once,
    the atelier's preview during a build) then waits and uses that converter
    instead of starting a second LibreOffice on the same profile.
    """
    return FileLock(state.with_suffix(".verrou"))


@contextlib.contextmanager
def _holding_start_lock(state: Path) -> Iterator[FileLock]:
    """Hold the :func:`_start_lock` of ``state`` for the block; a French error if its holder keeps it too long."""
    lock = _start_lock(state)
    refusal = ConversionError(
        f"Le convertisseur LibreOffice est en train de démarrer dans un autre processus depuis plus de "
        f"{STARTUP_SECONDS + 30} secondes (verrou {lock.path}).",
        "Arrêtez-le avec « assembleur convertisseur arreter », puis relancez.",
    )
    with lock.holding(STARTUP_SECONDS + 30, refusal):
        yield lock


_starting: dict[Path, threading.Thread] = {}  # converters launched by prestart, awaited in the background


def warm_enabled() -> bool:
    """Is the warm converter in use (``ASSEMBLEUR_CONVERTISSEUR`` is not « non »)?"""
    return os.environ.get(ENV_WARM, "oui").strip().lower() not in ("non", "0", "no")


def prestart() -> None:
    """Launch the warm converters that are not running, without waiting for them.

    A build calls this first thing: LibreOffice then starts while the
    content is read and the documents are filled. A converter another
    process is starting is left to it (:func:`start_server` waits for it).
    """
    if not warm_enabled():
        return
    with contextlib.suppress(AssembleurError):  # a problem is reported when the conversion needs it
        for slot in range(converter_count()):
            state = state_file(slot)
            if state in _starting or _profile_in_use(state) or _proxy(state, 5) is not None:
                continue  # running (perhaps busy converting for another process), starting or stopping
            lock = _start_lock(state)
            if not lock.acquire(0):
                continue
            process = None
            try:
                process = None if _proxy(state, 5) is not None else _launch(state)
            finally:
                if process is None:
                    lock.release()
            if process is not None:  # the lock is held until it answers, by a thread of its own
                waiting = threading.Thread(target=_await_launched, args=(process, state, lock), daemon=True)
                waiting.start()
                _starting[state] = waiting


def _profile(state: Path) -> Path:
    return state.parent / f"profil-{state.stem}"


def _profile_lock(state: Path) -> Path:
    """The lock a converter holds on its profile while it runs (see ``_hold_profile`` in uno_convert.py)."""
    return state.parent / f"verrou-{_profile(state).name}"


def _profile_in_use(state: Path) -> bool:
    """Does a converter hold the profile of ``state``? It does from its start until its LibreOffice has quit."""
    lock = FileLock(_profile_lock(state))
    if not lock.acquire(0):
        return True
    lock.release()
    return False


def _await_launched(process: subprocess.Popen[bytes], state: Path, lock: FileLock) -> None:
    try:
        _wait_ready(process, state, 5)
    except ConversionError:
        pass  # started again, and the failure reported, when a conversion needs it
    finally:
        lock.release()


def _launch(state: Path) -> subprocess.Popen[bytes]:
    """Launch the converter of ``state`` (under its :func:`_start_lock`), without waiting for it."""
    soffice = find_soffice()
    python = find_uno_python(soffice)
    state.parent.mkdir(parents=True, exist_ok=True)
    state.unlink(missing_ok=True)
    profile = _profile(state)
    with state.with_suffix(".log").open("w", encoding="utf-8") as errors:
        return subprocess.Popen(
            [python, str(UNO_SCRIPT), "--serveur", str(soffice), str(profile), str(state), str(IDLE_SECONDS)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=_environment(),
            start_new_session=True,  # it outlives this build, on purpose
        )


def _wait_ready(process: subprocess.Popen[bytes], state: Path, timeout: float) -> _Converter:
    """The converter just launched, once it answers; a French error if it stops or takes too long."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = state.with_suffix(".log").read_text(encoding="utf-8").strip().splitlines()[-1:] or ["?"]
            raise ConversionError(f"Le convertisseur LibreOffice n'a pas démarré ({detail[0]}).", INSTALL_ADVICE)
        proxy = _proxy(state, timeout)
        if proxy is not None:
            process.returncode = 0  # detached on purpose: Python must not warn that it still runs
            return proxy
        time.sleep(0.05)
    _kill_group(process)
    raise ConversionError(
        f"Le convertisseur LibreOffice n'a pas démarré en {STARTUP_SECONDS} secondes.", INSTALL_ADVICE
    )


def start_server(timeout: float = 90.0, slot: int = 0) -> _Converter:
    """Warm converter number ``slot``, started if it is not running (or has died).

    Started by one process at a time: one that finds it starting elsewhere
    waits for it, then uses it.
    """
    state = state_file(slot)
    waiting = _starting.pop(state, None)
    if waiting is not None:
        waiting.join()  # launched by prestart: answering now, or failed (then launched again below)
    proxy = _proxy(state, timeout)
    if proxy is not None:
        return proxy
    with _holding_start_lock(state):
        proxy = _proxy(state, timeout)  # started by another process meanwhile
        deadline = time.monotonic() + STARTUP_SECONDS
        while proxy is None and _profile_in_use(state) and time.monotonic() < deadline:
            time.sleep(0.05)  # one starting for a build killed meanwhile, or stopping: not two on its profile
            proxy = _proxy(state, timeout)
        return proxy or _wait_ready(_launch(state), state, timeout)


def servers_running() -> int:
    """How many warm converters are running (and answering)."""
    return sum(_proxy(state_file(slot), 10) is not None for slot in range(MAX_CONVERTERS))


def stop_servers() -> int:
    """Stop the warm converters; return how many were running."""
    stopped = 0
    for slot in range(MAX_CONVERTERS):
        state = state_file(slot)
        proxy = _proxy(state, 10)
        if proxy is None:
            state.unlink(missing_ok=True)
            continue
        with contextlib.suppress(OSError, xmlrpc.client.Error):
            proxy.stop()
        stopped += 1
        deadline = time.monotonic() + 30
        while state.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    return stopped


def _kill_server(slot: int, failed: _Converter) -> None:
    """Kill warm converter ``slot`` if it is still ``failed``: another process may have restarted it meanwhile."""
    state = state_file(slot)
    with _holding_start_lock(state):
        try:
            if json.loads(state.read_text(encoding="utf-8")).get("pid") != failed.pid:
                return
        except (OSError, ValueError, AttributeError):
            return  # gone: a converter that stops removes its state file
        with contextlib.suppress(OSError, TypeError, AttributeError):  # no killpg on Windows
            os.killpg(failed.pid, signal.SIGKILL)  # type: ignore[arg-type]
        state.unlink(missing_ok=True)


def _convert_warm(pairs: list[tuple[Path, Path]], timeout: float, options: str, slot: int) -> list[Path]:
    names = ", ".join(source.name for source, _ in pairs)
    with tempfile.TemporaryDirectory(prefix="assembleur-conversion-") as work:
        # the converter has its own working folder: absolute paths
        copies = [[str(document), str(target.absolute())] for document, target in _private_copies(pairs, Path(work))]
        code, detail = _call_warm(
            slot,
            timeout,
            f"la conversion de {names}",
            "Relancez : le convertisseur a été redémarré. Si cela se reproduit, ouvrez le document "
            "dans LibreOffice pour vérifier qu'il n'est pas endommagé.",
            "convert",
            [copies, options],
        )
    return _check_outputs(pairs, code == 0, detail or f"code {code}")


def _kill_group(process: subprocess.Popen[str]) -> None:
    """Stop the converter and the LibreOffice it started (same process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        process.kill()
    process.communicate()  # reaps it and closes its pipes
