"""The pipeline: load → validate → derive → render → convert → assemble, for one year.

Every build works in a staging folder inside the output folder and moves its
files into place only once all of them are complete and checked: a failed
build leaves earlier outputs exactly as they were, and no partial file.
"""

from __future__ import annotations

import collections
import contextlib
import difflib
import hashlib
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..contenus import consultation, french, load, markup, validate
from ..contenus.model import SIGNATAIRE
from ..documents import accessibilite, annexes, deliberation, derive, gabarits
from ..documents import transmission as act_transmission
from ..errors import AssembleurError, FinalExists, FinalRefused, Problem, TemplateProblems, UsageProblem
from ..files import build_lock, ensure_folder, give_created_file_mode, remove_abandoned_stagings, sha256, staging_folder
from ..pdf import convert, libreoffice
from ..project import ANNEXES, Year
from . import freshness, versions
from .options import BuildOptions

if TYPE_CHECKING:
    from ..pdf.assemble import Part, ScannedAvis
    from ..pdf.finish import Metadata

# The PDF stages (assemble, finish, manifest, actes, ocr: pypdf) are imported where first used:
# LibreOffice waits for the first rendered document, and their loading is better done while it converts.
# render (docxtpl, python-docx) too: a reused build checks its inputs without loading them.

RAPPORT_TEMPLATE = "rapport"  # template names, without extension: .docx or .odt
ANNEX_TEMPLATE = "annexe"
LANDSCAPE_TEMPLATE = "annexe-paysage"
DELIBERATION_TEMPLATE = "deliberation"
PARTS_FOLDER = "parties"
CACHE_FOLDER = freshness.CACHE_FOLDER
# what must not remain in a définitif: the PROJET mention, template tags, placeholders
FINAL_MARKERS = {
    "la mention PROJET": re.compile(r"\bPROJET\b|(?i:version projet)"),
    "une balise de gabarit non remplie": re.compile(r"\{\{|\}\}|\{%|%\}"),
    "un chiffre non remplacé": re.compile(r"(?<!\^)\{[A-Za-z_][A-Za-z0-9_]*\}"),
    "un texte à compléter": re.compile(r"\bà compléter\b|\ba completer\b|\bTODO\b|\bXXX\b", re.IGNORECASE),
}


# the stages of a dossier build, as told to a ``progress`` callback (the atelier shows them live)
STAGES = ("vérification", "mise en page", "conversion", "assemblage")


@dataclass
class Checked:
    """A year's content that passed validation, and the warnings of ``verifier``."""

    content: validate.Content
    warnings: list[Problem] = field(default_factory=list)


def check(year: Year) -> Checked:
    """Load and validate a year; compare typed figures with the data."""
    sources = load.load_year(year.contents, base=year.root)
    content = validate.validate(sources)
    return Checked(content, derive.verify(content) + _missing_suites(content))


def _missing_suites(content: validate.Content) -> list[Problem]:
    """The observations without a suite: a warning for a projet, an error for a définitif."""
    if content.avis is None:
        return []
    source = content.sources["avis"]
    return consultation.missing_suites(content.avis, source.path, source.position)


def check_inputs(year: Year, command: str, options: BuildOptions) -> Checked:
    """Every check a build of ``command`` makes of its inputs, without building anything.

    A build reused because nothing changed (see :mod:`.freshness`) passes them
    first: it must refuse what a new build refuses (a scan turned into a link
    out of annexes/<année>/ has the same fingerprint).
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


def check_scans(year: Year, checked: Checked) -> list[ScannedAvis]:
    """The year's received avis, each scan checked (all problems at once)."""
    from ..pdf import assemble

    if checked.content.avis is None:
        return []
    folder = year.root / ANNEXES / str(year.annee)
    received = [assemble.Avis(o.nom, o.avis.fichier) for o in checked.content.avis.organismes if o.avis is not None]
    return assemble.check_scans(received, folder, year.shown(folder))


def act_registered(checked: Checked) -> bool:
    """Whether the signed délibération is recorded (``deliberation ajouter``): the @ctes package is built on it."""
    deliberation = checked.content.deliberation
    return deliberation is not None and deliberation.acte is not None


def check_act(year: Year, checked: Checked) -> Path | None:
    """The signed délibération's file, checked like a scan; None while no act is recorded."""
    from ..pdf import assemble

    deliberation = checked.content.deliberation
    if deliberation is None or deliberation.acte is None:
        return None
    folder = year.root / ANNEXES / str(year.annee)
    return assemble.check_filed_scan(
        folder,
        deliberation.acte.fichier,
        year.shown(folder),
        "la délibération signée",
        "« acte › fichier » dans deliberation.yaml",
    )


def check_templates(year: Year, checked: Checked, folder: Path | None = None) -> list[Problem]:
    """Read the templates' tags: unknown data is an error; content no template shows is a warning.

    What would make the PDFs inaccessible is a warning too (comments and tracked changes
    left in a template are an error when a définitif is built: see ``render_and_convert``).
    """
    from ..documents import render

    folder = folder or year.templates
    documents: dict[str, list[derive.Document]] = {}
    for piece in _dossier_pieces(checked.content, statuts(checked), versions.PROJET, "", _names(year, "x"), year.annee):
        documents.setdefault(piece.template, []).append(piece.document)
    errors: list[Problem] = []
    warnings: list[Problem] = []
    if checked.content.deliberation is not None:
        # an older template folder may lack it: only « assembleur deliberation » needs it
        if any((folder / f"{DELIBERATION_TEMPLATE}{suffix}").is_file() for suffix in gabarits.SUFFIXES):
            act = deliberation.build_deliberation(checked.content, statuts(checked), versions.PROJET)
            documents[DELIBERATION_TEMPLATE] = [act]
        else:
            warnings.append(
                Problem(
                    year.shown(folder),
                    f"pas de gabarit {DELIBERATION_TEMPLATE}.docx (ou .odt) : « assembleur deliberation » ne pourra "
                    "pas écrire le projet de délibération ; reprenez celui livré dans gabarits/.",
                )
            )
    provided: set[str] = set()
    used: set[str] = set()
    for name, built in documents.items():
        if not built:
            continue
        template = gabarits.prepare(folder, [name], year.root / CACHE_FOLDER / "gabarits")[name]
        path, shown = template.docx, year.shown(template.source)
        use = render.template_use(path)
        known = set().union(*(document.cover for document in built)) | {"corps"}
        for unknown in sorted(use.names - known):
            errors.append(
                Problem(
                    shown, f"la balise « {unknown} » ne correspond à aucune donnée{render.text_near(path, unknown)}."
                )
            )
        for attribute in sorted(use.block_attributes - set(render.KNOWN_PER_BLOCK)):
            errors.append(
                Problem(
                    shown,
                    f"« b.{attribute} » n'existe pas pour un bloc (connus : "
                    f"{', '.join(render.KNOWN_PER_BLOCK)}){render.text_near(path, attribute)}.",
                )
            )
        for lost in render.lost_text(path):
            warnings.append(
                Problem(
                    shown,
                    f"le texte « {_excerpt(lost.text)} » est dans le même {lost.where} que la balise « {lost.tag} » : "
                    f"il ne s'affichera pas (seule la balise est gardée) ; mettez-le dans un {lost.where} à part.",
                )
            )
        provided |= known
        used |= use.names
        warnings += [Problem(shown, finding.message) for finding in accessibilite.check_template(path)]
        present = derive.count_items(item for document in built for item in document.body)
        for kind in sorted(set(present) - use.block_kinds):
            warnings.append(
                Problem(
                    shown,
                    f"{present[kind]} bloc(s) de genre « {kind} » ne s'affichent pas : "
                    "le gabarit n'a pas de branche pour ce genre.",
                )
            )
    if errors:
        raise TemplateProblems(errors)
    shown_folder = year.shown(folder)
    for unused in sorted(provided - used - {"date", "projet"}):  # "date" and "projet" serve the program itself
        warnings.append(Problem(shown_folder, f"la donnée « {unused} » n'apparaît dans aucun gabarit."))
    return warnings


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
    attempt(lambda: act_transmission.check(year, checked.content, registered=False))  # the Préfecture's file
    warnings += attempt(lambda: check_templates(year, checked, templates)) or []
    return checked, scans, warnings


def summary(year: Year, checked: Checked, scans: list[ScannedAvis]) -> str:
    """The sentence that ends a successful check: « Contenus 2019 valides : 5 chapitres, … »."""
    content = checked.content
    avis = f", {len(scans)} avis scanné{'s' if len(scans) > 1 else ''}" if content.avis else ""
    return (
        f"Contenus {year.annee} valides : {len(content.chapitres)} chapitres, "
        f"{len(content.programmation.actions)} actions{avis}."
    )


unchanged_message = freshness.unchanged_message


def _excerpt(text: str, length: int = 80) -> str:
    return text if len(text) <= length else f"{text[: length - 1]}…"


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
                    f"--sans-avis « {name} » : aucun organisme de ce nom dans avis.yaml"
                    + (
                        f" ; vouliez-vous dire « {near[0]} » ?"
                        if (near := difflib.get_close_matches(name, known, 1))
                        else "."
                    ),
                )
                for name in unknown
            ]
        )
    today = consultation.today()
    return [consultation.statut(o, avis.consultation, today, frozenset(sans_avis)) for o in avis.organismes]


def _names(year: Year, label: str) -> dict[str, str]:
    return {**versions.file_names(year.annee, label), "parties": f"{PARTS_FOLDER}/{label}"}


@dataclass
class _Piece:
    key: str
    document: derive.Document
    template: str
    relative: str  # where its DOCX goes, relative to the output folder, without extension


class _Build:
    """One run of the pipeline into a staging folder, published at the end."""

    def __init__(self, year: Year, output_folder: Path, options: BuildOptions, record: dict[str, Any]) -> None:
        if options.version not in versions.VERSIONS:
            raise UsageProblem(f"Version inconnue « {options.version} ».", "Choisissez projet ou definitif.")
        if options.pdfa and options.version != versions.DEFINITIF:
            raise UsageProblem(
                "--pdfa ne s'utilise qu'avec --version definitif.",
                "Une version projet porte un filigrane, incompatible avec le PDF/A.",
            )
        self.year, self.output, self.options = year, output_folder, options
        self.checked = check(year)
        self.content = self.checked.content
        self.number = (
            versions.next_projet_number(output_folder, year.annee)
            if options.version == versions.PROJET and not options.apercu
            else None
        )
        self.label = versions.APERCU if options.apercu else versions.label(options.version, self.number)
        # the documents say « version projet »; the number is stamped on the PDFs' pages, so that an
        # unchanged part can be taken from the cache whatever the number of the build
        self.mention = "aperçu du projet" if options.apercu else versions.mention(options.version, None)
        self.note = versions.mention(options.version, self.number) if self.number else ""
        self.names = _names(year, self.label)
        self.inputs: list[Path] = [*sorted(year.contents.glob("*.yaml"))]
        self.templates_folder = options.gabarits or year.templates
        self.record = record
        # taken before any work: a file saved during the build must not pass for built
        self.fingerprint = freshness.fingerprint(year, self.templates_folder, record)
        self.extra_versions: dict[str, str] = {}

    @property
    def final(self) -> bool:
        return self.options.version == versions.DEFINITIF

    def refuse_existing_final(self, relatives: list[str]) -> None:
        existing = [self.output / r for r in relatives if (self.output / r).exists()]
        if self.final and existing and not self.options.remplacer:
            raise FinalExists(
                f"Une version définitive existe déjà : {self.year.shown(existing[0])}.",
                "Elle n'est jamais écrasée. Pour la remplacer, relancez avec --remplacer : "
                "l'ancienne sera gardée sous un nom daté.",
            )

    def render_and_convert(
        self, pieces: list[_Piece], stage: Path, pdf: bool = True, meanwhile: Callable[[], None] | None = None
    ) -> dict[str, Path]:
        """Render every piece and hand each to LibreOffice as soon as it is rendered.

        Returns, for each piece key, its PDF (``key``, when ``pdf``) and its
        editable document (``key.edit``: DOCX, or ODT for an ODT template).
        A piece whose document, template and options are unchanged since an
        earlier build is taken from the cache, neither rendered nor converted.
        The rendering of a piece overlaps the conversion of the previous ones
        (on two LibreOffices when there are two cores); ``meanwhile`` runs
        once everything is rendered, while LibreOffice works, and each PDF is
        finished as soon as it comes back.
        """
        templates = gabarits.prepare(
            self.templates_folder, [p.template for p in pieces], self.year.root / CACHE_FOLDER / "gabarits"
        )
        if self.final:  # comments and revision marks must never reach a published file
            refused = [
                Problem(self.year.shown(template.source), finding.message)
                for template in templates.values()
                for finding in accessibilite.check_template(template.docx)
                if finding.revision
            ]
            if refused:
                raise TemplateProblems(refused)
        result: dict[str, Path] = {}
        converting: dict[Future[Path], tuple[Path, dict[str, Path]]] = {}
        pdf_options = {"SelectPdfVersion": 2, "UseTaggedPDF": True} if self.options.pdfa else None
        # the work folder inside the staging folder: a killed build leaves nothing elsewhere
        with (
            tempfile.TemporaryDirectory(prefix=".travail-", dir=stage) as work,
            convert.pipeline(pdf_options) as conversions,
        ):
            for piece in pieces:
                template = templates[piece.template]
                self.inputs.append(template.source)
                made = {"edit": stage / f"{piece.relative}{template.output_suffix}"}
                if pdf:
                    made["pdf"] = stage / f"{piece.relative}.pdf"
                result[f"{piece.key}.edit"] = made["edit"]
                if "pdf" in made:
                    result[piece.key] = made["pdf"]
                cached = self.parts_cache / self._part_key(piece, template, pdf)
                if all((cached / f"{name}{target.suffix}").is_file() for name, target in made.items()):
                    for name, target in made.items():
                        ensure_folder(target.parent)
                        shutil.copyfile(cached / f"{name}{target.suffix}", target)
                    self._finish(made)
                    continue
                from ..documents import render  # docxtpl: only when a part is not in the cache

                docx_folder = Path(work) / "odt" if template.odt else stage
                docx = render.render_docx(
                    piece.document, template.docx, docx_folder / f"{piece.relative}.docx", Path(work), template.source
                )
                render.normalize_docx_files([docx], self.content.rapport.date_arret)
                targets = [made["edit"]] if template.odt else []
                targets += [made["pdf"]] if pdf else []
                for future in conversions.submit_formats(docx, targets):  # opened once by LibreOffice
                    converting[future] = (cached, made)
            if meanwhile is not None:
                meanwhile()
            waiting = collections.Counter(made["edit"] for _, made in converting.values())
            for future in conversions.completed(converting):
                if (converted := future.result()).suffix == ".pdf":
                    from ..pdf import balisage  # pikepdf: only when a part is converted

                    balisage.tag_part(converted)
                cached, made = converting[future]
                waiting[made["edit"]] -= 1
                if waiting[made["edit"]] == 0:
                    self._store(cached, made)
                    self._finish(made)
        return result

    def _store(self, cached: Path, made: dict[str, Path]) -> None:
        """Keep a converted part in the cache, before the finishing touches that vary by build."""
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            cached.mkdir(parents=True, exist_ok=True)
            for name, target in made.items():
                shutil.copyfile(target, cached / f"{name}{target.suffix}")

    def _finish(self, made: dict[str, Path]) -> None:
        """Stable dates and identifier, and for a projet the watermark and version number."""
        from ..pdf import finish

        if "pdf" in made:
            finish.finish_pdf(
                made["pdf"],
                self.content.rapport.date_arret,
                watermark=not self.final,
                pdfa=self.options.pdfa,
                note=self.note,
            )

    @property
    def parts_cache(self) -> Path:
        return self.year.root / CACHE_FOLDER / "parties"

    def _part_key(self, piece: _Piece, template: gabarits.Template, pdf: bool) -> str:
        """What a part depends on: its document, its template, the PDF options, assembleur's version."""
        digest = hashlib.sha256(repr(piece.document).encode())
        digest.update(
            f"{sha256(template.source)} {template.output_suffix} {pdf} {self.options.pdfa} {__version__}".encode()
        )
        # tagged parts are not the earlier ones, and a new pikepdf may tag them otherwise
        digest.update(f"{libreoffice.TAGGED_PDF} balisage 1 pikepdf {_pikepdf_version()}".encode())
        return digest.hexdigest()

    def check_final_texts(self, stage: Path, pdfs: list[Path]) -> None:
        """A définitif must carry no PROJET mention, no template tag, no placeholder."""
        if not self.final:
            return
        from pypdf import PdfReader

        problems = []
        for pdf in pdfs:
            shown = self.year.shown(self.output / pdf.relative_to(stage))
            for number, page in enumerate(PdfReader(pdf).pages, start=1):
                text = page.extract_text() or ""
                for what, pattern in FINAL_MARKERS.items():
                    if match := pattern.search(text):
                        problems.append(Problem(shown, f"page {number} : {what} reste (« {match[0]} »)."))
        if problems:
            raise FinalRefused(problems)

    def publish(self, stage: Path, written: list[Path]) -> list[Path]:
        """Write the manifest, then move every staged file into place; return the final paths.

        What the checks proved about the inputs is kept for an unchanged projet (see :mod:`.freshness`).
        """
        from . import manifest

        freshness.remember(self.year, self.fingerprint, proven(self.checked, self.record["commande"], self.options))

        manifest.write_manifest(
            stage / self.names["manifeste"],
            self.year.root,
            self.record,
            self.inputs,
            written,
            self.extra_versions,
            self.fingerprint,
            resume(self.content),
        )
        staged = [*written, stage / self.names["manifeste"]]
        give_created_file_mode(staged, self.output)
        finals = [self.output / path.relative_to(stage) for path in staged]
        if self.final and self.options.remplacer:
            versions.archive([f for f in finals if f.exists()])
        for source, target in zip(staged, finals, strict=True):
            ensure_folder(target.parent)
            source.replace(target)
        return finals


def resume(content: validate.Content) -> dict[str, Any]:
    """What ``assembleur comparer`` reads back from a version's manifest: its key figures and their labels, its avis."""
    avis = content.avis.organismes if content.avis is not None else []
    return {
        "chiffres": {name: str(figure) for name, figure in derive.figures(content).items()},
        "libelles_chiffres": derive.figure_labels(content),
        "avis": {o.nom: {"sens": o.avis.sens, "seance": o.avis.seance.isoformat()} if o.avis else None for o in avis},
    }


def _dossier_pieces(
    content: validate.Content,
    states: list[consultation.Statut],
    version: str,
    mention: str,
    names: dict[str, str],
    annee: int,
) -> list[_Piece]:
    """The documents of a dossier, each with its template and where it goes."""
    parts = names["parties"]
    pieces = [
        _Piece("rapport", derive.build_document(content, version, mention), RAPPORT_TEMPLATE, names["rapport"]),
        _Piece(
            "grille",
            annexes.build_grille(content, version, mention),
            LANDSCAPE_TEMPLATE,
            f"{parts}/annexe-1-grille-des-actions-{annee}",
        ),
    ]
    if content.protocole is not None:
        pieces.append(
            _Piece(
                "protocole",
                annexes.build_protocole(content, version, mention),
                ANNEX_TEMPLATE,
                f"{parts}/annexe-2-protocole-{annee}",
            )
        )
    if content.avis is not None:
        pieces.append(
            _Piece(
                "synthese",
                annexes.build_synthese_avis(content, states, version, mention),
                ANNEX_TEMPLATE,
                f"{parts}/avis-synthese-{annee}",
            )
        )
        if annexes.has_observations(content):
            pieces.append(
                _Piece(
                    "observations",
                    annexes.build_observations(content, version, mention),
                    ANNEX_TEMPLATE,
                    f"{parts}/observations-et-suites-{annee}",
                )
            )
        for kind in annexes.categories(content):
            pieces.append(
                _Piece(
                    kind,
                    annexes.build_intercalaire(content, annexes.category_title(content, kind), version, mention),
                    ANNEX_TEMPLATE,
                    f"{parts}/intercalaire-{kind.replace('_', '-')}-{annee}",
                )
            )
    return pieces


@contextlib.contextmanager
def _stage(output_folder: Path) -> Iterator[str]:
    """A staging folder inside ``output_folder``, removed at the end with the folders made for it if left empty.

    The staging folders of killed builds are removed first (see :func:`files.remove_abandoned_stagings`).
    """
    made = [folder for folder in (output_folder, *output_folder.parents) if not folder.exists()]
    ensure_folder(output_folder)
    remove_abandoned_stagings(output_folder)
    try:
        staging = staging_folder(output_folder)
        try:
            yield str(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        for folder in made:  # deepest first; a failed build leaves no empty sortie/2019/ behind
            with contextlib.suppress(OSError):
                folder.rmdir()


def _build_rapport(
    year: Year, output_folder: Path, pdf: bool = False, options: BuildOptions | None = None
) -> tuple[Checked, list[Path]]:
    """The work of :func:`build_rapport`, under the year's lock."""
    if pdf:
        convert.warm_up()
    options = options or BuildOptions()
    run = _Build(year, output_folder, options, options.record("rapport", pdf=pdf))
    rapport = run.names["rapport"]
    run.refuse_existing_final([f"{rapport}.docx", f"{rapport}.odt", f"{rapport}.pdf"])
    document = derive.build_document(run.content, run.options.version, run.mention)
    with _stage(output_folder) as staging:
        stage = Path(staging)
        files = run.render_and_convert([_Piece("rapport", document, RAPPORT_TEMPLATE, rapport)], stage, pdf=pdf)
        written = [files["rapport.edit"]]
        if pdf:
            run.check_final_texts(stage, [files["rapport"]])
            written.append(files["rapport"])
        finals = run.publish(stage, written)
    return run.checked, finals


def _build_dossier(
    year: Year,
    output_folder: Path,
    options: BuildOptions | None = None,
    progress: Callable[[str], None] = lambda stage: None,
) -> tuple[Checked, list[Path]]:
    """The work of :func:`build_dossier`, under the year's lock."""
    progress(STAGES[0])
    convert.warm_up()
    options = options or BuildOptions()
    run = _Build(year, output_folder, options, options.record("dossier"))
    content, annee, names, mention = run.content, year.annee, run.names, run.mention
    states = statuts(run.checked, options.sans_avis)
    if run.final:
        missing = [s for s in states if s.etat == consultation.EN_ATTENTE]
        refusals, advice = [_missing_avis(run.content, s) for s in missing], []
        if missing:
            advice.append("Attendez ces avis, ou joignez le dossier sans eux avec --sans-avis « NOM » pour chacun.")
        if suites := _missing_suites(content):
            refusals += suites
            advice.append("Chaque observation reçoit sa suite avant la version définitive.")
        if options.actes and (content.deliberation is None or content.deliberation.acte is None):
            refusals.append(_missing_act(year, content))
            advice.append(REGISTER_ADVICE.format(annee=annee))
        if refusals:
            raise FinalRefused(refusals, " ".join(advice))
    if options.actes:  # before any conversion: identity, number, the Préfecture's classification
        run.checked.warnings += act_transmission.check(year, content, act_registered(run.checked))
    run.refuse_existing_final([names["dossier"], f"{names['rapport']}.pdf"])

    pieces = _dossier_pieces(content, states, options.version, mention, names, annee)

    with _stage(output_folder) as staging:
        stage = Path(staging)
        scans: list[ScannedAvis] = []  # checked while LibreOffice converts
        act: list[Path | None] = []

        def meanwhile() -> None:
            progress(STAGES[2])
            scans.extend(check_scans(year, run.checked))
            act.append(check_act(year, run.checked) if options.actes else None)

        progress(STAGES[1])
        files = run.render_and_convert(pieces, stage, meanwhile=meanwhile)
        progress(STAGES[3])
        from ..pdf import assemble, finish, ocr

        run.inputs += [scan.path for scan in scans]
        generated = [files[piece.key] for piece in pieces]
        run.check_final_texts(stage, generated)
        scan_files = {scan.path: scan.path for scan in scans}
        if options.ocr:
            cache = year.root / CACHE_FOLDER / "ocr"
            scan_files = {scan.path: ocr.with_text_layer(scan.path, cache) for scan in scans}
            run.extra_versions["ocrmypdf"] = ocr.version()

        rapport = content.rapport
        title = markup.plain(rapport.titre)

        def words(name: str, **values: str) -> str:  # a libellé of rapport.yaml, as plain text
            return markup.plain(rapport.libelles.text(name, annee, **values))

        parts = [assemble.Part(words("signet_rapport", titre=title), files["rapport"])]
        parts.append(assemble.Part(words("signet_grille"), files["grille"], "A1-"))
        if content.protocole is not None:
            parts.append(
                assemble.Part(words("signet_protocole", annexe=content.protocole.annexe), files["protocole"], "A2-")
            )
        avis_part, synthese = None, []
        if content.avis is not None:
            synthese = [assemble.Part(words("signet_synthese"), files["synthese"])]
            if "observations" in files:
                synthese.append(assemble.Part(words("signet_observations"), files["observations"]))
            groups = list(synthese)
            organismes = {organisme.nom: organisme for organisme in content.avis.organismes}
            for kind in annexes.categories(content):
                signet = "signet_contribution_recue" if kind == SIGNATAIRE else "signet_avis_recu"
                children = [
                    assemble.Part(
                        words(signet, organisme=scan.organisme),
                        scan_files[scan.path],
                        fit_to_a4=True,
                        alt=annexes.scan_alt(content, organismes[scan.organisme]),
                        text=ocr.recognised_text(scan_files[scan.path]) if options.ocr else "",
                    )
                    for scan in scans
                    if organismes[scan.organisme].type == kind
                ]
                category = markup.plain(annexes.category_title(content, kind, heading=True))
                groups.append(assemble.Part(category, files[kind], children=children))
            avis_part = assemble.Part(words("signet_avis"), None, "Avis-", children=groups)
            parts.append(avis_part)

        metadata = finish.Metadata(
            title=words("dossier_titre", titre=title),
            author=rapport.collectivite.nom,
            subject=words("dossier_sujet", version=mention),
            keywords=words("dossier_mots_cles", sigle=rapport.collectivite.sigle),
            date=rapport.date_arret,
        )
        pdfa_from = files["rapport"] if options.pdfa else None
        dossier = assemble.assemble(
            parts, stage / names["dossier"], metadata, watermark=not run.final, pdfa_from=pdfa_from, note=run.note
        )
        written = [path for piece in pieces for path in (files[f"{piece.key}.edit"], files[piece.key])]
        written.append(dossier)
        if options.actes:
            written += _actes(run, stage, parts, (avis_part, synthese), metadata, act[0])
        finals = run.publish(stage, written)
    return run.checked, finals


def build_deliberation(
    year: Year, output_folder: Path, options: BuildOptions | None = None
) -> tuple[Checked, list[Path]]:
    """Write the projet de délibération (DOCX, or ODT for an ODT template, and PDF); return what was written.

    The file has one name per year (``deliberation-<année>-projet``): the
    assemblies service edits it. A previous file that differs is kept under a
    dated name, never overwritten.
    """
    with build_lock(lock_path(year), f"assembleur deliberation {year.annee}"):
        convert.warm_up()
        asked = options or BuildOptions()
        options = BuildOptions(sans_avis=asked.sans_avis, gabarits=asked.gabarits, apercu=True)  # no numbering
        run = _Build(year, output_folder, options, options.record("deliberation"))
        if run.content.deliberation is None:
            raise AssembleurError(
                f"L'année {year.annee} n'a pas de fichier deliberation.yaml : la délibération n'a ni objet, ni visas, "
                "ni articles.",
                f"Créez {year.shown(year.contents)}/deliberation.yaml (voir docs/contenus.md, exemple dans "
                "contenus/2019/).",
            )
        states = statuts(run.checked, options.sans_avis)
        document = deliberation.build_deliberation(run.content, states, versions.PROJET, "projet de délibération")
        name = f"deliberation-{year.annee}-projet"
        with _stage(output_folder) as staging:
            stage = Path(staging)
            files = run.render_and_convert([_Piece("deliberation", document, DELIBERATION_TEMPLATE, name)], stage)
            finals = []
            for made in (files["deliberation.edit"], files["deliberation"]):
                target = output_folder / made.relative_to(stage)
                if target.exists() and sha256(target) != sha256(made):
                    versions.archive([target])  # the assemblies service may have edited it
                made.replace(target)
                finals.append(target)
    # the act's own warnings: the observations still without a suite (verifier lists the rapport's)
    return Checked(run.content, _missing_suites(run.content)), finals


def _pikepdf_version() -> str:
    from importlib.metadata import version

    return version("pikepdf")


def lock_path(year: Year) -> Path:
    """The lock file of a year's builds (in the project's cache, never tracked)."""
    return year.root / CACHE_FOLDER / f"fabrication-{year.annee}.verrou"


def build_rapport(
    year: Year, output_folder: Path, pdf: bool = False, options: BuildOptions | None = None
) -> tuple[Checked, list[Path]]:
    """Write the rapport's DOCX (and PDF) into ``output_folder``; return what was written."""
    with build_lock(lock_path(year), f"assembleur rapport {year.annee}"):
        return _build_rapport(year, output_folder, pdf, options)


def build_dossier(
    year: Year, output_folder: Path, options: BuildOptions | None = None, progress: Callable[[str], None] | None = None
) -> tuple[Checked, list[Path]]:
    """Write the rapport, its annexes, the assembled dossier (and the @ctes package); return what was written.

    For a définitif, the avis are checked before anything is rendered; the
    scans are checked while LibreOffice converts. Either problem stops the
    build with nothing written. One build of a year at a time. ``progress``
    is told each stage as it starts (:data:`STAGES`).
    """
    with build_lock(lock_path(year), f"assembleur dossier {year.annee}"):
        return _build_dossier(year, output_folder, options, progress or (lambda stage: None))


def _missing_avis(content: validate.Content, statut: consultation.Statut) -> Problem:
    """A missing avis, located at its body's entry in avis.yaml."""
    source = content.sources["avis"]
    index = content.avis.organismes.index(statut.organisme) if content.avis else 0
    line, column = source.position(("organismes", index))
    return Problem(source.path, f"avis manquant : {statut.organisme.nom}{_deadline_note(statut)}", line, column)


def _deadline_note(statut: consultation.Statut) -> str:
    if statut.echeance is None:
        return " (date d'envoi du projet inconnue : renseignez consultation.envoi dans avis.yaml)"
    return f" (délai de réponse jusqu'au {french.format_long_date(statut.echeance)})"


def _missing_act(year: Year, content: validate.Content) -> Problem:
    """The signed délibération is not recorded: where it would be."""
    where = content.sources["deliberation"].path if "deliberation" in content.sources else year.contents
    return Problem(
        where,
        "la délibération signée du conseil communautaire n'est pas enregistrée : "
        "le dossier @ctes d'une version définitive part avec elle, en document principal.",
    )


REGISTER_ADVICE = (
    "Après la séance, enregistrez la délibération signée : "
    "assembleur deliberation ajouter FICHIER --numero NUMERO --seance JJ/MM/AAAA {annee}."
)


def _actes(
    run: _Build,
    stage: Path,
    parts: list[Part],
    avis: tuple[Part | None, list[Part]],
    metadata: Metadata,
    signed: Path | None,
) -> list[Path]:
    """The @ctes package: the signed délibération, then the rapport and each annex as separate PDFs, a bordereau.

    In order: the délibération (principal), the rapport, the annexes 1 and 2, the synthèse of the avis with
    the observations and their suites, then each avis and each contribution. A projet without a registered
    délibération puts the rapport first, as the principal document.
    """
    from ..pdf import actes, assemble, finish

    content = run.content
    folder = stage / run.names["actes"]
    pieces: list[actes.Piece] = []

    def add(short: str, title: str, source: Path) -> None:
        role = actes.PRINCIPAL if not pieces else actes.ANNEXE
        pieces.append(actes.Piece(len(pieces) + 1, short, title, source, role))

    def bundle(part: Part, name: str) -> Path:
        return assemble.assemble(
            [part],
            stage / name,
            finish.Metadata(**{**metadata.__dict__, "title": part.title}),
            watermark=not run.final,
            pdfa_from=parts[0].path if run.options.pdfa else None,
            note=run.note,
        )

    deliberation = content.deliberation
    acte = deliberation.acte if deliberation else None
    if acte is not None and signed is not None:
        run.inputs.append(signed)
        seance = french.format_long_date(acte.seance)
        title = markup.plain(
            content.rapport.libelles.text("actes_deliberation", content.rapport.annee, numero=acte.numero, date=seance)
        )
        add("deliberation", title, signed)
    add("rapport", parts[0].title, parts[0].path)
    avis_part, synthese = avis
    shorts = {"A1-": "annexe-1-grille-des-actions", "A2-": "annexe-2-protocole"}
    for part in parts[1:]:
        if part is not avis_part:
            add(shorts[part.label], part.title, part.path)
    if avis_part is not None:
        # the synthèse, and the observations with their suites
        title = " ; ".join(child.title for child in synthese)  # each as typed in the libellés
        add("synthese-des-avis", title, bundle(assemble.Part(title, None, children=synthese), "synthese-reunie.pdf"))
        for group in avis_part.children[len(synthese) :]:  # each avis and contribution, in the dossier's order
            for part in group.children:
                short = actes.ascii_name(part.title)  # "avis-auchel", "contribution-region-…"
                add(short, part.title, bundle(part, f"{short}-{len(pieces)}.pdf"))
    transmission = act_transmission.transmission(run.year, content)
    run.inputs += act_transmission.inputs(run.year, content)
    return actes.build_package(pieces, folder, transmission, run.options.limite_actes_mio)
