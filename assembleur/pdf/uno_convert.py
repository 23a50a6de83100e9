"""Convert documents through LibreOffice's UNO bridge (to PDF, ODT or DOCX), indexes updated.

Runs under a Python that can ``import uno`` (Debian's /usr/bin/python3 with
python3-uno, or the Python bundled with LibreOffice on Windows and macOS), so
it uses the standard library only. assembleur calls it as a subprocess; see
``assembleur.pdf.libreoffice``. A plain ``soffice --convert-to pdf`` leaves the
sommaire stale: here every index is refreshed and updated twice, because the
first update can move headings to other pages.

Usage: python uno_convert.py SOFFICE PROFILE_DIR FILTER_OPTIONS_JSON INPUT OUTPUT [INPUT OUTPUT …]
   or: python uno_convert.py --comparer SOFFICE PROFILE_DIR OLDER NEWER OUTPUT  (tracked changes, DOCX)
   or: python uno_convert.py --serveur SOFFICE PROFILE_DIR STATE_FILE IDLE_SECONDS  (the warm converter)
Several documents share one LibreOffice start; a document named several times in a row (to PDF
and to ODT) is opened once. Exit codes: 0 done,
3 LibreOffice did not start, 4 a document did not load, 5 an export failed.
"""

import contextlib
import io
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue

FILTERS = {".pdf": "writer_pdf_Export", ".odt": "writer8", ".docx": "MS Word 2007 XML"}


def _props(**values):
    result = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        result.append(prop)
    return tuple(result)


def _connect(pipe, process, deadline):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if process.poll() is not None:
                raise RuntimeError(f"soffice s'est arrêté (code {process.returncode})") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)  # LibreOffice is ready within a second: look often


def _load(desktop, source):
    """The document ``source``, opened hidden; None (the reason said on stderr) when LibreOffice cannot read it."""
    try:
        document = desktop.loadComponentFromURL(Path(source).resolve().as_uri(), "_blank", 0, _props(Hidden=True))
    except Exception as exc:
        print(f"{Path(source).name} : document illisible ({exc})", file=sys.stderr)
        return None
    if document is None:
        print(f"{Path(source).name} : document illisible", file=sys.stderr)
    return document


def _convert(desktop, source, targets, options, update_indexes=True):
    """Export ``source`` to each of ``targets`` (format by extension), opened and its indexes updated once."""
    document = _load(desktop, source)
    if document is None:
        return 4
    try:
        if update_indexes and hasattr(document, "getDocumentIndexes"):
            indexes = document.getDocumentIndexes()
            for _ in range(2 if indexes.getCount() else 0):  # nothing to refresh without an index
                document.refresh()
                for i in range(indexes.getCount()):
                    indexes.getByIndex(i).update()
        for target in targets:
            export = {"FilterName": FILTERS.get(Path(target).suffix.lower(), "writer_pdf_Export")}
            if options and export["FilterName"] == "writer_pdf_Export":
                # a sequence inside a PropertyValue must be typed explicitly, or the filter ignores it
                export["FilterData"] = uno.Any("[]com.sun.star.beans.PropertyValue", _props(**options))
            arguments = uno.Any("[]com.sun.star.beans.PropertyValue", _props(**export))
            uno.invoke(document, "storeToURL", (Path(target).resolve().as_uri(), arguments))
            print(target, flush=True)  # progress, read by assembleur
    except Exception as exc:
        print(f"{Path(source).name} : export impossible ({exc})", file=sys.stderr)
        return 5
    finally:
        document.close(True)
    return 0


def _by_source(pairs):
    """The (source, target) pairs as (source, [targets]): a source named in a row is opened once for all."""
    grouped = []
    for source, target in pairs:
        if grouped and grouped[-1][0] == source:
            grouped[-1][1].append(target)
        else:
            grouped.append((source, [target]))
    return grouped


def _compare(desktop, older, newer, target):
    """Save as the DOCX ``target`` the document ``newer`` with its differences from ``older`` as tracked changes.

    LibreOffice's own comparison (Edit › Track Changes › Compare Document): word-level inside a
    paragraph; a table that differs is replaced as a whole (assembleur refines those afterwards).
    """
    document = _load(desktop, newer)
    if document is None:
        return 4
    try:
        frame = document.getCurrentController().getFrame()
        helper = _SERVICES["dispatch"]
        arguments = _props(URL=Path(older).resolve().as_uri(), NoAcceptDialog=True)
        helper.executeDispatch(frame, ".uno:CompareDocuments", "", 0, arguments)
        export = uno.Any("[]com.sun.star.beans.PropertyValue", _props(FilterName=FILTERS[".docx"]))
        uno.invoke(document, "storeToURL", (Path(target).resolve().as_uri(), export))
    except Exception as exc:
        print(f"{Path(newer).name} : comparaison impossible ({exc})", file=sys.stderr)
        return 5
    finally:
        document.close(True)
    print(target, flush=True)
    return 0


_SERVICES = {}  # the dispatch helper of the running LibreOffice, made once


def _start_office(soffice, profile):
    pipe = f"assembleur_{uuid.uuid4().hex}"
    process = subprocess.Popen(
        [
            soffice,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        context = _connect(pipe, process, time.monotonic() + 60)
    except Exception:
        process.kill()
        process.wait()
        raise
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    _SERVICES["dispatch"] = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.DispatchHelper", context
    )
    return process, desktop


def _stop_office(process, desktop):
    if desktop is not None:
        with contextlib.suppress(Exception):  # the bridge closes while LibreOffice quits: expected
            desktop.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _options(raw):
    options = json.loads(raw or "{}")
    # a template's sommaire must stay empty: filled, it would list the template's own tags
    return options, not options.pop("_templates", False)


def main(argv):
    if argv[1] == "--serveur":
        return serve(*argv[2:])
    comparing = argv[1] == "--comparer"
    if comparing:
        argv = argv[1:]
    soffice, profile = argv[1], argv[2]
    if not comparing:
        options, update_indexes = _options(argv[3])
        pairs = list(zip(argv[4::2], argv[5::2]))  # noqa: B905 - LibreOffice may bundle a Python older than 3.10
    process = desktop = None
    try:
        try:
            process, desktop = _start_office(soffice, profile)
        except Exception as exc:
            print(f"LibreOffice n'a pas démarré : {exc}", file=sys.stderr)
            return 3
        if comparing:
            return _compare(desktop, *argv[3:6])
        for source, targets in _by_source(pairs):
            code = _convert(desktop, source, targets, options, update_indexes)
            if code:
                return code
        return 0
    finally:
        if process is not None:
            _stop_office(process, desktop)


PROFILE_WAIT = 40  # seconds: a converter stopping on the same profile lets its LibreOffice quit within 20 s


def _hold_profile(profile):
    """Keep ``profile`` for this converter until it ends: the open lock file, or None if another holds it.

    A LibreOffice started on a profile that another LibreOffice uses hands its
    work over to that one and quits. The converter that is stopping (or one
    launched by a build killed meanwhile) keeps the profile until its own
    LibreOffice has quit; this one waits for it, at most :data:`PROFILE_WAIT`.
    The system releases the lock when its holder dies.
    """
    path = Path(profile).with_name(f"verrou-{Path(profile).name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    held = open(path, "a+b")  # noqa: SIM115 - kept open as long as the converter runs
    deadline = time.monotonic() + PROFILE_WAIT
    while True:
        try:
            _try_lock(held)
            return held
        except OSError:
            if time.monotonic() > deadline:
                held.close()
                return None
            time.sleep(0.02)


def _try_lock(file):
    """Lock ``file`` exclusively, or raise OSError at once (no lock where there is neither flock nor msvcrt)."""
    try:
        import fcntl
    except ImportError:  # Windows
        try:
            import msvcrt
        except ImportError:
            return
        file.seek(1 << 30)  # the byte assembleur.files.FileLock locks: the same lock on the same file
        msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def serve(soffice, profile, state_file, idle_seconds):
    """The warm converter: one LibreOffice kept running, converting on request (XML-RPC on loopback).

    It writes its port and process number to ``state_file``, and stops by
    itself after ``idle_seconds`` without a request, or when asked.
    """
    from xmlrpc.server import SimpleXMLRPCServer

    held = _hold_profile(profile)  # released when this process ends, after its LibreOffice has quit
    if held is None:
        print(f"LibreOffice n'a pas démarré : un autre convertisseur utilise le profil {profile}", file=sys.stderr)
        return 3
    try:
        process, desktop = _start_office(soffice, profile)
    except Exception as exc:
        print(f"LibreOffice n'a pas démarré : {exc}", file=sys.stderr)
        return 3
    server = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)
    server.timeout = 1.0
    state = {"running": True, "last": time.monotonic()}

    def convert(pairs, raw_options):
        state["last"] = time.monotonic()
        if process.poll() is not None:
            return [3, "LibreOffice s'est arrêté"]
        options, update_indexes = _options(raw_options)
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors):
            for source, targets in _by_source(pairs):
                code = _convert(desktop, source, targets, options, update_indexes)
                if code:
                    return [code, errors.getvalue().strip()]
        state["last"] = time.monotonic()
        return [0, ""]

    def compare(older, newer, target):
        state["last"] = time.monotonic()
        if process.poll() is not None:
            return [3, "LibreOffice s'est arrêté"]
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors):
            code = _compare(desktop, older, newer, target)
        state["last"] = time.monotonic()
        return [code, errors.getvalue().strip()]

    def stop():
        state["running"] = False
        return "ok"

    server.register_function(convert, "convert")
    server.register_function(compare, "compare")
    server.register_function(stop, "stop")
    server.register_function(lambda: "ok", "ping")
    temporary = Path(f"{state_file}.{os.getpid()}")
    temporary.write_text(json.dumps({"port": server.server_address[1], "pid": os.getpid()}), encoding="utf-8")
    os.replace(temporary, state_file)
    try:
        while state["running"] and time.monotonic() - state["last"] < float(idle_seconds) and process.poll() is None:
            server.handle_request()
    finally:
        with contextlib.suppress(OSError):
            if json.loads(Path(state_file).read_text(encoding="utf-8")).get("pid") == os.getpid():
                os.remove(state_file)
        server.server_close()
        _stop_office(process, desktop)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    sys.exit(main(sys.argv))
