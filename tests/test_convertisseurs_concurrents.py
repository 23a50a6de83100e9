"""Two assembleur processes starting the warm converters at the same moment share them, never a profile."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
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


@contextlib.contextmanager
def watching_profiles(folder: Path) -> Iterator[list[Counter[str]]]:
    """Watch the LibreOffices of ``folder`` meanwhile: the moments one profile had two, as they were seen."""
    crowded: list[Counter[str]] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            count = Counter(profile for _, profile in libreoffices(folder))
            if any(n > 1 for n in count.values()):
                crowded.append(count)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield crowded
    finally:
        done.set()
        watcher.join()


def build_when(go: Path, docx: Path, output: Path) -> subprocess.Popen[str]:
    """A process that, once ``go`` exists, does what a build does with the converters: both busy."""
    output.mkdir()
    command = [sys.executable, "-c", BUILD, str(go), str(docx), str(output)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


linux_only = pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="lit /proc (Linux)")


@pytest.mark.libreoffice
@linux_only
def test_two_builds_starting_together_share_the_converters_never_a_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rapport_2019
) -> None:
    state = tmp_path / "etat"  # converters of their own, stopped: both processes start them
    monkeypatch.setenv(libreoffice.ENV_CACHE, str(state))
    go = tmp_path / "partez"
    outputs = [tmp_path / name for name in ("A", "B")]
    try:
        with watching_profiles(state) as crowded:
            builds = [build_when(go, rapport_2019["docx"], output) for output in outputs]
            time.sleep(1)  # both waiting at the barrier, Python and assembleur imported
            go.touch()
            results = [build.communicate(timeout=300) for build in builds]
            running = libreoffices(state)
    finally:
        libreoffice.stop_servers()
    assert [build.returncode for build in builds] == [0, 0], [errors.strip().splitlines()[-1:] for _, errors in results]
    pages = len(PdfReader(rapport_2019["pdf"]).pages)
    assert [len(PdfReader(output / name).pages) for output in outputs for name in ("a.pdf", "b.pdf")] == [pages] * 4
    assert crowded == []
    assert len(running) == len({profile for _, profile in running}) == libreoffice.converter_count()


@pytest.mark.libreoffice
@linux_only
def test_a_build_killed_while_the_converters_start_leaves_the_next_one_a_profile_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rapport_2019
) -> None:
    state = tmp_path / "etat"
    monkeypatch.setenv(libreoffice.ENV_CACHE, str(state))
    go = tmp_path / "partez"
    go.touch()
    try:
        with watching_profiles(state) as crowded:
            killed = build_when(go, rapport_2019["docx"], tmp_path / "tue")
            deadline = time.monotonic() + 60
            while not list(state.glob("*.log")) and time.monotonic() < deadline:  # its converters launched
                time.sleep(0.005)
            killed.kill()  # Ctrl-C and run again: its converters are still starting
            killed.communicate()
            build = build_when(go, rapport_2019["docx"], tmp_path / "suivant")
            _, errors = build.communicate(timeout=300)
            running = libreoffices(state)
    finally:
        libreoffice.stop_servers()
    assert build.returncode == 0, errors
    pages = len(PdfReader(rapport_2019["pdf"]).pages)
    assert [len(PdfReader(tmp_path / "suivant" / name).pages) for name in ("a.pdf", "b.pdf")] == [pages] * 2
    assert crowded == []
    assert len(running) == len({profile for _, profile in running}) == libreoffice.converter_count()


HOLD = """
import sys, time
from pathlib import Path
from assembleur import files
lock = files.FileLock(Path(sys.argv[1]))
assert lock.acquire(0)
print("pris", flush=True)
time.sleep(float(sys.argv[2]))
lock.release()
time.sleep(60)
"""


def holder(state: Path, seconds: float, lock: Path | None = None) -> subprocess.Popen[str]:
    """Another process holding the start lock of ``state`` (or ``lock``) for ``seconds``, then living on without it."""
    path = lock or libreoffice._start_lock(state).path
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "pris\n"
    return process


def test_a_converter_being_started_by_another_process_is_waited_for(tmp_path: Path) -> None:
    state = tmp_path / "convertisseur-0.json"
    other = holder(state, 1.5)
    try:
        assert not libreoffice._start_lock(state).acquire(0)  # another process is starting it
        lock = libreoffice._start_lock(state)
        start = time.monotonic()
        assert lock.acquire(30)  # its converter answers: the lock is free
        assert time.monotonic() - start > 0.5
        lock.release()
    finally:
        other.kill()
        other.communicate()


def test_a_process_killed_while_starting_a_converter_blocks_no_one(tmp_path: Path) -> None:
    state = tmp_path / "convertisseur-0.json"
    other = holder(state, 600)
    assert not libreoffice._start_lock(state).acquire(0)
    other.kill()
    other.communicate()
    lock = libreoffice._start_lock(state)
    assert lock.acquire(0)
    lock.release()


def test_two_threads_of_one_process_start_a_converter_one_at_a_time(tmp_path: Path) -> None:
    state = tmp_path / "convertisseur-0.json"
    first, second = libreoffice._start_lock(state), libreoffice._start_lock(state)
    assert first.acquire(0)
    assert not second.acquire(0)
    first.release()
    assert second.acquire(0)
    second.release()


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="groupes de processus (POSIX)")
def test_a_failed_converter_is_killed_but_not_the_one_another_process_started_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(libreoffice.ENV_SOFFICE, sys.executable)  # state_file names the installation only
    monkeypatch.setenv(libreoffice.ENV_CACHE, str(tmp_path))
    state = libreoffice.state_file(0)
    restarted = subprocess.Popen(["sleep", "60"], start_new_session=True)  # stands for the new converter
    try:
        state.write_text(json.dumps({"port": 1, "pid": restarted.pid}), encoding="utf-8")
        libreoffice._kill_server(0, libreoffice._Converter(1, restarted.pid + 100000, 1))  # the one that failed
        assert restarted.poll() is None and state.exists()
        libreoffice._kill_server(0, libreoffice._Converter(1, restarted.pid, 1))
        assert restarted.wait(10) == -signal.SIGKILL and not state.exists()
    finally:
        restarted.kill()
        restarted.wait()


def test_a_converter_holding_its_profile_is_not_started_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Busy converting for another process, starting for a killed build, or stopping: it is left alone."""
    monkeypatch.setenv(libreoffice.ENV_SOFFICE, sys.executable)  # nothing could start anyway
    monkeypatch.setenv(libreoffice.ENV_CACHE, str(tmp_path))
    monkeypatch.setenv(libreoffice.ENV_COUNT, "1")
    state = libreoffice.state_file(0)
    converter = holder(state, 600, lock=libreoffice._profile_lock(state))
    try:
        libreoffice.prestart()
        assert state not in libreoffice._starting
        assert not state.with_suffix(".log").exists()  # nothing launched
    finally:
        converter.kill()
        converter.communicate()
