"""A new year started from the last one: structure, comments and stable content kept.

What stays from one year to the next (the contract, its orientations, the
feuille de route, the protocole, the communes and porteurs, the bodies
consulted) is copied as it is. What belongs to the year (figures, actions,
the text of chapters 2 and 3, the introduction and conclusion, the avis
received) is emptied and marked « À COMPLÉTER », the previous year's text
kept in a comment just above, so that ``assembleur verifier`` lists what
remains to fill, file by file and line by line. Dates move on by a year.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..errors import ProjectError
from ..files import atomic_output, ensure_folder
from ..project import ANNEXES, CONTENTS, years
from . import french
from .load import load_file, round_trip
from .model import TO_FILL

STABLE_FILES = {"contrat", "chapitre1", "feuille_de_route", "protocole"}
# keys whose values are the year's figures (in the data blocks of chapters 2 and 3)
FIGURE_KEYS = {
    "projets",
    "porteurs",
    "total",
    "montant",
    "part",
    "droit_commun",
    "specifiques",
    "montant_operation",
    "montant_fdc",
}
SINGLE_ROW_LISTS = {"lignes"}  # tables whose rows are the year's: one row of marks is left


def _shift_year(value: Any, old: int, new: int) -> Any:
    return value.replace(str(old), str(new)) if isinstance(value, str) else value


def _comment(node: CommentedMap | CommentedSeq, key: Any, text: Any, indent: int, old: int) -> None:
    if isinstance(text, str) and text.strip():
        line = " ".join(text.split())
        node.yaml_set_comment_before_after_key(key, before=f"{old} : {line[:300]}", indent=indent)


def _mark(value: Any) -> Any:
    """A mark of the same shape: a text or number becomes the mark, a list keeps one marked item."""
    if isinstance(value, CommentedSeq):
        return CommentedSeq([_mark(value[0])]) if value else CommentedSeq([TO_FILL])
    if isinstance(value, CommentedMap):
        marked = CommentedMap()
        for key, item in value.items():
            marked[key] = (
                _mark(item) if key in FIGURE_KEYS | {"nom", "commune", "projet", "titre", "precision"} else item
            )
        return marked
    return TO_FILL


def _empty_year_blocks(node: Any, old: int, new: int, indent: int = 0) -> None:
    """Walk a chapter or section: headings move on a year, texts and figures become marks."""
    if isinstance(node, CommentedMap):
        for key in list(node.keys()):
            value = node[key]
            if key == "titre" and isinstance(value, str):
                node[key] = _shift_year(value, old, new)
            elif key == "paragraphe" and isinstance(value, str):
                _comment(node, key, value, indent, old)
                node[key] = TO_FILL
            elif key == "liste" and isinstance(value, CommentedSeq):
                node[key] = CommentedSeq([TO_FILL])
            elif key in FIGURE_KEYS and not isinstance(value, CommentedSeq | CommentedMap):
                node[key] = TO_FILL
            elif key in SINGLE_ROW_LISTS and isinstance(value, CommentedSeq):
                node[key] = CommentedSeq([_mark(value[0])]) if value else value
            elif key == "repartition" and isinstance(value, CommentedMap):
                for row in value.get("lignes", []):
                    row["projets"] = TO_FILL
            elif key == "parts" and isinstance(value, CommentedSeq):
                for row in value:
                    row["part"] = TO_FILL
            else:
                _empty_year_blocks(value, old, new, indent + 2)
    elif isinstance(node, CommentedSeq):
        for item in node:
            _empty_year_blocks(item, old, new, indent + 2)


def _new_rapport(data: CommentedMap, old: int, new: int) -> None:
    data["annee"] = new
    arret = french.parse_date(data["date_arret"])
    try:
        data["date_arret"] = arret.replace(year=arret.year + 1)
    except ValueError:  # 29 February
        data["date_arret"] = arret.replace(year=arret.year + 1, day=28)
    data.yaml_add_eol_comment("date reportée d'un an : à vérifier", "date_arret")
    for part in ("introduction", "conclusion"):
        _empty_year_blocks(data[part], old, new, 4)
        data[part]["titre"] = TO_FILL if str(old) in str(data[part]["titre"]) else data[part]["titre"]


def _new_programmation(data: CommentedMap) -> None:
    for key in data.get("chiffres", {}):
        data["chiffres"][key] = TO_FILL
    action = CommentedMap((key, TO_FILL) for key in ("titre", "strategie", "commune", "porteur", "thematique"))
    data["actions"] = CommentedSeq([action])
    data.yaml_set_comment_before_after_key(
        "actions", before="La liste des actions de l'année : une entrée par action (voir docs/contenus.md).", indent=0
    )


def _new_avis(data: CommentedMap) -> None:
    consultation = data.get("consultation")
    if isinstance(consultation, CommentedMap):
        consultation.pop("envoi", None)
    for organisme in data.get("organismes", []):
        organisme.pop("avis", None)


def _new_deliberation(data: CommentedMap) -> None:
    data.pop("acte", None)  # the signed act is the year's own: registered again after the next séance


def _classification_file(data: CommentedMap, annexes: Path) -> Path | None:
    """The Préfecture's classification file that ``deliberation.yaml`` names, when it is in ``annexes``."""
    classification = data.get("classification")
    name = classification.get("fichier") if isinstance(classification, CommentedMap) else None
    path = annexes / str(name) if name else None
    if path is None or not path.is_file() or not path.resolve().is_relative_to(annexes.resolve()):
        return None
    return path


def start_year(root: Path, new: int, source: int | None = None) -> list[Path]:
    """Create ``contenus/<new>/`` and ``annexes/<new>/`` from ``source`` (the latest earlier year)."""
    known = years(root)
    if new in known:
        raise ProjectError(
            f"L'année {new} existe déjà ({CONTENTS}/{new}/) : elle n'est jamais écrasée.",
            "Modifiez ses fichiers, ou choisissez une autre année.",
        )
    if source is None:
        earlier = [year for year in known if year < new]
        if not earlier:
            raise ProjectError(
                f"Aucune année antérieure à {new} dans {CONTENTS}/ pour servir de modèle.",
                "Indiquez l'année modèle avec --depuis.",
            )
        source = earlier[-1]
    if source not in known:
        raise ProjectError(
            f"L'année modèle {source} n'a pas de dossier {CONTENTS}/{source}/.",
            f"Années présentes : {', '.join(map(str, known)) or 'aucune'}.",
        )
    origin = root / CONTENTS / str(source)
    target = root / CONTENTS / str(new)
    written: list[Path] = []
    yaml = round_trip()
    kept: Path | None = None
    with contextlib.ExitStack() as undo:  # all or nothing: whatever stops the copy, no half-made year
        undo.callback(_remove_if_empty, target)  # registered first: runs after the files are removed

        def made(path: Path) -> None:
            written.append(path)
            undo.callback(path.unlink, missing_ok=True)

        for path in sorted(origin.glob("*.yaml")):
            load_file(path, path.relative_to(root))  # a broken file is reported, not copied blindly
            stem = path.stem
            destination = target / path.name
            ensure_folder(target)
            if stem in STABLE_FILES:  # copied byte for byte: nothing to change, nothing to reformat
                with atomic_output(destination) as temporary:
                    shutil.copyfile(path, temporary)
                made(destination)
                continue
            data = yaml.load(path.read_text(encoding="utf-8"))
            if stem == "rapport":
                _new_rapport(data, source, new)
            elif stem == "programmation":
                _new_programmation(data)
            elif stem == "avis":
                _new_avis(data)
            elif stem == "deliberation":
                _new_deliberation(data)
                kept = _classification_file(data, root / ANNEXES / str(source))
            else:
                _empty_year_blocks(data, source, new)
            with atomic_output(destination) as temporary, temporary.open("w", encoding="utf-8") as handle:
                yaml.dump(data, handle)
            made(destination)
        ensure_folder(root / ANNEXES / str(new))
        if kept is not None:  # the Préfecture's classification holds until it sends a new one
            destination = root / ANNEXES / str(new) / kept.name
            with atomic_output(destination) as temporary:
                shutil.copyfile(kept, temporary)
            made(destination)
        undo.pop_all()  # all written: nothing to undo
    return written


def _remove_if_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
