"""The project folder of a communication team: where its contents, templates and outputs are.

The tool works on the folder it is run in: ``contenus/``, ``gabarits/`` and
``annexes/`` are the user's own files, not files inside the installed package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ProjectError

CONTENTS = "contenus"
TEMPLATES = "gabarits"
ANNEXES = "annexes"
OUTPUTS = "sortie"
CACHE_FOLDER = Path(".cache") / "assembleur"  # parts, converted templates, OCR, locks: never tracked

# the versions a project builds of a year's rapport; here, low enough for documents/ to name them
PROJET = "projet"
DEFINITIF = "definitif"
VERSIONS = (PROJET, DEFINITIF)
APERCU = "apercu"  # the watch mode's preview, replaced at each save


@dataclass(frozen=True)
class Year:
    """One year of a project: its folders."""

    root: Path
    annee: int

    @property
    def contents(self) -> Path:
        return self.root / CONTENTS / str(self.annee)

    @property
    def templates(self) -> Path:
        return self.root / TEMPLATES

    @property
    def outputs(self) -> Path:
        return self.root / OUTPUTS / str(self.annee)

    def shown(self, path: Path) -> Path:
        """``path`` relative to the project folder, as messages show it."""
        try:
            return path.resolve().relative_to(self.root.resolve())
        except ValueError:
            return path


def placed(path: Path, folder: Path) -> bool:
    """Is ``path`` a file inside ``folder``, once links are followed? (A user's file is read only there.)"""
    return path.resolve().is_relative_to(folder.resolve()) and path.is_file()


def years(root: Path) -> list[int]:
    """The years that have a folder in ``contenus/``, oldest first."""
    folder = root / CONTENTS
    if not folder.is_dir():
        return []
    return sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name))


def resolve_year(root: Path, argument: str | None) -> Year:
    """The year named by ``argument`` (``2019`` or ``contenus/2019``), or the newest one."""
    known = years(root)
    if argument is None:
        if not known:
            raise ProjectError(
                f"Aucun dossier d'année dans {root / CONTENTS}.",
                "Lancez la commande depuis le dossier du projet (celui qui contient contenus/ et gabarits/).",
            )
        return Year(root, known[-1])
    candidate = Path(argument)
    if candidate.is_dir() and re.fullmatch(r"\d{4}", candidate.name):
        return Year(candidate.resolve().parent.parent, int(candidate.name))
    if re.fullmatch(r"\d{4}", argument.strip()):
        annee = int(argument)
        if annee in known:
            return Year(root, annee)
        listed = ", ".join(map(str, known)) or "aucune"
        raise ProjectError(
            f"L'année {annee} n'a pas de dossier {CONTENTS}/{annee}/ (années présentes : {listed}).",
            "Vérifiez l'année demandée, ou créez son dossier de contenus.",
        )
    raise ProjectError(
        f"« {argument} » n'est ni une année (2019) ni un dossier d'année (contenus/2019).",
        "Donnez l'année sur quatre chiffres, par exemple : assembleur verifier 2019",
    )
