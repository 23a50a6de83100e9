"""``assembleur comparer``: two versions of the rapport as one Word document with tracked changes.

The comparison rests on what a build publishes and keeps in ``sortie/<année>/``:
the rapport's DOCX of each version (exactly what its readers received) and
its manifest (the key figures, the avis, the page count of its PDF, the time
of the build). The contents of an older version are not kept — the YAML files
are edited in place — so it could not be rebuilt faithfully.

LibreOffice compares the two DOCX (:func:`libreoffice.compare_documents`);
:mod:`documents.redline` refines tables to the cell, leaves the version marks
unmarked, signs every change « assembleur » with the newer build's date, and
says where the changes are. The summary (template ``gabarits/comparaison.docx``)
becomes the first page; LibreOffice then makes the PDF, changes shown.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..documents import redline
from ..errors import OutputError, VersionProblem
from ..files import ensure_folder, reason
from ..pdf import convert, libreoffice
from ..project import OUTPUTS, Year
from . import manifest, versions

AUTHOR = "assembleur"  # the author of every tracked change
TEMPLATE = "comparaison.docx"
_LABEL = re.compile(r"^(?:(?P<annee>\d{4})[:/-])?(?:projet-)?(?:(?P<definitif>d[eé]finitif)|v?(?P<numero>\d+))$")


@dataclass(frozen=True)
class Version:
    """One built version of a year's rapport, as kept in ``sortie/<année>/``."""

    annee: int
    label: str  # projet-v3 or definitif
    folder: Path
    number: int | None
    manifest: Path
    written: int  # when it was built (see :func:`versions.built`)

    @property
    def docx(self) -> Path:
        return self.folder / f"{versions.file_names(self.annee, self.label)['rapport']}.docx"

    @property
    def pdf(self) -> Path:
        return self.folder / f"{versions.file_names(self.annee, self.label)['rapport']}.pdf"

    def for_template(self) -> dict[str, Any]:
        return {"numero": self.number, "annee": self.annee}


def built_versions(folder: Path, annee: int) -> list[Version]:
    """The projets and the définitif of ``annee`` built in ``folder``, in the order they were built."""
    return [
        Version(annee, found.label, folder, found.number, found.manifest, found.written)
        for found in versions.built(folder, annee)
        if found.numbered
    ]


def _names(found: list[Version]) -> str:
    return ", ".join(v.label for v in found) or "aucune"


def _pick(year: Year, argument: str, found: list[Version]) -> Version:
    """The version named ``argument`` (``projet-v3``, ``v3``, ``3``, ``definitif``, ``2019:definitif``)."""
    match = _LABEL.match(argument.strip().lower())
    if match is None:
        raise VersionProblem(
            f"« {argument} » n'est pas un nom de version.",
            f"Écrivez par exemple projet-v1, definitif ou 2019:definitif. Versions de {year.annee} : {_names(found)}.",
        )
    annee = int(match["annee"] or year.annee)
    label = versions.DEFINITIF if match["definitif"] else f"{versions.PROJET}-v{int(match['numero'])}"
    if annee != year.annee:
        found = built_versions(year.root / OUTPUTS / str(annee), annee)
    for version in found:
        if version.label == label:
            return version
    raise VersionProblem(
        f"La version {label} de {annee} n'a pas été fabriquée.",
        f"Versions de {annee} dans {OUTPUTS}/{annee}/ : {_names(found)}.",
    )


def choose(year: Year, de: str | None, a: str | None) -> tuple[Version, Version]:
    """The older and the newer version: as named, or by default the last two built."""
    found = built_versions(year.outputs, year.annee)
    newer = _pick(year, a, found) if a else (found[-1] if found else None)
    if de:
        older = _pick(year, de, found)
    else:
        earlier = [v for v in found if newer is None or _built(v) < _built(newer)]
        older = earlier[-1] if earlier else None
    if len(found) < 2 and (newer is None or older is None):
        raise VersionProblem(
            f"Il faut deux versions pour comparer : {year.annee} n'en a "
            + ("aucune" if not found else f"qu'une ({found[0].label})")
            + f" dans {year.shown(year.outputs)}/. Rien n'a été écrit.",
            "Fabriquez une nouvelle version (assembleur dossier ou rapport), puis relancez la comparaison.",
        )
    if newer is None or older is None:  # --a names the first version built
        raise VersionProblem(
            f"Aucune version n'a été fabriquée avant {a} : rien à comparer.",
            f"Précisez --de (versions : {_names(found)}).",
        )
    if older == newer:
        raise VersionProblem(
            f"--de et --a désignent la même version ({older.label})."
            if a
            else f"Aucune version n'a été fabriquée après {older.label} : rien à comparer.",
            f"Précisez {'--de ou ' if a else ''}--a (versions : {_names(found)}).",
        )
    return older, newer


def _check_files(year: Year, version: Version) -> None:
    if not version.docx.is_file() and version.docx.with_suffix(".odt").is_file():
        raise VersionProblem(
            f"La version {version.label} a été fabriquée avec des gabarits LibreOffice (.odt) : son rapport "
            f"est {year.shown(version.docx.with_suffix('.odt'))}, et la comparaison repose sur le rapport Word.",
            "Comparez des versions fabriquées avec les gabarits Word (gabarits/), ou ouvrez les deux rapports "
            "dans LibreOffice (Édition › Suivi des modifications › Comparer le document).",
        )
    if not version.docx.is_file():
        raise VersionProblem(
            f"Le rapport Word de la version {version.label} ({year.shown(version.docx)}) a été supprimé : "
            "la comparaison repose sur ce fichier.",
            "Remettez-le en place depuis une sauvegarde, ou comparez d'autres versions avec --de et --a "
            "(une version ne peut pas être refabriquée à l'identique : les contenus ont changé depuis).",
        )


def _manifest(version: Version) -> dict[str, Any]:
    return manifest.read(version.manifest) or {}


def _pages(version: Version, manifest: dict[str, Any]) -> int | None:
    """The page count of the version's rapport PDF: from its manifest, or the PDF itself."""
    for entry in manifest.get("sorties", []):
        if entry.get("fichier") == version.pdf.name and "pages" in entry:
            return int(entry["pages"])
    if version.pdf.is_file():
        from pypdf import PdfReader

        return len(PdfReader(version.pdf).pages)
    return None


def _built(version: Version) -> tuple[int, str]:
    """When the version was built (its manifest's time of writing; the manifest holds no clock time)."""
    return version.written, version.label


def build_date(version: Version) -> dt.datetime:
    """When the version was built, to the second, in UTC (the date of its tracked changes)."""
    seconds = _built(version)[0] / 1e9
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).replace(microsecond=0, tzinfo=None)


def _avis_text(value: dict[str, str] | None) -> dict[str, str] | None:
    from ..contenus import french

    if not value:
        return None
    return {"sens": value["sens"], "seance": french.format_long_date(dt.date.fromisoformat(value["seance"]))}


def _figure_labels(manifest: dict[str, Any]) -> dict[str, str]:
    """The words of the rapport that name each key figure, as the version's manifest keeps them (none before)."""
    labels = manifest.get("resume", {}).get("libelles_chiffres")
    return {k: v for k, v in labels.items() if isinstance(v, str)} if isinstance(labels, dict) else {}


def summary(older: Version, newer: Version, changes: redline.Changes, when: dt.datetime) -> dict[str, Any]:
    """What the summary page and the terminal say: sections, key figures, tables, avis, pages.

    A key figure is named by its words in the rapport (« 71 emplois francs ont été signés… »),
    then its key in programmation.yaml; by its key alone when the manifests do not keep them.
    """
    from ..contenus import french

    before, after = _manifest(older), _manifest(newer)
    known = "resume" in before and "resume" in after
    old_figures = before.get("resume", {}).get("chiffres", {}) if known else {}
    new_figures = after.get("resume", {}).get("chiffres", {}) if known else {}
    labels = _figure_labels(before) | _figure_labels(after)  # the newer version's words first
    figures = [
        {
            "nom": f"« {labels[name]} » ({name})" if labels.get(name) else name,
            "avant": old_figures.get(name, "—"),
            "apres": new_figures.get(name, "—"),
        }
        for name in [*new_figures, *(n for n in old_figures if n not in new_figures)]
        if old_figures.get(name) != new_figures.get(name)
    ]
    old_avis = before.get("resume", {}).get("avis", {}) if known else {}
    new_avis = after.get("resume", {}).get("avis", {}) if known else {}
    avis = [
        {"nom": name, "avant": _avis_text(old_avis.get(name)), "apres": _avis_text(value)}
        for name, value in new_avis.items()
        if value and value != old_avis.get(name)
    ]
    return {
        "de": older.for_template(),
        "a": newer.for_template(),
        "meme_annee": older.annee == newer.annee,
        "date_comparaison": french.format_long_date(when.date()),
        "sections": changes.sections,
        "chiffres_connus": known,
        "chiffres": figures,
        "tableaux": [{"titre": t.title, "section": t.section, "cellules": t.cells} for t in changes.tables],
        "avis": avis,
        "pages_avant": _pages(older, before),
        "pages_apres": _pages(newer, after),
        "modifications": changes.insertions + changes.deletions,
    }


@dataclass
class Comparison:
    """What ``comparer`` wrote, and the summary it printed."""

    older: Version
    newer: Version
    written: list[Path]
    summary: dict[str, Any]


def compare(year: Year, de: str | None = None, a: str | None = None) -> Comparison:
    """Compare two versions of ``year``'s rapport; write the DOCX with tracked changes and its PDF."""
    older, newer = choose(year, de, a)
    for version in (older, newer):
        _check_files(year, version)
    template = year.templates / TEMPLATE
    if not template.is_file():
        raise VersionProblem(
            f"Le gabarit de la page de synthèse est introuvable : {year.shown(template)}.",
            "Reprenez-le dans le projet livré (gabarits/comparaison.docx), ou refaites-le avec "
            "« python outils/fabriquer_gabarits.py ».",
        )
    convert.warm_up()
    prefix = "" if older.annee == newer.annee else f"{older.annee}-"
    name = f"comparaison-{year.annee}-{prefix}{older.label}-{newer.label}"
    folder = ensure_folder(year.outputs)
    when = build_date(newer)
    with tempfile.TemporaryDirectory(prefix=".assembleur-en-cours-", dir=folder) as staging:
        work = Path(staging)
        aligned = redline.prepare_older(older.docx, newer.docx, work / "ancien.docx")
        with ThreadPoolExecutor(1) as pool:
            comparing = pool.submit(
                libreoffice.compare_documents, work / "ancien.docx", newer.docx, work / f"{name}.docx"
            )
            from ..documents import derive, render  # the template engine loads while LibreOffice compares

            compared = comparing.result()
        redline.refine(compared, newer.docx, aligned, AUTHOR, when)
        changes = redline.read_changes(compared)
        told = summary(older, newer, changes, when)
        # the page's own document properties are not kept (only its body is), hence the empty ones
        cover = {"titre": "", "collectivite": "", "sigle": "", "annee": year.annee, "date": when.date(), **told}
        page = render.render_docx(derive.Document(cover, []), template, work / "resume.docx", work, template)
        redline.prepend(compared, page)
        pdf = convert.to_pdf(compared, work / f"{name}.pdf")
        written = []
        for staged in (compared, pdf):
            target = folder / staged.name
            try:
                os.replace(staged, target)  # a re-run replaces its own comparison: a generated file
            except OSError as exc:
                raise OutputError(
                    f"{year.shown(target)} n'a pas pu être écrit ({reason(exc)}).",
                    "Fermez ce fichier s'il est ouvert dans Word ou LibreOffice, puis relancez.",
                ) from exc
            written.append(target)
    return Comparison(older, newer, written, told)
