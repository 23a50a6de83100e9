"""The pipelines of ``rapport``, ``dossier`` and ``deliberation``: render → convert → assemble, for one year.

Every build works in a staging folder inside the output folder and moves its
files into place only once all of them are complete and checked: a failed
build leaves earlier outputs exactly as they were, and no partial file.
The checks of the inputs are :mod:`.verification`'s; the @ctes package is
:mod:`.paquet_actes`'s.
"""

from __future__ import annotations

import collections
import contextlib
import functools
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
from ..contenus import consultation, french, markup, validate
from ..contenus.model import SIGNATAIRE
from ..documents import accessibilite, annexes, deliberation, derive, gabarits
from ..errors import AssembleurError, FinalExists, FinalRefused, Problem, TemplateProblems, UsageProblem
from ..files import build_lock, ensure_folder, give_created_file_mode, remove_abandoned_stagings, sha256, staging_folder
from ..pdf import convert, libreoffice
from ..project import CACHE_FOLDER, Year
from . import freshness, paquet_actes, verification, versions
from .options import BuildOptions
from .pieces import DELIBERATION_TEMPLATE, RAPPORT_TEMPLATE, Piece, dossier_pieces, output_names
from .verification import Checked

if TYPE_CHECKING:
    from ..pdf.assemble import Assembly, Part
    from ..pdf.finish import Metadata
    from ..pdf.scans import ScannedAvis

# The PDF stages (assemble, finish, manifest, actes, ocr) are imported where first used:
# LibreOffice waits for the first rendered document, and their loading is better done while it converts.
# render (docxtpl, python-docx) too: a reused build checks its inputs without loading them.

# what must not remain in a définitif: the PROJET mention, template tags, placeholders
FINAL_MARKERS = {
    "la mention PROJET": re.compile(r"\bPROJET\b|(?i:version projet)"),
    "une balise de gabarit non remplie": re.compile(r"\{\{|\}\}|\{%|%\}"),
    "un chiffre non remplacé": re.compile(r"(?<!\^)\{[A-Za-z_][A-Za-z0-9_]*\}"),
    "un texte à compléter": re.compile(r"\bà compléter\b|\ba completer\b|\bTODO\b|\bXXX\b", re.IGNORECASE),
}


# the stages of a dossier build, as told to a ``progress`` callback (the atelier shows them live)
STAGES = ("vérification", "mise en page", "conversion", "assemblage")


class Run:
    """One run of a pipeline: its year, options, names and inputs; rendered in a staging folder, published at the end.

    The steps of a pipeline, and the @ctes package (:func:`.paquet_actes.build_package`), take it.
    """

    def __init__(self, year: Year, output_folder: Path, options: BuildOptions, record: dict[str, Any]) -> None:
        if options.version not in versions.VERSIONS:
            raise UsageProblem(f"Version inconnue « {options.version} ».", "Choisissez projet ou definitif.")
        if options.pdfa and options.version != versions.DEFINITIF:
            raise UsageProblem(
                "--pdfa ne s'utilise qu'avec --version definitif.",
                "Une version projet porte un filigrane, incompatible avec le PDF/A.",
            )
        self.year, self.output, self.options = year, output_folder, options
        self.checked = verification.check(year)
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
        self.names = output_names(year, self.label)
        self.inputs: list[Path] = [*sorted(year.contents.glob("*.yaml"))]
        self.templates_folder = options.gabarits or year.templates
        self.record = record
        # taken before any work: a file saved during the build must not pass for built
        self.fingerprint = freshness.fingerprint(year, self.templates_folder, record)
        self.extra_versions: dict[str, str] = {}

    @property
    def final(self) -> bool:
        return self.options.version == versions.DEFINITIF

    def words(self, name: str, **values: str) -> str:
        """A libellé of rapport.yaml, as plain text (bookmarks, metadata)."""
        return markup.plain(self.content.rapport.libelles.text(name, self.year.annee, **values))

    def refuse_existing_final(self, relatives: list[str]) -> None:
        existing = [self.output / r for r in relatives if (self.output / r).exists()]
        if self.final and existing and not self.options.remplacer:
            raise FinalExists(
                f"Une version définitive existe déjà : {self.year.shown(existing[0])}.",
                "Elle n'est jamais écrasée. Pour la remplacer, relancez avec --remplacer : "
                "l'ancienne sera gardée sous un nom daté.",
            )

    def render_and_convert(
        self,
        pieces: list[Piece],
        stage: Path,
        pdf: bool = True,
        meanwhile: Callable[[], None] | None = None,
        finished: Callable[[Path], None] = lambda pdf: None,
    ) -> dict[str, Path]:
        """Render every piece and hand each to LibreOffice as soon as it is rendered.

        Returns, for each piece key, its PDF (``key``, when ``pdf``) and its
        editable document (``key.edit``: DOCX, or ODT for an ODT template).
        A piece whose document, template and options are unchanged since an
        earlier build is taken from the cache, neither rendered nor converted.
        The rendering of a piece overlaps the conversion of the previous ones
        (on two LibreOffices when there are two cores); ``meanwhile`` runs
        once everything is rendered, while LibreOffice works, and each PDF is
        finished as soon as it comes back, then handed to ``finished``.
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
                    self._finish(made, finished)
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
                    self._finish(made, finished)
        return result

    def _store(self, cached: Path, made: dict[str, Path]) -> None:
        """Keep a converted part in the cache, before the finishing touches that vary by build."""
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            cached.mkdir(parents=True, exist_ok=True)
            for name, target in made.items():
                shutil.copyfile(target, cached / f"{name}{target.suffix}")

    def _finish(self, made: dict[str, Path], finished: Callable[[Path], None]) -> None:
        """Stable dates and identifier, and for a projet the watermark and version number; then ``finished``."""
        from ..pdf import finish

        if "pdf" in made:
            finish.finish_pdf(
                made["pdf"],
                self.content.rapport.date_arret,
                watermark=not self.final,
                pdfa=self.options.pdfa,
                note=self.note,
            )
            finished(made["pdf"])

    @property
    def parts_cache(self) -> Path:
        return self.year.root / CACHE_FOLDER / "parties"

    def _part_key(self, piece: Piece, template: gabarits.Template, pdf: bool) -> str:
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

        proven = verification.proven(self.checked, self.record["commande"], self.options)
        freshness.remember(self.year, self.fingerprint, proven)

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
    run = Run(year, output_folder, options, options.record("rapport", pdf=pdf))
    rapport = run.names["rapport"]
    run.refuse_existing_final([f"{rapport}.docx", f"{rapport}.odt", f"{rapport}.pdf"])
    document = derive.build_document(run.content, run.options.version, run.mention)
    with _stage(output_folder) as staging:
        stage = Path(staging)
        files = run.render_and_convert([Piece("rapport", lambda: document, RAPPORT_TEMPLATE, rapport)], stage, pdf=pdf)
        written = [files["rapport.edit"]]
        if pdf:
            run.check_final_texts(stage, [files["rapport"]])
            written.append(files["rapport"])
        finals = run.publish(stage, written)
    return run.checked, finals


@dataclass
class Outline:
    """The dossier's bookmark tree: its top-level parts; among them the avis, whose first children are the synthèse."""

    parts: list[Part]
    avis: Part | None = None
    synthese: list[Part] = field(default_factory=list)


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
    run = Run(year, output_folder, options, options.record("dossier"))
    states = verification.statuts(run.checked, options.sans_avis)
    _refuse_incomplete_final(run, states)
    if options.actes:  # before any conversion: identity, number, the Préfecture's classification
        paquet_actes.check_transmission(run)
    run.refuse_existing_final([run.names["dossier"], f"{run.names['rapport']}.pdf"])
    pieces = dossier_pieces(run.content, states, options.version, run.mention, run.names, year.annee)

    with _stage(output_folder) as staging, contextlib.ExitStack() as assembling:
        stage = Path(staging)
        scans: list[ScannedAvis] = []  # checked while LibreOffice converts
        act: list[Path | None] = []

        def meanwhile() -> None:
            progress(STAGES[2])
            scans.extend(verification.check_scans(year, run.checked))
            act.append(verification.check_act(year, run.checked) if options.actes else None)

        @functools.cache
        def assembly() -> Assembly:  # made with the first finished part: pikepdf loads while LibreOffice works
            from ..pdf import assemble

            return assembling.enter_context(assemble.Assembly())

        def finished(part: Path) -> None:  # copied into the dossier as soon as it is finished, while others convert
            assembly().prepare(part)

        progress(STAGES[1])
        files = run.render_and_convert(pieces, stage, meanwhile=meanwhile, finished=finished)
        progress(STAGES[3])
        run.inputs += [scan.path for scan in scans]
        run.check_final_texts(stage, [files[piece.key] for piece in pieces])
        outline = _dossier_outline(run, files, scans, _ocr_scans(run, scans))
        metadata = _metadata(run)
        written = [path for piece in pieces for path in (files[f"{piece.key}.edit"], files[piece.key])]
        written.append(_assemble(run, stage, outline, metadata, assembly()))
        assembling.close()  # the parts' copies, and the scans', are let go before what follows
        if options.actes:
            written += paquet_actes.build_package(run, stage, outline, metadata, act[0])
        finals = run.publish(stage, written)
    return run.checked, finals


def _refuse_incomplete_final(run: Run, states: list[consultation.Statut]) -> None:
    """A définitif waits for every avis, a suite to every observation and, for @ctes, the signed act: all at once."""
    if not run.final:
        return
    content = run.content
    missing = [s for s in states if s.etat == consultation.EN_ATTENTE]
    refusals, advice = [_missing_avis(content, s) for s in missing], []
    if missing:
        advice.append("Attendez ces avis, ou joignez le dossier sans eux avec --sans-avis « NOM » pour chacun.")
    if suites := verification.missing_suites(content):
        refusals += suites
        advice.append("Chaque observation reçoit sa suite avant la version définitive.")
    if unclassified := validate.unclassified(content):
        refusals += unclassified
        advice.append("Chaque action importée reçoit son élément de la stratégie avant la version définitive.")
    if run.options.actes and not verification.act_registered(run.checked):
        refusals.append(paquet_actes.missing_act(run.year, content))
        advice.append(paquet_actes.REGISTER_ADVICE.format(annee=run.year.annee))
    if refusals:
        raise FinalRefused(refusals, " ".join(advice))


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


def _ocr_scans(run: Run, scans: list[ScannedAvis]) -> dict[Path, Path]:
    """Each scan's file in the dossier: with ``--ocr``, a copy with a text layer (cached); else the scan itself."""
    if not run.options.ocr:
        return {scan.path: scan.path for scan in scans}
    from ..pdf import ocr

    cache = run.year.root / CACHE_FOLDER / "ocr"
    scan_files = {scan.path: ocr.with_text_layer(scan.path, cache) for scan in scans}
    run.extra_versions["ocrmypdf"] = ocr.version()
    return scan_files


def _dossier_outline(
    run: Run, files: dict[str, Path], scans: list[ScannedAvis], scan_files: dict[Path, Path]
) -> Outline:
    """The rapport, the annexes 1 and 2, then the avis: their synthèse, and each category with its scans."""
    from ..pdf import assemble

    content = run.content
    title = markup.plain(content.rapport.titre)
    parts = [assemble.Part(run.words("signet_rapport", titre=title), files["rapport"])]
    parts.append(assemble.Part(run.words("signet_grille"), files["grille"], "A1-"))
    if content.protocole is not None:
        parts.append(
            assemble.Part(run.words("signet_protocole", annexe=content.protocole.annexe), files["protocole"], "A2-")
        )
    if content.avis is None:
        return Outline(parts)
    synthese = [assemble.Part(run.words("signet_synthese"), files["synthese"])]
    if "observations" in files:
        synthese.append(assemble.Part(run.words("signet_observations"), files["observations"]))
    groups = list(synthese)
    for kind in annexes.categories(content):
        category = markup.plain(annexes.category_title(content, kind, heading=True))
        children = _received_scans(run, kind, scans, scan_files)
        groups.append(assemble.Part(category, files[kind], children=children))
    avis = assemble.Part(run.words("signet_avis"), None, "Avis-", children=groups)
    return Outline([*parts, avis], avis, synthese)


def _received_scans(run: Run, kind: str, scans: list[ScannedAvis], scan_files: dict[Path, Path]) -> list[Part]:
    """The scans of one category (avis or contributions), each a bookmark with its alternative text."""
    from ..pdf import assemble, ocr

    content = run.content
    organismes = {organisme.nom: organisme for organisme in content.avis.organismes} if content.avis else {}
    signet = "signet_contribution_recue" if kind == SIGNATAIRE else "signet_avis_recu"
    return [
        assemble.Part(
            run.words(signet, organisme=scan.organisme),
            scan_files[scan.path],
            fit_to_a4=True,
            alt=annexes.scan_alt(content, organismes[scan.organisme]),
            text=ocr.recognised_text(scan_files[scan.path]) if run.options.ocr else "",
        )
        for scan in scans
        if organismes[scan.organisme].type == kind
    ]


def _metadata(run: Run) -> Metadata:
    """The dossier's title, author, subject, keywords and date, from the libellés of rapport.yaml."""
    from ..pdf import finish

    rapport = run.content.rapport
    return finish.Metadata(
        title=run.words("dossier_titre", titre=markup.plain(rapport.titre)),
        author=run.content.pilote.nom,
        subject=run.words("dossier_sujet", version=run.mention),
        keywords=run.words("dossier_mots_cles", sigle=run.content.pilote.sigle),
        date=rapport.date_arret,
    )


def _assemble(run: Run, stage: Path, outline: Outline, metadata: Metadata, assembly: Assembly) -> Path:
    """The dossier: one PDF with its bookmarks, page labels and metadata (PDF/A from the rapport's, with --pdfa)."""
    return assembly.write(
        outline.parts,
        stage / run.names["dossier"],
        metadata,
        watermark=not run.final,
        pdfa_from=outline.parts[0].path if run.options.pdfa else None,
        note=run.note,
    )


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
        run = Run(year, output_folder, options, options.record("deliberation"))
        if run.content.deliberation is None:
            raise AssembleurError(
                f"L'année {year.annee} n'a pas de fichier deliberation.yaml : la délibération n'a ni objet, ni visas, "
                "ni articles.",
                f"Créez {year.shown(year.contents)}/deliberation.yaml (voir docs/contenus.md, exemple dans "
                "contenus/2019/).",
            )
        states = verification.statuts(run.checked, options.sans_avis)
        document = deliberation.build_deliberation(run.content, states, versions.PROJET, "projet de délibération")
        name = f"deliberation-{year.annee}-projet"
        with _stage(output_folder) as staging:
            stage = Path(staging)
            piece = Piece("deliberation", lambda: document, DELIBERATION_TEMPLATE, name)
            files = run.render_and_convert([piece], stage)
            finals = []
            for made in (files["deliberation.edit"], files["deliberation"]):
                target = output_folder / made.relative_to(stage)
                if target.exists() and sha256(target) != sha256(made):
                    versions.archive([target])  # the assemblies service may have edited it
                made.replace(target)
                finals.append(target)
    # the act's own warnings: the observations still without a suite (verifier lists the rapport's)
    return Checked(run.content, verification.missing_suites(run.content)), finals


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
