"""The checks behind ``assembleur verifier``, which every build makes of its inputs too.

The contents (load, validate, typed figures against the data), the scans of the avis, the
signed délibération, the templates' tags; where each avis stands; and what the checks of a
build proved, kept so that an unchanged projet is taken up without them (see :mod:`.freshness`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contenus import consultation, load, validate
from ..contenus.types import suggest
from ..documents import accessibilite, deliberation, derive, gabarits
from ..documents import transmission as act_transmission
from ..errors import AssembleurError, FinalRefused, Problem, TemplateProblems
from ..project import ANNEXES, CACHE_FOLDER, Year
from . import freshness, pieces, versions
from .options import BuildOptions

if TYPE_CHECKING:
    from ..documents.render import TemplateUse
    from ..pdf.scans import ScannedAvis

# The PDF stages (scans: pypdf; assemble: pikepdf) and render (docxtpl, python-docx) are imported where first used:
# a reused build checks its inputs without loading them.


@dataclass
class Checked:
    """A year's content that passed validation, and the warnings of ``verifier``."""

    content: validate.Content
    warnings: list[Problem] = field(default_factory=list)


def check(year: Year) -> Checked:
    """Load and validate a year; compare typed figures with the data."""
    sources = load.load_year(year.contents, base=year.root)
    content = validate.validate(sources)
    return Checked(content, derive.verify(content) + missing_suites(content) + validate.unclassified(content))


def missing_suites(content: validate.Content) -> list[Problem]:
    """The observations without a suite: a warning for a projet, an error for a définitif."""
    if content.avis is None:
        return []
    source = content.sources["avis"]
    return consultation.missing_suites(content.avis, source.path, source.position)


def check_inputs(year: Year, command: str, options: BuildOptions) -> Checked:
    """Every check a build of ``command`` makes of its inputs, without building anything.

    A build reused because nothing changed (see :mod:`.freshness`) passes them
    first, or reuses what an earlier build proved with them (:func:`proven`) after
    checking the places of the files they read: it must refuse what a new build
    refuses (a scan turned into a link out of annexes/<année>/ has the same fingerprint).
    """
    checked = check(year)
    if command == "dossier":
        statuts(checked, options.sans_avis)
        check_scans(year, checked)
        if options.actes:
            check_act(year, checked)
            checked.warnings += act_transmission.check(year, checked.content, act_registered(checked))
    return checked


def proven(checked: Checked, command: str, options: BuildOptions) -> freshness.Proven:
    """What :func:`check_inputs` proved about the inputs of ``command``: kept for an unchanged projet."""
    content, files = checked.content, []
    if command == "dossier":
        if content.avis is not None:
            files += [o.avis.fichier for o in content.avis.organismes if o.avis is not None]
        deliberation = content.deliberation
        if options.actes and deliberation is not None:
            files += [deliberation.acte.fichier] if deliberation.acte is not None else []
            files += [deliberation.classification.fichier] if deliberation.classification.fichier else []
    return freshness.Proven(list(checked.warnings), files)


unchanged_message = freshness.unchanged_message


def check_scans(year: Year, checked: Checked) -> list[ScannedAvis]:
    """The year's received avis, each scan checked (all problems at once).

    A scan whose bytes passed these checks before (same SHA-256, same assembleur and PDF reader) is
    not read again: only its place is checked (see :func:`.freshness.recall_scans`).
    """
    from ..pdf import scans

    if checked.content.avis is None:
        return []
    folder = year.root / ANNEXES / str(year.annee)
    received = [scans.Avis(o.nom, o.avis.fichier) for o in checked.content.avis.organismes if o.avis is not None]
    known, digests = freshness.recall_scans(year, folder, [avis.fichier for avis in received])
    if known is not None:
        return [scans.ScannedAvis(avis.organisme, folder / avis.fichier, known[avis.fichier]) for avis in received]
    checked_scans = scans.check_scans(received, folder, year.shown(folder))
    freshness.remember_scans(year, checked_scans, digests)
    return checked_scans


def act_registered(checked: Checked) -> bool:
    """Whether the signed délibération is recorded (``deliberation ajouter``): the @ctes package is built on it."""
    deliberation = checked.content.deliberation
    return deliberation is not None and deliberation.acte is not None


def check_act(year: Year, checked: Checked) -> Path | None:
    """The signed délibération's file, checked like a scan; None while no act is recorded."""
    from ..pdf import scans

    deliberation = checked.content.deliberation
    if deliberation is None or deliberation.acte is None:
        return None
    folder = year.root / ANNEXES / str(year.annee)
    return scans.check_filed_scan(
        folder,
        deliberation.acte.fichier,
        year.shown(folder),
        "la délibération signée",
        "« acte › fichier » dans deliberation.yaml",
    )


# --- the templates ----------------------------------------------------------------


@dataclass
class _TemplateRead:
    """One template's tags, read against the documents it renders."""

    path: Path  # the DOCX read (an ODT template's converted copy)
    shown: Path  # the template as messages name it
    use: TemplateUse
    known: set[str]  # the data its documents provide
    built: list[derive.Document]


def check_templates(year: Year, checked: Checked, folder: Path | None = None) -> list[Problem]:
    """Read the templates' tags: unknown data is an error; content no template shows is a warning.

    What would make the PDFs inaccessible is a warning too (comments and tracked changes
    left in a template are an error when a définitif is built: see ``Run.render_and_convert``).
    """
    folder = folder or year.templates
    documents, warnings = _documents_by_template(year, checked, folder)
    errors: list[Problem] = []
    provided: set[str] = set()
    used: set[str] = set()
    for name, built in documents.items():
        read = _read_template(year, folder, name, built)
        errors += [problem for check in _TEMPLATE_ERRORS for problem in check(read)]
        warnings += [problem for check in _TEMPLATE_WARNINGS for problem in check(read)]
        provided |= read.known
        used |= read.use.names
    if errors:
        raise TemplateProblems(errors)
    shown_folder = year.shown(folder)
    for unused in sorted(provided - used - {"date", "projet"}):  # "date" and "projet" serve the program itself
        warnings.append(Problem(shown_folder, f"la donnée « {unused} » n'apparaît dans aucun gabarit."))
    return warnings


def _documents_by_template(
    year: Year, checked: Checked, folder: Path
) -> tuple[dict[str, list[derive.Document]], list[Problem]]:
    """The documents each template renders (a dossier's, and the délibération's); a warning if its template lacks."""
    documents: dict[str, list[derive.Document]] = {}
    names = pieces.output_names(year, "x")
    for piece in pieces.dossier_pieces(checked.content, statuts(checked), versions.PROJET, "", names, year.annee):
        documents.setdefault(piece.template, []).append(piece.document)
    warnings: list[Problem] = []
    if checked.content.deliberation is not None:
        # an older template folder may lack it: only « assembleur deliberation » needs it
        template = pieces.DELIBERATION_TEMPLATE
        if any((folder / f"{template}{suffix}").is_file() for suffix in gabarits.SUFFIXES):
            act = deliberation.build_deliberation(checked.content, statuts(checked), versions.PROJET)
            documents[template] = [act]
        else:
            warnings.append(
                Problem(
                    year.shown(folder),
                    f"pas de gabarit {template}.docx (ou .odt) : « assembleur deliberation » ne pourra "
                    "pas écrire le projet de délibération ; reprenez celui livré dans gabarits/.",
                )
            )
    return documents, warnings


def _read_template(year: Year, folder: Path, name: str, built: list[derive.Document]) -> _TemplateRead:
    from ..documents import render

    template = gabarits.prepare(folder, [name], year.root / CACHE_FOLDER / "gabarits")[name]
    known = set().union(*(document.cover for document in built)) | {"corps"}
    return _TemplateRead(template.docx, year.shown(template.source), render.template_use(template.docx), known, built)


def _unknown_data(read: _TemplateRead) -> list[Problem]:
    """A tag that names no data."""
    from ..documents import render

    return [
        Problem(
            read.shown, f"la balise « {unknown} » ne correspond à aucune donnée{render.text_near(read.path, unknown)}."
        )
        for unknown in sorted(read.use.names - read.known)
    ]


def _unknown_block_attributes(read: _TemplateRead) -> list[Problem]:
    """A ``b.something`` that no block has."""
    from ..documents import render

    return [
        Problem(
            read.shown,
            f"« b.{attribute} » n'existe pas pour un bloc (connus : "
            f"{', '.join(render.KNOWN_PER_BLOCK)}){render.text_near(read.path, attribute)}.",
        )
        for attribute in sorted(read.use.block_attributes - set(render.KNOWN_PER_BLOCK))
    ]


def _lost_text(read: _TemplateRead) -> list[Problem]:
    """Text typed beside a ``{%p`` tag: docxtpl drops it."""
    from ..documents import render

    return [
        Problem(
            read.shown,
            f"le texte « {_excerpt(lost.text)} » est dans le même {lost.where} que la balise « {lost.tag} » : "
            f"il ne s'affichera pas (seule la balise est gardée) ; mettez-le dans un {lost.where} à part.",
        )
        for lost in render.lost_text(read.path)
    ]


def _inaccessible(read: _TemplateRead) -> list[Problem]:
    """What would make the PDFs inaccessible (see :mod:`assembleur.documents.accessibilite`)."""
    return [Problem(read.shown, finding.message) for finding in accessibilite.check_template(read.path)]


def _hidden_kinds(read: _TemplateRead) -> list[Problem]:
    """Blocks of a kind the template has no branch for: they would not show."""
    present = derive.count_items(item for document in read.built for item in document.body)
    return [
        Problem(
            read.shown,
            f"{present[kind]} bloc(s) de genre « {kind} » ne s'affichent pas : "
            "le gabarit n'a pas de branche pour ce genre.",
        )
        for kind in sorted(set(present) - read.use.block_kinds)
    ]


# each check takes one template read against its documents: an error stops verifier, a warning is listed
_TEMPLATE_ERRORS: tuple[Callable[[_TemplateRead], list[Problem]], ...] = (_unknown_data, _unknown_block_attributes)
_TEMPLATE_WARNINGS: tuple[Callable[[_TemplateRead], list[Problem]], ...] = (_lost_text, _inaccessible, _hidden_kinds)


def _excerpt(text: str, length: int = 80) -> str:
    return text if len(text) <= length else f"{text[: length - 1]}…"


# --- verifier -----------------------------------------------------------------------


def verify(
    year: Year, templates: Path | None = None, errors: list[AssembleurError] | None = None
) -> tuple[Checked, list[ScannedAvis], list[Problem]]:
    """The checks of ``assembleur verifier``: contents, scans, signed act, templates; their warnings.

    A content error is raised at once (nothing else can be checked). The other
    checks are independent: with ``errors`` given, each one's error is added to
    it and the next check still runs (the atelier lists them all); without, the
    first is raised.
    """
    checked = check(year)
    scans: list[ScannedAvis] = []
    warnings = list(checked.warnings)

    def attempt(step: Callable[[], Any]) -> Any:
        try:
            return step()
        except AssembleurError as exc:
            if errors is None:
                raise
            errors.append(exc)
            return None

    scans = attempt(lambda: check_scans(year, checked)) or []
    attempt(lambda: check_act(year, checked))
    # what the @ctes package would refuse: the Préfecture's file, and once the act is registered its number,
    # date, objet and the collectivité's identity (a number typed by hand in deliberation.yaml included)
    warnings += attempt(lambda: act_transmission.check(year, checked.content, act_registered(checked))) or []
    warnings += attempt(lambda: check_templates(year, checked, templates)) or []
    return checked, scans, warnings


def summary(year: Year, checked: Checked, scans: list[ScannedAvis]) -> str:
    """The sentence that ends a successful check: « Contenus 2019 valides : 5 chapitres, … »."""
    content = checked.content
    chapitres, actions = len(content.chapitres), len(content.programmation.actions)
    avis = f", {len(scans)} avis scanné{'s' if len(scans) > 1 else ''}" if content.avis else ""
    return (
        f"Contenus {year.annee} valides : {chapitres} chapitre{'s' if chapitres > 1 else ''}, "
        f"{actions} action{'s' if actions > 1 else ''}{avis}."
    )


def statuts(checked: Checked, sans_avis: tuple[str, ...] = ()) -> list[consultation.Statut]:
    """Where each consulted body's avis stands today."""
    avis = checked.content.avis
    if avis is None:
        return []
    known = [o.nom for o in avis.organismes]
    unknown = [name for name in sans_avis if name not in known]
    if unknown:
        raise FinalRefused(
            [
                Problem(
                    None,
                    f"--sans-avis « {name} » : aucun organisme de ce nom dans avis.yaml{suggest(name, known) or '.'}",
                )
                for name in unknown
            ]
        )
    today = consultation.today()
    return [consultation.statut(o, avis.consultation, today, frozenset(sans_avis)) for o in avis.organismes]
