"""The warm tool: a command served by the worker says, writes and ends exactly as it does alone.

Real processes: ``python -m assembleur`` commands, a worker left by the first
of them, the real LibreOffice for the builds. The other tests turn the warm
tool off (conftest.py); these turn it on.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest

from assembleur import files, warm

ON = {warm.ENV_WARM_TOOL: "oui"}


def run(root: Path, *args: str, preexec=None, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assembleur", *args],
        cwd=root,
        env={**os.environ, **ON, **environment},
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=preexec,
    )


def start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "assembleur", *args],
        cwd=root,
        env={**os.environ, **ON},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def until(condition, timeout: float = 60):
    """Poll ``condition()`` until it gives something true; that value."""
    end = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < end, "l'état attendu n'est pas venu"
        time.sleep(0.02)
    return value


@pytest.fixture
def worker(projet: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The warm tool on and its worker running (left by a first command if none was): its first answer."""
    monkeypatch.setenv(warm.ENV_WARM_TOOL, "oui")
    if warm.ask("ping") is None:
        assert run(projet, "verifier", "2019").returncode == 0  # runs by itself, leaves a worker
    return until(lambda: warm.ask("ping"))


def dossier_building(root: Path) -> subprocess.Popen:
    """A served ``dossier`` command, once its build has begun staging its files."""
    outputs = root / "sortie" / "2019"
    process = start(root, "dossier", "2019")
    until(lambda: outputs.exists() and any(outputs.glob(f"{files.STAGING_PREFIX}*")), timeout=300)
    return process


def test_a_served_command_prints_and_ends_as_it_does_alone(projet: Path, worker: dict[str, int]) -> None:
    lines = [("verifier", "2019"), ("verifier", "1999"), ("inconnue",), ("rapport", "--aide-inconnue"), ("--help",)]
    for line in lines:
        served = run(projet, *line)
        alone = run(projet, *line, **{warm.ENV_WARM_TOOL: "non"})
        assert (served.returncode, served.stdout, served.stderr) == (alone.returncode, alone.stdout, alone.stderr)
    assert [run(projet, *line).returncode for line in lines] == [0, 1, 64, 64, 0]
    after = warm.ask("ping")
    assert after["pid"] == worker["pid"]
    assert after["served"] == worker["served"] + 2 * len(lines)  # none of them ran by itself


def test_a_served_command_works_in_its_own_folder_and_environment(
    projet: Path, tmp_path_factory: pytest.TempPathFactory, worker: dict[str, int]
) -> None:
    elsewhere = tmp_path_factory.mktemp("ailleurs")
    served = run(elsewhere, "verifier")
    alone = run(elsewhere, "verifier", **{warm.ENV_WARM_TOOL: "non"})
    assert served.returncode == 1
    assert served.stderr == alone.stderr  # the command's folder, which has no contenus/, not the worker's
    narrow, wide = run(projet, "--help", COLUMNS="50"), run(projet, "--help", COLUMNS="200")
    assert narrow.stdout != wide.stdout  # Click wraps the help to the command's COLUMNS
    assert narrow.stdout == run(projet, "--help", COLUMNS="50", **{warm.ENV_WARM_TOOL: "non"}).stdout


def test_the_command_limits_hold_in_the_served_child(projet: Path, worker: dict[str, int]) -> None:
    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    served = run(projet, "rapport", "2019", preexec=small_files)
    alone = run(projet, "rapport", "2019", preexec=small_files, **{warm.ENV_WARM_TOOL: "non"})
    assert served.returncode == alone.returncode != 0  # a rapport of 4 Ko cannot be written
    assert served.stderr == alone.stderr
    assert not list((projet / "sortie").rglob("*.docx"))


@pytest.mark.libreoffice
def test_a_served_dossier_is_built_then_rebuilt_after_an_edit(projet: Path, worker: dict[str, int]) -> None:
    first = run(projet, "dossier", "2019")
    assert first.returncode == 0, first.stderr
    with pikepdf.open(projet / "sortie" / "2019" / "dossier-politique-de-la-ville-2019-projet-v1.pdf") as pdf:
        assert len(pdf.pages) > 60
        assert pdf.Root.MarkInfo.Marked  # tagged, as alone
    rapport = projet / "contenus" / "2019" / "rapport.yaml"
    rapport.write_text(rapport.read_text(encoding="utf-8").replace("Eric EDOUARD", "Éric EDOUARD"), encoding="utf-8")
    second = run(projet, "dossier", "2019")
    assert second.returncode == 0, second.stderr
    assert "sortie/2019/dossier-politique-de-la-ville-2019-projet-v2.pdf" in second.stdout.splitlines()
    assert "Rien n'a changé" in run(projet, "dossier", "2019").stderr.splitlines()[1]
    assert warm.ask("ping")["served"] == worker["served"] + 3


@pytest.mark.libreoffice
def test_ctrl_c_reaches_the_served_build_which_stops_cleanly(projet: Path, worker: dict[str, int]) -> None:
    process = dossier_building(projet)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert stderr.endswith("Interrompu : aucun fichier déjà produit n'a été modifié.\n")
    assert not [path for path in (projet / "sortie").rglob("*") if path.is_file()]


@pytest.mark.libreoffice
def test_a_killed_command_takes_its_served_build_with_it(projet: Path, worker: dict[str, int]) -> None:
    outputs = projet / "sortie" / "2019"
    process = dossier_building(projet)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    until(lambda: warm.ask("ping")["running"] == 0, timeout=10)  # its child is gone too
    staged = [path for path in outputs.iterdir() if path.name.startswith(files.STAGING_PREFIX)]
    assert set(outputs.iterdir()) == set(staged)  # it published nothing

    result = run(projet, "dossier", "2019")

    assert result.returncode == 0, result.stderr
    published = {projet / line for line in result.stdout.splitlines()}
    assert {path for path in outputs.rglob("*") if path.is_file()} == published


@pytest.mark.libreoffice
def test_a_command_killed_by_a_signal_ends_by_it(projet: Path, worker: dict[str, int]) -> None:
    process = dossier_building(projet)
    process.send_signal(signal.SIGTERM)  # passed on: the child dies of it, and the command too
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGTERM


def test_an_updated_assembleur_is_not_served_by_the_old_worker(projet: Path, worker: dict[str, int]) -> None:
    module = Path(warm.__file__).with_name("errors.py")  # loaded by every command
    before = module.stat()
    try:
        os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        done = run(projet, "verifier", "2019")
    finally:
        os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert done.returncode == 0  # ran by itself
    renewed = until(lambda: (answer := warm.ask("ping")) and answer["pid"] != worker["pid"] and answer)
    assert renewed["served"] == 0


def test_the_warm_tool_is_told_and_stopped_with_the_converter(
    projet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(warm.ENV_CACHE, str(tmp_path / "etat"))  # a worker of its own, and no LibreOffice
    monkeypatch.setenv(warm.ENV_WARM_TOOL, "oui")
    assert run(projet, "verifier", "2019").returncode == 0
    pid = until(lambda: warm.ask("ping"))["pid"]

    told = run(projet, "convertisseur", "etat")
    stopped = run(projet, "convertisseur", "arreter")

    assert told.stdout == f"Le convertisseur LibreOffice est arrêté.\nL'outil est gardé prêt (processus {pid}).\n"
    assert stopped.stderr == "Le convertisseur LibreOffice n'était pas lancé.\nOutil gardé prêt arrêté.\n"
    assert warm.ask("ping") is None
    until(lambda: not (tmp_path / "etat" / Path(warm.socket_path()).name).exists(), timeout=10)


def test_which_commands_are_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(warm.ENV_WARM_TOOL, "oui")
    assert warm.served(["dossier", "2019"]) and warm.served(["--debug", "verifier"]) and warm.served([])
    assert not warm.served(["atelier"]) and not warm.served(["convertisseur", "arreter"])
    monkeypatch.setenv(warm.ENV_WARM_TOOL, "non")
    assert not warm.served(["dossier", "2019"])
