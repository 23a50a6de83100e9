"""Convert documents through LibreOffice's UNO bridge (to PDF, ODT or DOCX), indexes updated.

Runs under a Python that can ``import uno`` (Debian's /usr/bin/python3 with
python3-uno, or the Python bundled with LibreOffice on Windows and macOS), so
it uses the standard library only. assembleur calls it as a subprocess; see
``assembleur.libreoffice``. A plain ``soffice --convert-to pdf`` leaves the
sommaire stale: here every index is refreshed and updated twice, because the
first update can move headings to other pages.

Usage: python uno_convert.py SOFFICE PROFILE_DIR FILTER_OPTIONS_JSON INPUT OUTPUT [INPUT OUTPUT …]
Several documents share one LibreOffice start. Exit codes: 0 done,
3 LibreOffice did not start, 4 a document did not load, 5 an export failed.
"""

import contextlib
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
            time.sleep(0.1)


def _convert(desktop, source, target, options, update_indexes=True):
    try:
        document = desktop.loadComponentFromURL(Path(source).resolve().as_uri(), "_blank", 0, _props(Hidden=True))
    except Exception as exc:
        print(f"{Path(source).name} : document illisible ({exc})", file=sys.stderr)
        return 4
    if document is None:
        print(f"{Path(source).name} : document illisible", file=sys.stderr)
        return 4
    try:
        if update_indexes and hasattr(document, "getDocumentIndexes"):
            indexes = document.getDocumentIndexes()
            for _ in range(2):
                document.refresh()
                for i in range(indexes.getCount()):
                    indexes.getByIndex(i).update()
        export = {"FilterName": FILTERS.get(Path(target).suffix.lower(), "writer_pdf_Export")}
        if options and export["FilterName"] == "writer_pdf_Export":
            # a sequence inside a PropertyValue must be typed explicitly, or the filter ignores it
            export["FilterData"] = uno.Any("[]com.sun.star.beans.PropertyValue", _props(**options))
        arguments = uno.Any("[]com.sun.star.beans.PropertyValue", _props(**export))
        uno.invoke(document, "storeToURL", (Path(target).resolve().as_uri(), arguments))
    except Exception as exc:
        print(f"{Path(source).name} : export PDF impossible ({exc})", file=sys.stderr)
        return 5
    finally:
        document.close(True)
    print(target, flush=True)  # progress, read by assembleur
    return 0


def main(argv):
    soffice, profile, options = argv[1], argv[2], json.loads(argv[3] or "{}")
    # a template's sommaire must stay empty: filled, it would list the template's own tags
    update_indexes = not options.pop("_templates", False)
    pairs = list(zip(argv[4::2], argv[5::2]))  # noqa: B905 - LibreOffice may bundle a Python older than 3.10
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
        try:
            context = _connect(pipe, process, time.monotonic() + 60)
        except Exception as exc:
            print(f"LibreOffice n'a pas démarré : {exc}", file=sys.stderr)
            return 3
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        for source, target in pairs:
            code = _convert(desktop, source, target, options, update_indexes)
            if code:
                return code
        with contextlib.suppress(Exception):  # the bridge closes while LibreOffice quits: expected
            desktop.terminate()
        return 0
    finally:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    sys.exit(main(sys.argv))
