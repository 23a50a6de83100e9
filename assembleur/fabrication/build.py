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
from ..contenus import consultation, load, markup, validate
from ..documents import annexes, derive, gabarits, render
from ..errors import AssembleurError, Problem, ProblemsError
from ..files import build_lock, ensure_folder, sha256
from ..pdf import convert
from ..project import ANNEXES, Year
from . import freshness, versions
from .options import BuildOptions

if TYPE_CHECKING:
    from ..pdf.assemble import Part, ScannedAvis
    from ..pdf.finish import Metadata

# The PDF stages (assemble, finish, manifest, actes, ocr: pypdf) are imported where first used:
# LibreOffice waits for the first rendered document, and their loading is better done while it converts.

RAPPORT_TEMPLATE = "rapport"  # template names, without extension: .docx or .odt
ANNEX_TEMPLATE = "annexe"
LANDSCAPE_TEMPLATE = "annexe-paysage"
PARTS_FOLDER = "parties"
CACHE_FOLDER = Path(".cache") / "assembleur"
# what must not remain in a définitif: the PROJET mention, template tags, placeholders
FINAL_MARKERS = {
    "la mention PROJET": re.compile(r"\bPROJET\b|(?i:version projet)"),
    "une balise de gabarit non remplie": re.compile(r"\{\{|\}\}|\{%|%\}"),
    "un chiffre non remplacé": re.compile(r"(?<!\^)\{[A-Za-z_][A-Za-z0-9_]*\}"),
    "un texte à compléter": re.compile(r"\bà compléter\b|\ba completer\b|\bTODO\b|\bXXX\b", re.IGNORECASE),
}


class FinalRefused(ProblemsError):
    """A définitif cannot be made: missing avis, or a projet marker left in the documents."""

    where = "le dossier définitif"
    advice_text = "Rien n'a été écrit. Corrigez ces points, ou fabriquez une version projet (option par défaut)."


@dataclass
class Checked:
    """A year's content that passed validation, and the warnings of ``verifier``."""

    content: validate.Content
    warnings: list[Problem] = field(default_factory=list)


def check(year: Year) -> Checked:
    """Load and validate a year; compare typed figures with the data."""
    sources = load.load_year(year.contents, base=year.root)
    content = validate.validate(sources)
    return Checked(content, derive.verify(content))


def check_scans(year: Year, checked: Checked) -> list[ScannedAvis]:
    """The year's received avis, each scan checked (all problems at once)."""
    from ..pdf import assemble

    if checked.content.avis is None:
        return []
    folder = year.root / ANNEXES / str(year.annee)
    return assemble.check_scans(checked.content.avis.organismes, folder, year.shown(folder))


class TemplateProblems(ProblemsError):
    """Templates use data the content does not have."""

    where = "les gabarits"
    advice_text = (
        "Corrigez ces balises dans les gabarits indiqués (les données disponibles sont listées dans le README)."
    )


def check_templates(year: Year, checked: Checked, folder: Path | None = None) -> list[Problem]:
    """Read the templates' tags: unknown data is an error; content no template shows is a warning."""
    folder = folder or year.templates
    documents: dict[str, list[derive.Document]] = {}
    for piece in _dossier_pieces(checked.content, statuts(checked), versions.PROJET, "", _names(year, "x"), year.annee):
        documents.setdefault(piece.template, []).append(piece.document)
    errors: list[Problem] = []
    warnings: list[Problem] = []
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
        provided |= known
        used |= use.names
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
    annee = year.annee
    return {
        "rapport": f"rapport-politique-de-la-ville-{annee}-{label}",
        "dossier": f"dossier-politique-de-la-ville-{annee}-{label}.pdf",
        "manifeste": f"manifeste-{annee}-{label}.json",
        "parties": f"{PARTS_FOLDER}/{label}",
        "actes": f"actes-{label}",
    }


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
            raise AssembleurError(f"Version inconnue « {options.version} ».", "Choisissez projet ou definitif.")
        if options.pdfa and options.version != versions.DEFINITIF:
            raise AssembleurError(
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
            raise versions.FinalExists(
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
        result: dict[str, Path] = {}
        converting: dict[Future[Path], tuple[Path, dict[str, Path]]] = {}
        pdf_options = {"SelectPdfVersion": 2, "UseTaggedPDF": True} if self.options.pdfa else None
        with tempfile.TemporaryDirectory(prefix="assembleur-") as work, convert.pipeline(pdf_options) as conversions:
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
                docx_folder = Path(work) / "odt" if template.odt else stage
                docx = render.render_docx(
                    piece.document, template.docx, docx_folder / f"{piece.relative}.docx", Path(work), template.source
                )
                render.normalize_docx_files([docx], self.content.rapport.date_arret)
                targets = [made["edit"]] if template.odt else []
                targets += [made["pdf"]] if pdf else []
                for target in targets:
                    converting[conversions.submit(docx, target)] = (cached, made)
            if meanwhile is not None:
                meanwhile()
            waiting = collections.Counter(made["edit"] for _, made in converting.values())
            for future in conversions.completed(converting):
                future.result()
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
        """Write the manifest, then move every staged file into place; return the final paths."""
        from . import manifest

        manifest.write_manifest(
            stage / self.names["manifeste"],
            self.year.root,
            self.record,
            self.inputs,
            written,
            self.extra_versions,
            self.fingerprint,
        )
        staged = [*written, stage / self.names["manifeste"]]
        finals = [self.output / path.relative_to(stage) for path in staged]
        if self.final and self.options.remplacer:
            versions.archive([f for f in finals if f.exists()])
        for source, target in zip(staged, finals, strict=True):
            ensure_folder(target.parent)
            source.replace(target)
        return finals


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
        for kind, title in annexes.CATEGORIES.items():
            pieces.append(
                _Piece(
                    kind,
                    annexes.build_intercalaire(content, title, version, mention),
                    ANNEX_TEMPLATE,
                    f"{parts}/intercalaire-{kind.replace('_', '-')}-{annee}",
                )
            )
    return pieces


@contextlib.contextmanager
def _stage(output_folder: Path) -> Iterator[str]:
    """A staging folder inside ``output_folder``, removed at the end with the folders made for it if left empty."""
    made = [folder for folder in (output_folder, *output_folder.parents) if not folder.exists()]
    ensure_folder(output_folder)
    try:
        with tempfile.TemporaryDirectory(prefix=".assembleur-en-cours-", dir=output_folder) as staging:
            yield staging
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


def _build_dossier(year: Year, output_folder: Path, options: BuildOptions | None = None) -> tuple[Checked, list[Path]]:
    """The work of :func:`build_dossier`, under the year's lock."""
    convert.warm_up()
    options = options or BuildOptions()
    run = _Build(year, output_folder, options, options.record("dossier"))
    content, annee, names, mention = run.content, year.annee, run.names, run.mention
    states = statuts(run.checked, options.sans_avis)
    if run.final:
        missing = [s for s in states if s.etat == consultation.EN_ATTENTE]
        if missing:
            raise FinalRefused(
                [_missing_avis(run.content, s) for s in missing],
                "Attendez ces avis, ou joignez le dossier sans eux avec --sans-avis « NOM » pour chacun.",
            )
    run.refuse_existing_final([names["dossier"], f"{names['rapport']}.pdf"])

    pieces = _dossier_pieces(content, states, options.version, mention, names, annee)

    with _stage(output_folder) as staging:
        stage = Path(staging)
        scans: list[ScannedAvis] = []  # checked while LibreOffice converts
        files = run.render_and_convert(pieces, stage, meanwhile=lambda: scans.extend(check_scans(year, run.checked)))
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
        parts = [assemble.Part(f"{title} – {annee}", files["rapport"])]
        parts.append(assemble.Part("Annexe 1 – Grille de répartition des actions par priorité", files["grille"], "A1-"))
        if content.protocole is not None:
            parts.append(
                assemble.Part(f"Annexe 2 – {markup.plain(content.protocole.annexe)}", files["protocole"], "A2-")
            )
        avis_part = None
        if content.avis is not None:
            groups = [assemble.Part("Synthèse des avis", files["synthese"])]
            for kind, category in annexes.CATEGORIES.items():
                children = [
                    assemble.Part(
                        f"Avis – {scan.organisme.nom}",
                        scan_files[scan.path],
                        fit_to_a4=True,
                        alt=annexes.scan_alt(scan.organisme),
                        text=ocr.recognised_text(scan_files[scan.path]) if options.ocr else "",
                    )
                    for scan in scans
                    if scan.organisme.type == kind
                ]
                groups.append(assemble.Part(category.capitalize(), files[kind], children=children))
            avis_part = assemble.Part("Avis des conseils citoyens et des communes", None, "Avis-", children=groups)
            parts.append(avis_part)

        metadata = finish.Metadata(
            title=f"{title} – {annee} – dossier complet",
            author=rapport.collectivite.nom,
            subject=f"Rapport {annee} sur la mise en œuvre de la politique de la ville, "
            f"ses annexes et les avis recueillis ({mention})",
            keywords=f"politique de la ville, contrat de ville, {rapport.collectivite.sigle}, {annee}, "
            "avis des communes",
            date=rapport.date_arret,
        )
        pdfa_from = files["rapport"] if options.pdfa else None
        dossier = assemble.assemble(
            parts, stage / names["dossier"], metadata, watermark=not run.final, pdfa_from=pdfa_from, note=run.note
        )
        written = [path for piece in pieces for path in (files[f"{piece.key}.edit"], files[piece.key])]
        written.append(dossier)
        if options.actes:
            written += _actes(run, stage, parts, avis_part, metadata)
        finals = run.publish(stage, written)
    return run.checked, finals


def lock_path(year: Year) -> Path:
    """The lock file of a year's builds (in the project's cache, never tracked)."""
    return year.root / CACHE_FOLDER / f"fabrication-{year.annee}.verrou"


def build_rapport(
    year: Year, output_folder: Path, pdf: bool = False, options: BuildOptions | None = None
) -> tuple[Checked, list[Path]]:
    """Write the rapport's DOCX (and PDF) into ``output_folder``; return what was written."""
    with build_lock(lock_path(year), f"assembleur rapport {year.annee}"):
        return _build_rapport(year, output_folder, pdf, options)


def build_dossier(year: Year, output_folder: Path, options: BuildOptions | None = None) -> tuple[Checked, list[Path]]:
    """Write the rapport, its annexes, the assembled dossier (and the @ctes package); return what was written.

    For a définitif, the avis are checked before anything is rendered; the
    scans are checked while LibreOffice converts. Either problem stops the
    build with nothing written. One build of a year at a time.
    """
    with build_lock(lock_path(year), f"assembleur dossier {year.annee}"):
        return _build_dossier(year, output_folder, options)


def _missing_avis(content: validate.Content, statut: consultation.Statut) -> Problem:
    """A missing avis, located at its body's entry in avis.yaml."""
    source = content.sources["avis"]
    index = content.avis.organismes.index(statut.organisme) if content.avis else 0
    line, column = source.position(("organismes", index))
    return Problem(source.path, f"avis manquant : {statut.organisme.nom}{_deadline_note(statut)}", line, column)


def _deadline_note(statut: consultation.Statut) -> str:
    if statut.echeance is None:
        return " (date d'envoi du projet inconnue : renseignez consultation.envoi dans avis.yaml)"
    return f" (délai de réponse jusqu'au {derive.french.format_long_date(statut.echeance)})"


def _actes(run: _Build, stage: Path, parts: list[Part], avis_part: Part | None, metadata: Metadata) -> list[Path]:
    """The @ctes package: the rapport and each annex as a separate PDF, and a bordereau."""
    from ..pdf import actes, assemble, finish

    folder = stage / run.names["actes"]
    pieces = [actes.Piece(1, "rapport", parts[0].title, parts[0].path)]
    shorts = {"A1-": "annexe-1-grille-des-actions", "A2-": "annexe-2-protocole"}
    for part in parts[1:]:
        if part is avis_part:
            bundle = assemble.assemble(
                [avis_part],
                stage / "avis-reunis.pdf",
                finish.Metadata(**{**metadata.__dict__, "title": avis_part.title}),
                watermark=not run.final,
                pdfa_from=parts[0].path if run.options.pdfa else None,
                note=run.note,
            )
            pieces.append(actes.Piece(len(pieces) + 1, "annexe-3-avis", avis_part.title, bundle))
        else:
            pieces.append(actes.Piece(len(pieces) + 1, shorts[part.label], part.title, part.path))
    return actes.build_package(pieces, folder, run.options.limite_actes_mio)
