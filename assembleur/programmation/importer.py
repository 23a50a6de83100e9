"""Import a programmation spreadsheet into a year, or export the year's programmation as a workbook.

The functions the command line (``importer programmation``, ``exporter
programmation``) and the atelier call. The year must be valid before an
import: the contract's funders, communes, quartiers and strategy are what the
rows are checked against (:func:`contexte_of`, the one place that reads the
content model for this package). The programmation file is changed only when
the merge changes something, atomically, and put back as it was if the year
no longer validates.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..contenus import load, registre, validate
from ..contenus.types import INTERCO
from ..errors import ContentError, ImportRefused, OutputError, UsageProblem
from ..files import reason, replace_contents
from ..project import Year
from . import export, fusion
from .colonnes import Financeur, normalise
from .fusion import Bilan, Cles, merge
from .lecture import Contexte, Lecture, read_programmation

PROGRAMMATION_FILE = "programmation.yaml"
CLES = Cles()


@dataclass
class Import:
    """What an import read, and what it did (or would do, with ``essai``)."""

    lecture: Lecture
    bilan: Bilan
    wrote: bool


def report(done: Import, year: Year) -> list[str]:
    """The French lines of the report: what was read, then what changed (or would change)."""
    lecture = done.lecture
    read = f"{lecture.where}, en-tête ligne {lecture.header_line} : {len(lecture.lignes)} action(s) lue(s)"
    if lecture.autres:
        read += f", {lecture.autres} ligne(s) d'un autre contrat ou d'une autre année laissée(s) de côté"
    if lecture.total:
        read += ", ligne de total vérifiée"
    lines = [f"{read}."]
    if lecture.ignorees:
        lines.append(f"Colonnes non lues : {', '.join(f'« {name} »' for name in lecture.ignorees)}.")
    lines += fusion.report(done.bilan, year.shown(year.contents / PROGRAMMATION_FILE), done.wrote)
    return lines


def contexte_of(content: Any) -> Contexte:
    """What the year's contract declares, as the reading of rows needs it."""
    contrat = content.contrat
    correspondances = content.programmation.correspondances
    return Contexte(
        financeurs=tuple(Financeur(f.code, f.nom, f.type) for f in contrat.financeurs),
        communes=tuple(commune.nom for commune in contrat.territoire.communes),
        intercommunal=INTERCO,
        quartiers={quartier.code: quartier.nom for quartier in contrat.territoire.quartiers},
        noeuds=frozenset(element.code for element in contrat.strategie.elements),
        niveaux=tuple(contrat.strategie.niveaux),
        correspondances={normalise(label): str(code) for label, code in correspondances.items()},
    )


def _content(year: Year) -> Any:
    return validate.validate(load.load_year(year.contents, base=year.root))


def import_programmation(
    year: Year,
    path: Path,
    contrat: str | None = None,
    feuille: str | None = None,
    essai: bool = False,
    shown: Path | None = None,
) -> Import:
    """Read the spreadsheet ``path`` and merge its rows into the year's programmation (not with ``essai``).

    Raises :class:`ImportRefused` listing every refused row (nothing written),
    :class:`SpreadsheetError` for a file that cannot be read.
    """
    contexte = contexte_of(_content(year))
    lecture = read_programmation(path, contexte, year.annee, contrat, feuille, shown)
    target = year.contents / PROGRAMMATION_FILE
    shown_yaml = year.shown(target)
    before = target.read_bytes()
    document = registre.load_round_trip(target, shown_yaml)
    bilan = merge(document, lecture, CLES)
    if essai or not bilan.changed:
        return Import(lecture, bilan, False)
    _write(target, _text_of(document, before.decode("utf-8")).encode("utf-8"), shown_yaml)
    try:
        _content(year)
    except ContentError as exc:
        _write(target, before, shown_yaml)
        raise ImportRefused(
            [p for p in exc.problems if p.file is not None and Path(p.file).name == target.name] or exc.problems,
            f"Avec cet import, {shown_yaml} ne serait plus valide : il a été remis comme avant.",
        ) from None
    except BaseException:
        _write(target, before, shown_yaml)
        raise
    return Import(lecture, bilan, True)


def import_report(
    year: Year, path: Path, contrat: str | None = None, feuille: str | None = None, essai: bool = False
) -> list[str]:
    """The import of the command line: the lines of its report, then the file written if one was."""
    done = import_programmation(year, path, contrat, feuille, essai)
    lines = report(done, year)
    return [*lines, str(year.shown(year.contents / PROGRAMMATION_FILE))] if done.wrote else lines


def import_upload(
    year: Year, data: bytes, name: str, contrat: str | None = None, feuille: str | None = None, essai: bool = False
) -> Import:
    """:func:`import_programmation` of a spreadsheet received as bytes (the atelier's upload), named ``name``.

    The bytes go to a private temporary folder, removed after; messages name the file as it was sent.
    """
    shown = Path(Path(name).name or "tableau")  # the name as sent, without any folder
    with tempfile.TemporaryDirectory(prefix="assembleur-tableau-") as folder:
        path = Path(folder) / "tableau"
        path.write_bytes(data)
        return import_programmation(year, path, contrat or None, feuille or None, essai, shown)


def _text_of(document: Any, before: str) -> str:
    """The YAML of ``document``, with the comments the round trip dropped put back (if the data stay the same)."""
    out = io.StringIO()
    load.round_trip().dump(document, out)
    dumped = out.getvalue()
    restored = fusion.restore_comments(before, dumped)
    reader = load.round_trip()
    return restored if reader.load(restored) == reader.load(dumped) else dumped


def _write(target: Path, data: bytes, shown: Path) -> None:
    try:
        replace_contents(target, data)
    except OSError as exc:
        raise OutputError(
            f"{shown} n'a pas pu être écrit ({reason(exc)}).",
            "Vérifiez la place sur le disque et les droits du dossier, puis relancez : le fichier n'a pas changé.",
        ) from exc


def export_programmation(year: Year, target: Path) -> str:
    """Write the year's programmation as an Excel workbook at ``target``; what to say once it is written."""
    if target.suffix.lower() != ".xlsx":
        raise UsageProblem(f"{target} : le classeur doit finir par .xlsx.", "Par exemple : programmation-2019.xlsx")
    content = _content(year)
    contexte = contexte_of(content)
    actions = content.sources["programmation"].data.get(CLES.actions) or []
    count = export.write_workbook(actions, contexte.financeurs, target, CLES)
    plural = "s" if count > 1 else ""
    return (
        f"{count} action{plural} exportée{plural} ; le classeur se réimporte par "
        f"« assembleur importer programmation {target} {year.annee} »."
    )
