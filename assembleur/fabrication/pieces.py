"""The pieces of a build: each document to render, with its template and where its files go.

Shared by the pipelines (:mod:`.build`) and by ``verifier`` (:mod:`.verification`), which reads
the templates against the same documents without rendering them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial

from ..contenus import consultation, validate
from ..documents import annexes, derive
from ..project import Year
from . import versions

RAPPORT_TEMPLATE = "rapport"  # template names, without extension: .docx or .odt
ANNEX_TEMPLATE = "annexe"
LANDSCAPE_TEMPLATE = "annexe-paysage"
DELIBERATION_TEMPLATE = "deliberation"
PARTS_FOLDER = "parties"


@dataclass
class Piece:
    """One document of a build, rendered with ``template`` into ``relative`` (DOCX or ODT, and PDF).

    Its document is built when first asked for: a build hands the rapport to
    LibreOffice before it builds the annexes' documents.
    """

    key: str
    build: Callable[[], derive.Document]
    template: str
    relative: str  # where its DOCX goes, relative to the output folder, without extension

    @cached_property
    def document(self) -> derive.Document:
        return self.build()


def output_names(year: Year, label: str) -> dict[str, str]:
    """The file names of a build labelled ``label`` (see :func:`versions.file_names`), and its parts' folder."""
    return {**versions.file_names(year.annee, label), "parties": f"{PARTS_FOLDER}/{label}"}


def dossier_pieces(
    content: validate.Content,
    states: list[consultation.Statut],
    version: str,
    mention: str,
    names: dict[str, str],
    annee: int,
) -> list[Piece]:
    """The documents of a dossier, each with its template and where it goes."""
    folder = names["parties"]

    def part(key: str, build: Callable[[], derive.Document], template: str, name: str) -> Piece:
        return Piece(key, build, template, f"{folder}/{name}-{annee}")

    rapport = partial(derive.build_document, content, version, mention)
    grille = partial(annexes.build_grille, content, version, mention)
    pieces = [
        Piece("rapport", rapport, RAPPORT_TEMPLATE, names["rapport"]),
        part("grille", grille, LANDSCAPE_TEMPLATE, "annexe-1-grille-des-actions"),
    ]
    if content.protocole is not None:
        protocole = partial(annexes.build_protocole, content, version, mention)
        pieces.append(part("protocole", protocole, ANNEX_TEMPLATE, "annexe-2-protocole"))
    if content.avis is not None:
        synthese = partial(annexes.build_synthese_avis, content, states, version, mention)
        pieces.append(part("synthese", synthese, ANNEX_TEMPLATE, "avis-synthese"))
        if annexes.has_observations(content):
            observations = partial(annexes.build_observations, content, version, mention)
            pieces.append(part("observations", observations, ANNEX_TEMPLATE, "observations-et-suites"))
        for kind in annexes.categories(content):
            title = annexes.category_title(content, kind)
            intercalaire = partial(annexes.build_intercalaire, content, title, version, mention)
            pieces.append(part(kind, intercalaire, ANNEX_TEMPLATE, f"intercalaire-{kind.replace('_', '-')}"))
    return pieces
