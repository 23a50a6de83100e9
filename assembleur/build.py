"""The pipeline: load → validate → derive → render → convert, for one year."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import convert, derive, load, render, validate
from .errors import Problem
from .project import RAPPORT_TEMPLATE, Year


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


def rapport_name(year: Year) -> str:
    """The file name (without extension) of the year's rapport."""
    return f"rapport-politique-de-la-ville-{year.annee}"


def build_rapport(
    year: Year, output_folder: Path, pdf: bool = False, version: str = "projet"
) -> tuple[Checked, list[Path]]:
    """Write the rapport's DOCX (and PDF) into ``output_folder``; return what was written."""
    checked = check(year)
    document = derive.build_document(checked.content, version=version)
    written: list[Path] = []
    docx = output_folder / f"{rapport_name(year)}.docx"
    with tempfile.TemporaryDirectory(prefix="assembleur-") as work:
        render.render_rapport(document, year.templates / RAPPORT_TEMPLATE, docx, Path(work))
    written.append(docx)
    if pdf:
        written.append(convert.to_pdf(docx, docx.with_suffix(".pdf")))
    return checked, written
