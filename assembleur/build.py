"""The pipeline: load → validate → derive → render → convert → assemble, for one year."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import annexes, assemble, convert, derive, load, markup, render, validate
from .errors import Problem
from .project import ANNEXES, RAPPORT_TEMPLATE, Year

ANNEX_TEMPLATE = "annexe.docx"
LANDSCAPE_TEMPLATE = "annexe-paysage.docx"
PARTS_FOLDER = "parties"


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


def check_scans(year: Year, checked: Checked) -> list[assemble.ScannedAvis]:
    """The year's received avis, each scan checked (all problems at once)."""
    if checked.content.avis is None:
        return []
    folder = year.root / ANNEXES / str(year.annee)
    return assemble.check_scans(checked.content.avis.organismes, folder, year.shown(folder))


def rapport_name(year: Year) -> str:
    """The file name (without extension) of the year's rapport."""
    return f"rapport-politique-de-la-ville-{year.annee}"


def dossier_name(year: Year) -> str:
    """The file name of the year's assembled dossier."""
    return f"dossier-politique-de-la-ville-{year.annee}.pdf"


def build_rapport(
    year: Year, output_folder: Path, pdf: bool = False, version: str = "projet"
) -> tuple[Checked, list[Path]]:
    """Write the rapport's DOCX (and PDF) into ``output_folder``; return what was written."""
    checked = check(year)
    document = derive.build_document(checked.content, version=version)
    docx = output_folder / f"{rapport_name(year)}.docx"
    with tempfile.TemporaryDirectory(prefix="assembleur-") as work:
        render.render_docx(document, year.templates / RAPPORT_TEMPLATE, docx, Path(work))
    written = [docx]
    if pdf:
        written.append(convert.to_pdf(docx, docx.with_suffix(".pdf")))
    return checked, written


@dataclass
class _Piece:
    name: str
    document: derive.Document
    template: str


def build_dossier(year: Year, output_folder: Path, version: str = "projet") -> tuple[Checked, list[Path]]:
    """Write the rapport, its annexes and the assembled dossier PDF; return what was written.

    The scans are checked before anything is rendered: a bad scan stops the
    build with nothing written.
    """
    checked = check(year)
    scans = check_scans(year, checked)
    content = checked.content
    annee = year.annee
    pieces = [_Piece(rapport_name(year), derive.build_document(content, version), RAPPORT_TEMPLATE)]
    pieces.append(
        _Piece(f"annexe-1-grille-des-actions-{annee}", annexes.build_grille(content, version), LANDSCAPE_TEMPLATE)
    )
    if content.protocole is not None:
        pieces.append(_Piece(f"annexe-2-protocole-{annee}", annexes.build_protocole(content, version), ANNEX_TEMPLATE))
    if content.avis is not None:
        pieces.append(_Piece(f"avis-synthese-{annee}", annexes.build_synthese_avis(content, version), ANNEX_TEMPLATE))
        for kind, title in annexes.CATEGORIES.items():
            document = annexes.build_intercalaire(content, title, version)
            pieces.append(_Piece(f"intercalaire-{kind.replace('_', '-')}-{annee}", document, ANNEX_TEMPLATE))

    parts_folder = output_folder / PARTS_FOLDER
    docx_files: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="assembleur-") as work:
        for piece in pieces:
            folder = output_folder if piece.template == RAPPORT_TEMPLATE else parts_folder
            target = folder / f"{piece.name}.docx"
            docx_files[piece.name] = render.render_docx(
                piece.document, year.templates / piece.template, target, Path(work)
            )
    pdf_files = dict(
        zip(docx_files, convert.to_pdfs([(d, d.with_suffix(".pdf")) for d in docx_files.values()]), strict=True)
    )

    def pdf(name: str) -> Path:
        return pdf_files[name]

    rapport = content.rapport
    parts = [assemble.Part(markup.plain(f"{rapport.titre} – {annee}"), pdf(rapport_name(year)))]
    parts.append(
        assemble.Part(
            "Annexe 1 – Grille de répartition des actions par priorité",
            pdf(f"annexe-1-grille-des-actions-{annee}"),
            "A1-",
        )
    )
    if content.protocole is not None:
        parts.append(
            assemble.Part(
                f"Annexe 2 – {markup.plain(content.protocole.annexe)}", pdf(f"annexe-2-protocole-{annee}"), "A2-"
            )
        )
    if content.avis is not None:
        groups = [assemble.Part("Synthèse des avis", pdf(f"avis-synthese-{annee}"))]
        for kind, title in annexes.CATEGORIES.items():
            children = [
                assemble.Part(f"Avis – {scan.organisme.nom}", scan.path, fit_to_a4=True)
                for scan in scans
                if scan.organisme.type == kind
            ]
            groups.append(
                assemble.Part(
                    title.capitalize(), pdf(f"intercalaire-{kind.replace('_', '-')}-{annee}"), children=children
                )
            )
        parts.append(assemble.Part("Avis des conseils citoyens et des communes", None, "Avis-", children=groups))

    metadata = assemble.Metadata(
        title=markup.plain(f"{rapport.titre} – {annee} – dossier complet"),
        author=rapport.collectivite.nom,
        subject=f"Rapport {annee} sur la mise en œuvre de la politique de la ville, ses annexes et les avis recueillis",
        keywords=f"politique de la ville, contrat de ville, {rapport.collectivite.sigle}, {annee}, avis des communes",
    )
    dossier = assemble.assemble(parts, output_folder / dossier_name(year), metadata)
    written = [path for name in docx_files for path in (docx_files[name], pdf_files[name])]
    return checked, [*written, dossier]
