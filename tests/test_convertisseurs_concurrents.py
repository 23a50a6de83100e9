"""Two assembleur processes starting the warm converters at the same moment share them, never a profile."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from assembleur.pdf import libreoffice

# what a build does: launch the converters first thing, then convert on both of them
BUILD = """
import sys, time
from pathlib import Path
from assembleur.pdf import libreoffice
go, docx, out = map(Path, sys.argv[1:4])
while not go.exists():
    time.sleep(0.001)
libreoffice.prestart()
libreoffice.convert_many([(docx, out / "a.pdf"), (docx, out / "b.pdf")])
"""


def libreoffices(folder: Path) -> list[tuple[int, str]]:
    """The running LibreOffices (soffice.bin) whose profile lies in ``folder``: (process, profile).

    Not the children LibreOffice forks for a moment before they run another program: their name
    (``comm``) is already another one, while their command line is still LibreOffice's.
    """
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes().decode(errors="replace").split("\0")
            name = cmdline.with_name("comm").read_text().strip()
        except OSError:
            continue  # ended meanwhile
        if name != "soffice.bin" or not arguments[0].endswith("soffice.bin"):
            continue
        for argument in arguments:
            if argument.startswith("-env:UserInstallation=") and str(folder) in argument:
                found.append((int(cmdline.parent.name), argument.split("=", 1)[1]))
    return found


@pytest.mark.libreoffice
@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="lit /proc (Linux)")
def test_two_builds_starting_together_share_the_converters_never_a_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rapport_2019
) -> None:
    state = tmp_path / "etat"  # converters of their own, stopped: both processes start them
    monkeypatch.setenv(libreoffice.ENV_CACHE, str(state))
    go = tmp_path / "partez"
    outputs = [tmp_path / name for name in ("A", "B")]
    crowded: list[Counter[str]] = []  # snapshots where one profile had two LibreOffices
    watching = True

    def watch() -> None:
        while watching:
            count = Counter(profile for _, profile in libreoffices(state))
            if any(n > 1 for n in count.values()):
                crowded.append(count)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        builds = []
        for output in outputs:
            output.mkdir()
            command = [sys.executable, "-c", BUILD, str(go), str(rapport_2019["docx"]), str(output)]
            builds.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        time.sleep(1)  # both waiting at the barrier, Python and assembleur imported
        go.touch()
        results = [build.communicate(timeout=300) for build in builds]
        running = libreoffices(state)
    finally:
        watching = False
        watcher.join()
        libreoffice.stop_servers()
    assert [build.returncode for build in builds] == [0, 0], [errors.strip().splitlines()[-1:] for _, errors in results]
    pages = len(PdfReader(rapport_2019["pdf"]).pages)
    assert [len(PdfReader(output / name).pages) for output in outputs for name in ("a.pdf", "b.pdf")] == [pages] * 4
    assert crowded == []
    assert len(running) == len({profile for _, profile in running}) == libreoffice.converter_count()
