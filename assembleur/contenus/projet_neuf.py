"""« assembleur init » : a new project for any collectivité, ready to build its PROJET at once.

The files come from the package (``assembleur/modeles/``): the Word templates, and
content files in which ``<<NOM>>`` marks are filled in (the collectivité, the year, the
levels of the strategy…) and a line starting with ``#2015#`` or ``#2024#`` is kept only
for that generation of contract. Whatever the program cannot know is « À COMPLÉTER »:
``verifier`` lists it, file by file and line by line; a définitif refuses it.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from ..errors import ProjectError
from ..files import atomic_output, ensure_folder
from ..project import ANNEXES, CONTENTS, TEMPLATES
from .contrat import GENERATIONS, MAX_LEVELS

MODELS = Path(__file__).resolve().parent.parent / "modeles"
DEFAULT_LEVELS = ("Orientation", "Objectif opérationnel")
PERIODS = {2015: (2015, 2023), 2024: (2024, 2030)}
GENERATION_LINE = re.compile(r"^#(\d{4})#")


def _levels(niveaux: str | None) -> list[str]:
    levels = [n.strip() for n in (niveaux or "").split(",") if n.strip()] or list(DEFAULT_LEVELS)
    if len(levels) > MAX_LEVELS or any(re.search(r"[\[\]{}:#,\"]", n) for n in levels):
        raise ProjectError(
            f"Niveaux de stratégie refusés : « {niveaux} ».",
            f"Donnez de 1 à {MAX_LEVELS} noms séparés par des virgules, sans crochets ni deux-points, "
            'par exemple --niveaux "Défi,Orientation,Objectif opérationnel".',
        )
    return levels


def _fill(text: str, values: dict[str, str], generation: int) -> str:
    lines = []
    for line in text.splitlines(keepends=True):
        if match := GENERATION_LINE.match(line):
            if int(match[1]) != generation:
                continue
            line = line[len(match[0]) :]
        lines.append(line)
    return re.sub(r"<<([A-Z0-9_]+)>>", lambda m: values[m[1]], "".join(lines))


def _values(collectivite: str, sigle: str, generation: int, levels: list[str], annee: int) -> dict[str, str]:
    debut, fin = PERIODS[generation]
    codes = [".".join("1" * (depth + 1)) for depth in range(len(levels))]  # 1, 1.1, 1.1.1…
    elements = [
        f'    - {{code: "{code}", titre: À COMPLÉTER'
        + (f', parent: "{codes[depth - 1]}"' if depth else "")
        + f"}}   # {levels[depth]}"
        for depth, code in enumerate(codes)
    ]
    return {
        "COLLECTIVITE": collectivite,
        "SIGLE": sigle,
        "ANNEE": str(annee),
        "DATE_ARRET": dt.date.today().isoformat(),
        "DEBUT": str(debut),
        "FIN": str(fin),
        "NIVEAUX": ", ".join(levels),
        "NIVEAU1": levels[0],
        "ELEMENTS": "\n".join(elements),
        "FEUILLE": codes[-1],
    }


def create_project(
    folder: Path,
    collectivite: str,
    sigle: str,
    generation: int = 2024,
    niveaux: str | None = None,
    annee: int | None = None,
) -> list[Path]:
    """Create the project ``folder``: contents of the year, templates, annexes. Never overwrites."""
    if generation not in GENERATIONS:
        raise ProjectError(
            f"Génération de contrat inconnue : {generation}.",
            "Choisissez --generation 2015 (contrats 2015-2023) ou --generation 2024 (Engagements Quartiers 2030).",
        )
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ProjectError(
            f"Le dossier {folder} existe déjà et n'est pas vide : « assembleur init » n'écrase jamais rien.",
            "Choisissez un dossier nouveau (ou vide).",
        )
    for name, value in (("--collectivite", collectivite), ("--sigle", sigle)):
        # written as it is in the YAML files: nothing YAML would read otherwise
        if not value.strip() or value.strip() != value or re.search(r"[\n#{}\[\]\"]|: |^[-?:,&*!|>'%@`]", value):
            raise ProjectError(
                f"{name} « {value} » refusé.",
                "Donnez un nom sans crochets, accolades, dièse, guillemets ni « : », par exemple « Brest métropole ».",
            )
    annee = annee or dt.date.today().year - 1  # a rapport covers a year that has ended
    values = _values(collectivite, sigle, generation, _levels(niveaux), annee)
    written: list[Path] = []
    contents = folder / CONTENTS / str(annee)
    try:
        for model in sorted((MODELS / CONTENTS).glob("*.yaml")):
            target = ensure_folder(contents) / model.name
            with atomic_output(target) as temporary:
                temporary.write_text(_fill(model.read_text(encoding="utf-8"), values, generation), encoding="utf-8")
            written.append(target)
        for template in sorted((MODELS / TEMPLATES).glob("*.docx")):
            target = ensure_folder(folder / TEMPLATES) / template.name
            with atomic_output(target) as temporary:
                shutil.copyfile(template, temporary)
            written.append(target)
        ensure_folder(folder / ANNEXES / str(annee))
    except BaseException:
        for part in (CONTENTS, TEMPLATES, ANNEXES):  # all or nothing: these folders did not exist before
            shutil.rmtree(folder / part, ignore_errors=True)
        raise
    return written
