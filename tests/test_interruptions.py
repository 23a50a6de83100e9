"""A build killed mid-way leaves nothing behind once the next build, or « cache vider », has run.

Real processes are killed (``kill -9``) at several moments of a real build;
the staging folder of a build that still runs is never touched.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assembleur import files
from assembleur.fabrication import build
from assembleur.pdf import libreoffice
from assembleur.project import Year

STAGING = files.STAGING_PREFIX


def start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "assembleur", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(root: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assembleur", *args], cwd=root, capture_output=True, text=True, timeout=timeout
    )


def stagings(outputs: Path) -> list[Path]:
    return sorted(outputs.glob(f"{STAGING}*")) if outputs.exists() else []


def wait_for(condition, process: subprocess.Popen, timeout: float = 300) -> None:
    """Poll until ``condition()`` holds; fail if the build ends first (a build left running is killed)."""
    end = time.monotonic() + timeout
    try:
        while not condition():
            if process.poll() is not None:
                pytest.fail(f"la fabrication s'est terminée trop tôt ({process.returncode}) : {process.stderr.read()}")
            if time.monotonic() > end:
                pytest.fail("l'état attendu n'est pas venu")
            time.sleep(0.01)
    except BaseException:
        process.kill()
        process.communicate()
        raise


def holding(outputs: Path, pattern: str):
    """Whether a staging folder holds a file matching ``pattern`` (the one of a killed build may vanish meanwhile)."""

    def condition() -> bool:
        try:
            return any(any(staging.rglob(pattern)) for staging in stagings(outputs))
        except FileNotFoundError:
            return False

    return condition


@pytest.fixture
def converters_ready() -> None:
    """The warm converters already running: the builds killed here must not be killed while starting them.

    (A converter left starting by a killed build is launched a second time by the next build, on the same
    profile, which then fails once: a matter of pdf/libreoffice.py, not of the staging folders tested here.)
    """
    for slot in range(libreoffice.converter_count()):
        libreoffice.start_server(slot=slot)


@pytest.mark.libreoffice
def test_after_killed_builds_one_build_leaves_only_published_files(projet: Path, converters_ready) -> None:
    outputs = projet / "sortie" / "2019"
    moments = [lambda: bool(stagings(outputs)), holding(outputs, "*.docx"), holding(outputs, "*.pdf")]
    killed = []
    for moment in moments:  # each build removes the folder of the one killed before it
        process = start(projet, "dossier", "2019", "--forcer")
        wait_for(moment, process)
        process.send_signal(signal.SIGKILL)
        killed.append(process)
        if len(killed) < len(moments):
            process.communicate()  # the last one stays a zombie, not yet reaped: dead all the same
        assert len(stagings(outputs)) == 1
    assert holding(outputs, "*.pdf")()

    result = run(projet, "dossier", "2019")

    assert result.returncode == 0, result.stderr
    published = {projet / line for line in result.stdout.splitlines()}
    left = {path for path in outputs.rglob("*") if path.is_file()}
    assert left == published
    assert not [path for path in outputs.rglob("*") if path.name.startswith((".", "lu"))]
    killed[-1].communicate()


@pytest.mark.libreoffice
def test_cache_vider_removes_a_dead_builds_folder_and_never_a_running_ones(projet: Path, converters_ready) -> None:
    outputs = projet / "sortie" / "2019"
    running = start(projet, "dossier", "2019")
    wait_for(holding(outputs, "*.docx"), running)
    running.send_signal(signal.SIGSTOP)  # held still while « cache vider » runs beside it
    try:
        [own] = stagings(outputs)
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        abandoned = staging_of(outputs, files._machine(), dead.pid, files._start_time(os.getpid()) or "0")
        result = run(projet, "cache", "vider", timeout=60)
        assert result.returncode == 0, result.stderr
        assert "1 dossier de travail laissé par une fabrication interrompue a été retiré de sortie/." in result.stderr
        assert stagings(outputs) == [own]
    finally:
        running.send_signal(signal.SIGCONT)
    stdout, stderr = running.communicate(timeout=600)
    assert running.returncode == 0, stderr
    assert stagings(outputs) == []
    assert (projet / stdout.splitlines()[-1]).is_file()
    assert not abandoned.exists()


def staging_of(folder: Path, machine: str, pid: int, start: str) -> Path:
    path = folder / f"{STAGING}{machine}-{pid}-{start}-abcd1234"
    (path / "parties").mkdir(parents=True)
    (path / "parties" / ".~lock.annexe.docx#").write_text("x")
    (path / "lu12345abcd.tmp").write_text("x")
    return path


def test_only_the_folders_of_builds_no_longer_running_are_removed(tmp_path: Path) -> None:
    machine = files._machine()
    me = os.getpid()
    mine = files._start_time(me)
    assert mine  # Linux: the start time is known
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    running = staging_of(tmp_path, machine, me, mine)
    reused = staging_of(tmp_path, machine, me, str(int(mine) - 1))  # same number, an earlier process: dead
    gone = staging_of(tmp_path, machine, dead.pid, "12")
    elsewhere = staging_of(tmp_path, "0" * 8, dead.pid, "12")  # another machine's build: cannot be told
    unnamed_recent = tmp_path / f"{STAGING}k3j4l5m6"
    unnamed_recent.mkdir()
    unnamed_old = tmp_path / f"{STAGING}a1b2c3d4"
    unnamed_old.mkdir()
    day_ago = time.time() - files.UNNAMED_STAGING_SECONDS - 60
    os.utime(unnamed_old, (day_ago, day_ago))

    removed = files.remove_abandoned_stagings(tmp_path)

    assert sorted(removed) == sorted([reused, gone, unnamed_old])
    assert sorted(tmp_path.iterdir()) == sorted([running, elsewhere, unnamed_recent])


def test_a_zombie_build_is_dead() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while files._start_time(process.pid) != "" and time.monotonic() < deadline:  # exited, not reaped
        time.sleep(0.01)
    assert not files.process_running(process.pid)
    process.wait()


def test_a_lock_whose_process_number_was_reused_is_taken_over(projet: Path) -> None:
    lock = build.lock_path(Year(projet, 2019))
    lock.parent.mkdir(parents=True)
    me = os.getpid()
    lock.write_text(
        json.dumps(
            {"pid": me, "debut": str(int(files._start_time(me)) - 1), "machine": socket.gethostname(), "commande": "x"}
        ),
        encoding="utf-8",
    )
    with files.build_lock(lock, "assembleur rapport 2019"):
        assert json.loads(lock.read_text(encoding="utf-8"))["debut"] == files._start_time(me)
    assert not lock.exists()


HOLD_BUILD = """
import sys, time
from pathlib import Path
from assembleur import files
with files.build_lock(Path(sys.argv[1]), "assembleur dossier 2019"):
    print("pris", flush=True)
    time.sleep(600)
"""


def test_a_build_holding_the_lock_is_named_and_once_killed_blocks_no_one(tmp_path: Path) -> None:
    lock = tmp_path / "fabrication-2019.verrou"
    other = subprocess.Popen([sys.executable, "-c", HOLD_BUILD, str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline() == "pris\n"
        with pytest.raises(files.BuildLocked) as refused, files.build_lock(lock, "assembleur rapport 2019"):
            pass
        assert refused.value.message == (
            f"Une autre fabrication est en cours : « assembleur dossier 2019 » "
            f"(processus {other.pid} sur {socket.gethostname()})."
        )
    finally:
        other.kill()
        other.communicate()
    assert json.loads(lock.read_text(encoding="utf-8"))["pid"] == other.pid  # left behind by the killed build
    with files.build_lock(lock, "assembleur rapport 2019"):
        assert json.loads(lock.read_text(encoding="utf-8"))["commande"] == "assembleur rapport 2019"
    assert not lock.exists()


def test_a_lock_file_removed_by_its_holder_is_not_held_twice(tmp_path: Path) -> None:
    path = tmp_path / "verrou"
    first, waiting, later = files.FileLock(path), files.FileLock(path), files.FileLock(path)
    assert first.acquire(0)
    taken: list[bool] = []
    thread = threading.Thread(target=lambda: taken.append(waiting.acquire(10)))
    thread.start()
    time.sleep(0.2)  # the waiting one has opened the file that is about to go
    first.release(remove=True)
    thread.join()
    assert taken == [True] and path.exists()  # it holds the file now at the path, not the removed one
    assert not later.acquire(0)
    waiting.release()
    assert later.acquire(0)
    later.release()


def test_one_lock_implementation_in_the_package() -> None:
    package = Path(files.__file__).parent
    locking = sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if "fcntl.flock(" in path.read_text(encoding="utf-8") or "msvcrt.locking(" in path.read_text(encoding="utf-8")
    )
    # the converter script runs in LibreOffice's own Python, without assembleur: it keeps its own
    assert locking == ["files.py", "pdf/uno_convert.py"]
