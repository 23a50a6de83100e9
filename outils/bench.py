"""Benchmark of assembleur (``make bench``): the times staff feel, against LibreOffice's own floor.

It copies the project into a temporary folder (its own warm converter, its own
cache), then times, several runs each and reports the median of:

- ``verifier``; ``rapport`` (DOCX only) and ``rapport --pdf`` from an empty cache;
- ``dossier`` cold: no converter running, empty cache;
- ``dossier`` after a one-line YAML edit, converter warm (the line goes back and forth between two
  values, as staff try a word: both are built once, untimed, so that their parts are in the cache);
  the same without the warm tool, for information;
- ``dossier`` after a line never seen before (for information: the rapport is converted again);
- ``dossier`` with nothing changed;
- ``comparer``: the last two versions as Word tracked changes and PDF, converter warm;
- the floor: LibreOffice's own tagged export (PDF/UA options, as assembleur asks for), one
  ``soffice --headless --convert-to`` of the same six DOCX files on a made profile; the untagged
  export is shown beside it; for the cold target, floor and cold ``dossier`` are timed in turn,
  one after the other, so that a machine whose speed drifts weighs on both alike;
- the atelier: each page's answer time, and the preview's update after a saved edit (``--atelier``: only these).

It prints each figure and its ratio to the floor, the CPU time and the peak
memory of the tool's own process (not LibreOffice's: under load, its CPU time
moves less than the clock), the machine's load, the three targets of issue 23
beside their measures, and the same cold and edit builds on a synthetic year
ten times larger (actions and scanned pages), and a build with 200 MB of scans
for the memory target.

The tool runs with its modules' bytecode kept (in the benchmark's folder), as
an installed tool has it: without it (``PYTHONDONTWRITEBYTECODE``), Python
compiles assembleur's modules again at every command.

Usage: .venv/bin/python outils/bench.py [--runs N] [--rapide] [--atelier]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

from assembleur import warm
from assembleur.pdf import libreoffice

REPO = Path(__file__).resolve().parent.parent
TOOL = [sys.executable, "-m", "assembleur"]


CPU: dict[str, float] = {}  # CPU seconds of the tool's own process, per measure (median)


def run(project: Path, *args: str, env: dict[str, str]) -> tuple[float, int]:
    """Run assembleur in ``project``: (seconds, peak memory of the process that ran the command, in MB).

    The CPU time of that process (and of the short programs it waited for, not of the detached
    converters) is kept in :data:`LAST_CPU`. Both are what the command reports under
    ``ASSEMBLEUR_MESURE``: served by the warm tool, it ran in the worker's child, not in the process
    started here. A worker the command left behind is waited for, so that its loading is not timed
    with the next measure.
    """
    start = time.perf_counter()
    result = subprocess.run([*TOOL, *args], cwd=project, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"assembleur {' '.join(args)} a échoué :\n{result.stderr}")
    reported = dict(
        line.split(" : ", 1)
        for line in result.stderr.splitlines()
        if line.startswith(("temps CPU", "mémoire maximale"))
    )
    LAST_CPU[0] = float(reported.get("temps CPU", "0 s").split()[0])
    wait_for_warm_tool(env)
    return elapsed, int(reported.get("mémoire maximale", "0 Mo").split()[0])


LAST_CPU = [0.0]


def wait_for_warm_tool(env: dict[str, str], timeout: float = 60) -> None:
    """Until the warm tool of ``env`` answers (when it is in use)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        deadline = time.monotonic() + timeout
        while warm.enabled() and warm.ask("ping") is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def make_project(root: Path, scale: int = 1, scan_megabytes: int = 0) -> Path:
    """A copy of the shipped project; ``scale`` multiplies the actions and the scanned avis."""
    for folder in ("contenus", "gabarits", "annexes"):
        shutil.copytree(REPO / folder, root / folder)
    if scale > 1 or scan_megabytes:
        _scale(root, scale, scan_megabytes)
    return root


def _scale(root: Path, scale: int, scan_megabytes: int) -> None:
    yaml = YAML(typ="rt")
    yaml.representer.ignore_aliases = lambda *_: True  # shared lists written out: content files refuse anchors
    contents = root / "contenus" / "2019"
    programmation = yaml.load((contents / "programmation.yaml").read_text(encoding="utf-8"))
    actions = list(programmation["actions"])
    for copy in range(2, scale + 1):
        for action in actions:
            clone = dict(action)
            clone["titre"] = f"{action['titre']} ({copy})"
            programmation["actions"].append(clone)
    with (contents / "programmation.yaml").open("w", encoding="utf-8") as handle:
        yaml.dump(programmation, handle)
    avis = yaml.load((contents / "avis.yaml").read_text(encoding="utf-8"))
    received = [o for o in avis["organismes"] if o.get("avis")]
    annexes = root / "annexes" / "2019"
    count = len(received) * (scale - 1)
    if scan_megabytes:
        count = max(count, scan_megabytes // 10)
    for index in range(count):
        model = received[index % len(received)]
        name = f"avis-copie-{index}.pdf"
        if scan_megabytes:
            _big_scan(annexes / name)
        else:
            shutil.copyfile(annexes / model["avis"]["fichier"], annexes / name)
        entry = json.loads(json.dumps(dict(model), default=str))
        entry["nom"] = f"{model['nom']} ({index + 2})"
        entry["avis"] = {**dict(model["avis"]), "fichier": name}
        avis["organismes"].append(entry)
    with (contents / "avis.yaml").open("w", encoding="utf-8") as handle:
        yaml.dump(avis, handle)


def _big_scan(path: Path) -> None:
    """A 10 MB scan: two A4 pages of noise at 300 dpi, JPEG (noise does not compress)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(len(path.name))
    pages = [Image.fromarray(rng.integers(0, 256, (3508, 2480), dtype=np.uint8), "L") for _ in range(2)]
    pages[0].save(path, "PDF", resolution=300, save_all=True, append_images=pages[1:], quality=75)


def toggle_line(project: Path) -> None:
    """A one-line edit, as staff make them: the signatory's name, with and without an accent."""
    path = project / "contenus" / "2019" / "rapport.yaml"
    text = path.read_text(encoding="utf-8")
    text = (
        text.replace("nom: Eric EDOUARD", "nom: ÉRIC EDOUARD")
        if "nom: Eric EDOUARD" in text
        else text.replace("nom: ÉRIC EDOUARD", "nom: Eric EDOUARD")
    )
    path.write_text(text, encoding="utf-8")


def new_line(project: Path, number: int) -> None:
    """A one-line edit never made before: the rapport's part is not in the cache, and is converted again."""
    path = project / "contenus" / "2019" / "rapport.yaml"
    text = path.read_text(encoding="utf-8")
    for name in ("nom: Eric EDOUARD", "nom: ÉRIC EDOUARD"):
        text = text.replace(f"{name}\n", f"{name} ({number})\n", 1)
    text = re.sub(r"(nom: (?:Eric|ÉRIC) EDOUARD) \(\d+\)", rf"\1 ({number})", text, count=1)
    path.write_text(text, encoding="utf-8")


def floor_conversion(
    docx_files: list[Path], work: Path, env: dict[str, str] | None = None, target: str = "pdf"
) -> Callable[[], float]:
    """Bare LibreOffice: a function that times one ``soffice --convert-to`` of all the files.

    Its profile is made by a first, untimed run, as on a desk where LibreOffice
    has been used before: assembleur's converters also start on existing
    profiles, so a first-start penalty would flatter the ratios. ``env`` adds
    variables to LibreOffice's environment; ``target`` is the export filter (plain PDF by default).
    """
    profile = (work / "profil-plancher").as_uri()

    def convert() -> float:
        start = time.perf_counter()
        subprocess.run(
            [
                "soffice",
                "--headless",
                f"-env:UserInstallation={profile}",
                "--convert-to",
                target,
                "--outdir",
                str(work / "plancher"),
                *map(str, docx_files),
            ],
            capture_output=True,
            check=True,
            env={**os.environ, **(env or {})},
        )
        return time.perf_counter() - start

    convert()
    return convert


def floor(
    docx_files: list[Path], work: Path, runs: int, env: dict[str, str] | None = None, target: str = "pdf"
) -> float:
    """The median of ``runs`` timed conversions (:func:`floor_conversion`)."""
    convert = floor_conversion(docx_files, work, env, target)
    return median([convert() for _ in range(runs)])


PAIRS = 5  # floor and cold build side by side: at least this many pairs for the cold target


def paired_cold(
    project: Path, env: dict[str, str], convert: Callable[[], float], runs: int
) -> tuple[float, float, float]:
    """Cold ``dossier`` and the floor, one right after the other, ``runs`` times: (median floor, median cold,
    median of each pair's ratio).

    The speed of a shared virtual machine drifts by half from one minute to
    the next; measured side by side, both see the same machine, and their
    ratio is that of the tool, not of the moment. The ratio of each pair,
    rather than that of the medians, keeps a pair from being compared with
    another moment's.
    """
    floors, colds = [], []
    for _ in range(runs):
        floors.append(convert())
        subprocess.run([*TOOL, "convertisseur", "arreter"], cwd=project, env=env, capture_output=True)
        shutil.rmtree(project / ".cache", ignore_errors=True)
        colds.append(run(project, "dossier", "--forcer", env=env)[0])
    return median(floors), median(colds), median([cold / floor for floor, cold in zip(floors, colds, strict=True)])


def measure(project: Path, env: dict[str, str], runs: int, label: str) -> dict[str, tuple[float, int]]:
    cache = project / ".cache"

    def clean() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def stop() -> None:
        subprocess.run([*TOOL, "convertisseur", "arreter"], cwd=project, env=env, capture_output=True)

    results: dict[str, tuple[float, int]] = {}

    def series(name: str, args: list[str], before, environment: dict[str, str] = env) -> None:
        samples, peaks, cpu = [], [], []
        for _ in range(runs):
            before()
            seconds, peak = run(project, *args, env=environment)
            samples.append(seconds)
            peaks.append(peak)
            cpu.append(LAST_CPU[0])
        results[name] = (median(samples), max(peaks))
        CPU[f"{label} {name}"] = median(cpu)
        print(f"  [{label}] {name} : {results[name][0]:.2f} s (CPU {median(cpu):.2f} s)", file=sys.stderr)

    edits = iter(range(1, 1000))
    run(project, "verifier", env=env)  # untimed: Python compiles the modules once, as an installation does
    series("verifier", ["verifier"], lambda: None)
    series("rapport (DOCX)", ["rapport", "--forcer"], clean)
    series("rapport --pdf", ["rapport", "--pdf", "--forcer"], clean)
    series("dossier à froid", ["dossier", "--forcer"], lambda: (stop(), clean()))
    run(project, "dossier", "--forcer", env=env)  # warm converter and cache
    for _ in range(2):  # both values of the edited line in the cache, whatever the number of runs
        toggle_line(project)
        run(project, "dossier", env=env)
    series("dossier après une ligne modifiée", ["dossier"], lambda: toggle_line(project))
    # for information: each command loading its modules itself
    alone = {**env, warm.ENV_WARM_TOOL: "non"}
    series("le même, sans l'outil gardé prêt", ["dossier"], lambda: toggle_line(project), alone)
    series("dossier sans changement", ["dossier"], lambda: None)
    series("dossier après une ligne jamais vue", ["dossier"], lambda: new_line(project, next(edits)))
    series("comparer (deux dernières versions)", ["comparer"], lambda: None)
    stop()
    return results


def measure_atelier(project: Path, env: dict[str, str], runs: int) -> list[tuple[str, bool]]:
    """The atelier: each page's answer time outside builds, and the preview's update after a saved edit.

    The real command serves the project; pages are asked over HTTP with the
    session cookie, as the browser does. The preview's time runs from the
    moment the YAML file is written to the moment the page is told (its
    server-sent event) that the new dossier is there.
    """
    import http.client
    import queue
    import re
    import signal
    import socket
    import threading

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = project.parent / "atelier.log"
    env = {key: value for key, value in env.items() if key != "ASSEMBLEUR_MESURE"}
    with log.open("wb") as stream:
        process = subprocess.Popen(
            [*TOOL, "atelier", "2019", "--port", str(port), "--sans-navigateur"],
            cwd=project,
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    try:
        while not (match := re.search(r"\?jeton=(\S+)", log.read_text(encoding="utf-8"))):
            if process.poll() is not None:
                raise SystemExit(f"l'atelier n'a pas démarré :\n{log.read_text(encoding='utf-8')}")
            time.sleep(0.05)
        headers = {"Cookie": f"assembleur_jeton={match[1]}"}

        def get(path: str) -> float:
            start = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            connection.close()
            elapsed = time.perf_counter() - start
            if response.status != 200:
                raise SystemExit(f"GET {path} : {response.status}")
            return elapsed

        first = get("/")  # the checks of the year, done once at start (in the background) then kept
        events: queue.Queue[str] = queue.Queue()

        def listen() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            connection.request("GET", "/evenements", headers=headers)
            response = connection.getresponse()
            kind = ""
            for raw in response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "apercu":
                    events.put(line[6:])

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(0.5)

        def edit_and_wait() -> float:
            start = time.perf_counter()
            toggle_line(project)
            note = events.get(timeout=300)
            elapsed = time.perf_counter() - start
            if "→" not in note:
                raise SystemExit(f"l'aperçu n'a pas été refait : {note}")
            return elapsed

        cold = edit_and_wait()  # LibreOffice starts: not the edit's cost
        preview = median([edit_and_wait() for _ in range(runs)])
        after_save = []  # the year page asked once the preview of a save is there (and the checks redone after it)
        for _ in range(runs):
            toggle_line(project)
            events.get(timeout=300)
            time.sleep(1)
            after_save.append(get("/"))
        pages = {}
        for name, path in (("L'année", "/"), ("Enregistrer un avis", "/avis"), ("Aperçu", "/apercu")):
            get(path)
            pages[name] = median([get(path) for _ in range(max(runs, 5))])
        image = get("/apercu/page/1.png?v=" + re.search(r"page/1\.png\?v=([^\"]+)\"", _page(port, headers))[1])
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    print(f"\nAtelier (médiane de {max(runs, 5)} requêtes, hors fabrication) :")
    print(f"  première page « L'année » au démarrage (contrôles de l'année) : {first * 1000:.0f} ms")
    for name, seconds in pages.items():
        print(f"  page « {name} » : {seconds * 1000:.0f} ms")
    print(f"  page « L'année » une seconde après l'aperçu d'un enregistrement : {median(after_save) * 1000:.0f} ms")
    print(f"  image d'une page de l'aperçu (pdftoppm, la première fois) : {image * 1000:.0f} ms")
    print(f"Aperçu refait après une ligne de YAML enregistrée : {preview:.2f} s (la première : {cold:.2f} s)")
    return [
        ("chaque page de l'atelier < 300 ms", max([*pages.values(), median(after_save)]) < 0.3),
        ("aperçu à jour < 2 s après un enregistrement", preview < 2.0),
    ]


def _page(port: int, headers: dict[str, str]) -> str:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/apercu", headers=headers)
    text = connection.getresponse().read().decode("utf-8")
    connection.close()
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rapide", action="store_true", help="une seule série, sans l'année ×10 ni les 200 Mo")
    parser.add_argument("--atelier", action="store_true", help="seulement les mesures de l'atelier")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assembleur-bench-") as folder:
        work = Path(folder)
        env = {**os.environ, "ASSEMBLEUR_CACHE": str(work / "etat"), "ASSEMBLEUR_MESURE": "1"}
        env.pop("ASSEMBLEUR_CONVERTISSEUR", None)
        # the modules' bytecode kept, as an installed tool has it (written here, not in the source tree)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "bytecode")
        load = os.getloadavg()
        print(f"Charge de la machine au début : {load[0]:.1f} (1 min), {load[1]:.1f} (5 min)", file=sys.stderr)
        if arguments.atelier:
            targets = measure_atelier(make_project(work / "atelier"), env, arguments.runs)
            subprocess.run([*TOOL, "convertisseur", "arreter"], cwd=work, env=env, capture_output=True)
            print()
            for name, ok in targets:
                print(f"{'tenu    ' if ok else 'MANQUÉ  '}{name}")
            return
        project = make_project(work / "projet")
        results = measure(project, env, arguments.runs, "2019")
        output = project / "sortie" / "2019"
        manifests = [json.loads(p.read_text(encoding="utf-8")) for p in output.glob("manifeste-*.json")]
        latest = next(m for m in manifests if m["options"]["commande"] == "dossier")
        docx = [output / e["fichier"] for e in latest["sorties"] if e["fichier"].endswith(".docx")]
        # the floor: LibreOffice's own tagged export (PDF/UA), as assembleur asks it, of the same files
        options = {key: {"type": "boolean", "value": "true"} for key in libreoffice.TAGGED_PDF}
        tagged = f"pdf:writer_pdf_Export:{json.dumps(options)}"
        tagged_floor = floor_conversion(docx, work, target=tagged)
        plancher = median([tagged_floor() for _ in range(arguments.runs)])
        paired_floor, paired, paired_ratio = paired_cold(project, env, tagged_floor, max(arguments.runs, PAIRS))
        untagged = floor(docx, work, arguments.runs)
        # the same LibreOffice with the malloc settings assembleur gives its own: the ratios read both ways
        tuned = floor(docx, work, arguments.runs, libreoffice.GLIBC_MALLOC, tagged)
        print(f"\nPlancher (soffice --convert-to pdf balisé PDF/UA, {len(docx)} fichiers DOCX) : {plancher:.2f} s")
        print(f"Le même, sans balisage : {untagged:.2f} s (× {untagged / plancher:.2f})")
        print(f"Le même balisé, avec les réglages de malloc qu'assembleur donne à LibreOffice : {tuned:.2f} s\n")
        print(
            f"{'mesure (médiane de ' + str(arguments.runs) + ')':<42}{'secondes':>9}{'× plancher':>12}"
            f"{'CPU outil':>11}{'mémoire':>10}"
        )
        for name, (seconds, peak) in results.items():
            print(f"{name:<42}{seconds:>9.2f}{seconds / plancher:>12.2f}{CPU['2019 ' + name]:>9.2f} s{peak:>7} Mo")
        cold = results["dossier à froid"][0]
        edit = results["dossier après une ligne modifiée"][0]
        noop = results["dossier sans changement"][0]
        print(f"\ndossier à froid / plancher réglé : {cold / tuned:.2f}")
        print(
            f"dossier à froid et plancher balisé, l'un après l'autre, {max(arguments.runs, PAIRS)} fois : "
            f"médianes {paired:.2f} s et {paired_floor:.2f} s, médiane des rapports × {paired_ratio:.2f}"
        )
        print("\nObjectifs (issue 23) :")
        print(f"  dossier à froid               {paired_ratio:>5.2f} × plancher balisé   (objectif ≤ 1,1)")
        print(f"  dossier après une ligne       {edit:>5.2f} s                 (objectif ≤ 1,2 s)")
        print(f"  dossier sans changement       {noop:>5.2f} s                 (objectif ≤ 0,3 s)")
        targets = [
            ("dossier à froid ≤ 1,1 × plancher balisé", paired_ratio <= 1.1),
            ("dossier après une ligne modifiée ≤ 1,2 s", edit <= 1.2),
            ("dossier sans changement ≤ 0,3 s", noop <= 0.3),
            ("comparer < 3 s", results["comparer (deux dernières versions)"][0] < 3.0),
        ]
        if not arguments.rapide:
            large = make_project(work / "projet-x10", scale=10)
            big = measure(large, env, 1, "×10")
            ratio = big["dossier à froid"][0] / results["dossier à froid"][0]
            edit_ratio = big["dossier après une ligne modifiée"][0] / results["dossier après une ligne modifiée"][0]
            print(
                f"\nAnnée ×10 (actions et avis scannés) : dossier à froid {big['dossier à froid'][0]:.2f} s "
                f"(×{ratio:.2f}), après une ligne {big['dossier après une ligne modifiée'][0]:.2f} s "
                f"(×{edit_ratio:.2f})"
            )
            targets.append(("année ×10 ≤ 10 × le temps", ratio <= 10 and edit_ratio <= 10))
            heavy = make_project(work / "projet-200mo", scan_megabytes=200)
            size = sum(p.stat().st_size for p in (heavy / "annexes" / "2019").glob("*.pdf")) / 1e6
            seconds, peak = run(heavy, "dossier", env=env)
            print(f"Avec {size:.0f} Mo de scans : dossier {seconds:.2f} s, mémoire maximale du processus {peak} Mo")
            targets.append(("mémoire < 300 Mo avec 200 Mo de scans", peak < 300))
            subprocess.run([*TOOL, "convertisseur", "arreter"], cwd=heavy, env=env, capture_output=True)
        targets += measure_atelier(make_project(work / "atelier"), env, arguments.runs)
        subprocess.run([*TOOL, "convertisseur", "arreter"], cwd=work, env=env, capture_output=True)
        load = os.getloadavg()
        print(f"\nCharge de la machine à la fin : {load[0]:.1f} (1 min), {load[1]:.1f} (5 min), {os.cpu_count()} cœurs")
        print()
        for name, ok in targets:
            print(f"{'tenu    ' if ok else 'MANQUÉ  '}{name}")


if __name__ == "__main__":
    main()
