"""Stage 5 — convert: turn rendered documents into PDF, written atomically."""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..files import atomic_output
from . import libreoffice


def warm_up() -> None:
    """Start LibreOffice now, without waiting: it gets ready while the content is read and rendered."""
    libreoffice.prestart()


def pipeline(filter_options: dict[str, object] | None = None) -> libreoffice.Conversions:
    """Conversions started one by one, as the documents are rendered (see :class:`libreoffice.Conversions`).

    LibreOffice writes the targets directly: give paths inside a staging
    folder, which a failed build throws away.
    """
    return libreoffice.Conversions(filter_options)


def to_pdf(source: Path, target: Path) -> Path:
    """Convert ``source`` to ``target``; an earlier ``target`` survives a failure untouched."""
    return to_formats([(source, target)])[0]


def to_formats(
    pairs: list[tuple[Path, Path]], filter_options: dict[str, object] | None = None, templates: bool = False
) -> list[Path]:
    """Convert several documents (on both warm converters); each target replaced only if all succeed.

    The format follows each target's extension (.pdf, .odt, .docx);
    ``filter_options`` are LibreOffice's PDF export options (e.g. PDF/A).
    """
    with contextlib.ExitStack() as stack:
        temporaries = [stack.enter_context(atomic_output(target)) for _, target in pairs]
        libreoffice.convert_many(
            [(source, temporary) for (source, _), temporary in zip(pairs, temporaries, strict=True)],
            filter_options=filter_options,
            templates=templates,
        )
    return [target for _, target in pairs]
