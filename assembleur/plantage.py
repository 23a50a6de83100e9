"""Unexpected errors (defects of assembleur): their detail in a crash log, one French message saying where.

Shared by the command line and the atelier, so that both say the same words.
"""

from __future__ import annotations

import datetime as dt
import platform
import sys
import traceback
from pathlib import Path

from . import __version__

CRASH_FOLDER = Path(".cache") / "assembleur" / "plantages"


def write_log(exc: BaseException, command: str, root: Path) -> Path | None:
    """Write the detail of ``exc`` under ``root``'s .cache/assembleur/plantages/, else the user's cache; its path."""
    now = dt.datetime.now()
    report = "\n".join(
        [
            f"Plantage d'assembleur {__version__} le {now:%Y-%m-%d à %H:%M:%S}",
            f"Commande : {command}",
            f"Dossier : {root}",
            f"Python : {platform.python_version()} ({platform.python_implementation()}, {sys.executable})",
            f"Système : {platform.platform()}",
            "",
            "".join(traceback.format_exception(exc)),
        ]
    )
    return _write(report, f"plantage-{now:%Y-%m-%d-%Hh%Mm%Ss}", root)


def _write(report: str, stem: str, root: Path) -> Path | None:
    from .warm import state_folder

    project = root / CRASH_FOLDER if (root / "contenus").is_dir() else None
    user = Path(state_folder()) / CRASH_FOLDER.name
    for folder in filter(None, (project, user)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        for number in range(1, 100):  # two crashes in the same second each keep their log
            path = folder / (f"{stem}.txt" if number == 1 else f"{stem}-{number}.txt")
            try:
                with path.open("x", encoding="utf-8") as handle:
                    handle.write(report)
            except FileExistsError:
                continue
            except OSError:
                break
            return path
    return None


def message(exc: BaseException, log: Path | None, shown: Path | None = None) -> list[str]:
    """The lines telling the user about ``exc``; ``shown`` is how to name ``log`` (default: as is)."""
    lines = [
        "Erreur inattendue : assembleur s'est arrêté sur un problème qu'il ne sait pas expliquer "
        f"({type(exc).__name__}).",
        "Aucun fichier déjà publié n'a été modifié.",
    ]
    if log is None:
        lines.append(
            "Le détail n'a pas pu être écrit ; relancez avec --debug et joignez ce qui s'affiche à votre signalement."
        )
    else:
        lines.append(f"Le détail est écrit dans {shown or log} : joignez ce fichier à votre signalement.")
    return lines
