"""The template folder: Word (.docx) or LibreOffice (.odt) templates, with the same tags.

One template language and one engine for both: an ODT template is turned into
DOCX by LibreOffice (cached by the template's SHA-256), filled by docxtpl
like any Word template, and the result is turned back into ODT. The output
format follows the template: ODT in, ODT (and PDF) out.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import TemplateError
from ..files import sha256
from ..limites import MAX_TEMPLATE_BYTES, expands_too_much
from ..pdf import convert

SUFFIXES = (".docx", ".odt")


@dataclass(frozen=True)
class Template:
    """A template as the user keeps it, and the DOCX the engine fills."""

    source: Path  # the user's file (.docx or .odt)
    docx: Path  # what docxtpl reads: the file itself, or its cached DOCX conversion

    @property
    def odt(self) -> bool:
        return self.source.suffix.lower() == ".odt"

    @property
    def output_suffix(self) -> str:
        """The editable output's extension: the template's own."""
        return self.source.suffix.lower()


def find(folder: Path, stem: str) -> Path:
    """``folder/stem.docx`` or ``folder/stem.odt``; a French error if neither (or both) exist."""
    found = [folder / f"{stem}{suffix}" for suffix in SUFFIXES if (folder / f"{stem}{suffix}").is_file()]
    if not found:
        raise TemplateError(
            f"Gabarit introuvable : {folder / stem}.docx (ou .odt).",
            f"Vérifiez le dossier des gabarits ({folder}) : il doit contenir {stem}.docx ou {stem}.odt.",
        )
    if len(found) > 1:
        raise TemplateError(
            f"Deux gabarits pour le même document : {found[0].name} et {found[1].name} dans {folder}.",
            "Gardez-en un seul (ou rangez l'autre dans un autre dossier, choisi avec --gabarits).",
        )
    return found[0]


def prepare(folder: Path, stems: list[str], cache: Path) -> dict[str, Template]:
    """The templates ``stems`` of ``folder``, each ready for docxtpl (ODT converted once, then cached)."""
    templates: dict[str, Template] = {}
    to_convert: list[tuple[Path, Path]] = []
    for stem in dict.fromkeys(stems):
        source = find(folder, stem)
        if source.suffix.lower() == ".odt":
            _refuse_oversized(source)  # before LibreOffice opens it (a DOCX is checked when docxtpl opens it)
            docx = cache / f"{sha256(source)}.docx"
            if not docx.is_file():
                to_convert.append((source, docx))
            templates[stem] = Template(source, docx)
        else:
            templates[stem] = Template(source, source)
    if to_convert:
        convert.to_formats(to_convert, templates=True)
    return templates


def _refuse_oversized(path: Path) -> None:
    """Refuse an ODT template that is not a zip archive, or too heavy, or that expands like a zip bomb."""
    resave = "Dans LibreOffice, ouvrez-le et choisissez « Enregistrer sous… » au format ODF (.odt)."
    if path.stat().st_size > MAX_TEMPLATE_BYTES:
        raise TemplateError(
            f"{path} est trop lourd pour un gabarit ({path.stat().st_size // (1024 * 1024)} Mio).",
            "Réduisez les images du gabarit (Outils › Compresser l'image dans LibreOffice).",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise TemplateError(f"{path} n'est pas un document OpenDocument (.odt) lisible.", resave) from exc
    if unzipped := expands_too_much(entries):
        raise TemplateError(
            f"{path} se décompresse en {unzipped // (1024 * 1024)} Mio : ce n'est pas un gabarit normal, "
            "il est refusé par précaution.",
            "Reprenez le gabarit livré dans gabarits/ et refaites vos modifications.",
        )
