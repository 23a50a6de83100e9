"""Benchmark of assembleur (``make bench``): the times staff feel, against LibreOffice's own floor.

It copies the project into a temporary folder (its own warm converter, its own
cache), then times, several runs each and reports the median of:

- ``verifier``; ``rapport`` (DOCX only) and ``rapport --pdf`` from an empty cache;
- ``dossier`` cold: no converter running, empty cache;
- ``dossier`` after a one-line YAML edit, converter warm;
- ``dossier`` with nothing changed;
- the floor: bare ``soffice --headless --convert-to pdf`` on the same DOCX files.

It prints each figure and its ratio to the floor, the peak memory of the
tool's own process (not LibreOffice's), and the same cold and edit builds on
a synthetic year ten times larger (actions and scanned pages), and a build
with 200 MB of scans for the memory target.

Usage: .venv/bin/python outils/bench.py [--runs N] [--rapide]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

from assembleur.pdf import libreoffice

REPO = Path(__file__).resolve().parent.parent
TOOL = [sys.executable, "-m", "assembleur"]


def run(project: Path, *args: str, env: dict[str, str]) -> tuple[float, int]:
    """Run assembleur in ``project``: (seconds, peak memory of its own process in MB)."""
    start = time.perf_counter()
    result = subprocess.run([*TOOL, *args], cwd=project, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"assembleur {' '.join(args)} a échoué :\n{result.stderr}")
    peak = next(
        (int(line.split()[-2]) for line in result.stderr.splitlines() if line.startswith("mémoire maximale")), 0
    )
    return elapsed, peak


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


def floor(
    docx_files: list[Path], work: Path, runs: int, env: dict[str, str] | None = None, target: str = "pdf"
) -> float:
    """Bare LibreOffice: one ``soffice --convert-to pdf`` of all the files.

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
    return median([convert() for _ in range(runs)])


def measure(project: Path, env: dict[str, str], runs: int, label: str) -> dict[str, tuple[float, int]]:
    cache = project / ".cache"

    def clean() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def stop() -> None:
        subprocess.run([*TOOL, "convertisseur", "arreter"], cwd=project, env=env, capture_output=True)

    results: dict[str, tuple[float, int]] = {}

    def series(name: str, args: list[str], before) -> None:
        samples, peaks = [], []
        for _ in range(runs):
            before()
            seconds, peak = run(project, *args, env=env)
            samples.append(seconds)
            peaks.append(peak)
        results[name] = (median(samples), max(peaks))
        print(f"  [{label}] {name} : {results[name][0]:.2f} s", file=sys.stderr)

    series("verifier", ["verifier"], lambda: None)
    series("rapport (DOCX)", ["rapport", "--forcer"], clean)
    series("rapport --pdf", ["rapport", "--pdf", "--forcer"], clean)
    series("dossier à froid", ["dossier", "--forcer"], lambda: (stop(), clean()))
    run(project, "dossier", "--forcer", env=env)  # warm converter and cache
    series("dossier après une ligne modifiée", ["dossier"], lambda: toggle_line(project))
    series("dossier sans changement", ["dossier"], lambda: None)
    stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rapide", action="store_true", help="une seule série, sans l'année ×10 ni les 200 Mo")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assembleur-bench-") as folder:
        work = Path(folder)
        env = {**os.environ, "ASSEMBLEUR_CACHE": str(work / "etat"), "ASSEMBLEUR_MESURE": "1"}
        env.pop("ASSEMBLEUR_CONVERTISSEUR", None)
        project = make_project(work / "projet")
        results = measure(project, env, arguments.runs, "2019")
        output = project / "sortie" / "2019"
        manifests = [json.loads(p.read_text(encoding="utf-8")) for p in output.glob("manifeste-*.json")]
        latest = next(m for m in manifests if m["options"]["commande"] == "dossier")
        docx = [output / e["fichier"] for e in latest["sorties"] if e["fichier"].endswith(".docx")]
        plancher = floor(docx, work, arguments.runs)
        # the same LibreOffice with the malloc settings assembleur gives its own: the ratios read both ways
        tuned = floor(docx, work, arguments.runs, libreoffice.GLIBC_MALLOC)
        print(f"\nPlancher (soffice --convert-to pdf, {len(docx)} fichiers DOCX) : {plancher:.2f} s")
        print(f"Le même, avec les réglages de malloc qu'assembleur donne à LibreOffice : {tuned:.2f} s")
        # what LibreOffice alone pays to export tagged PDF/UA, as assembleur asks it to (for information)
        options = {key: {"type": "boolean", "value": "true"} for key in libreoffice.TAGGED_PDF}
        tagged = floor(docx, work, arguments.runs, target=f"pdf:writer_pdf_Export:{json.dumps(options)}")
        print(f"Le même, en PDF balisé PDF/UA : {tagged:.2f} s (× {tagged / plancher:.2f})\n")
        print(
            f"{'mesure (médiane de ' + str(arguments.runs) + ')':<42}{'secondes':>9}{'× plancher':>12}{'mémoire':>10}"
        )
        for name, (seconds, peak) in results.items():
            print(f"{name:<42}{seconds:>9.2f}{seconds / plancher:>12.2f}{peak:>8} Mo")
        cold = results["dossier à froid"][0]
        print(f"\ndossier à froid / plancher réglé : {cold / tuned:.2f}")
        targets = [
            ("dossier à froid ≤ 1,2 × plancher", results["dossier à froid"][0] <= 1.2 * plancher),
            ("dossier après une ligne modifiée ≤ 2 s", results["dossier après une ligne modifiée"][0] <= 2.0),
            ("dossier sans changement ≤ 0,5 s", results["dossier sans changement"][0] <= 0.5),
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
        print()
        for name, ok in targets:
            print(f"{'tenu    ' if ok else 'MANQUÉ  '}{name}")


if __name__ == "__main__":
    main()
