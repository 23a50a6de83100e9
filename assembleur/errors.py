"""The one family of exceptions of assembleur.

Every failure the user can meet is an :class:`AssembleurError`: it carries a
French message that names the file and says what to do, and the exit code the
command line returns. The CLI catches them in one place (``cli._Commands``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """The exit codes of the command line (documented in docs/reference.md, « Les codes de sortie »)."""

    SUCCESS = 0
    USER_FILES = 1  # a problem in the user's files (YAML, template, scan)
    ENVIRONMENT = 2  # a problem with the machine (LibreOffice, folders, disk)
    USAGE = 64  # a wrong command line: EX_USAGE of sysexits.h (Click's own 2 is taken by the machine)
    CRASH = 70  # an unexpected error, a defect of assembleur: EX_SOFTWARE of sysexits.h
    INTERRUPTED = 130  # Ctrl+C: 128 + SIGINT, as the shells report it


@dataclass(frozen=True)
class Problem:
    """One problem found in a user's file, with its position when known."""

    file: Path | None
    message: str
    line: int | None = None
    column: int | None = None
    path: str = ""

    def location(self) -> str:
        """French description of where the problem is: file, line, column."""
        parts = [str(self.file)] if self.file else []
        if self.line is not None:
            parts.append(f"ligne {self.line}")
        if self.column is not None:
            parts.append(f"colonne {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        path = f" [{self.path}]" if self.path else ""
        return f"{where}{path} : {self.message}" if where else f"{self.message}{path}"


class AssembleurError(Exception):
    """Base of every error assembleur reports to the user."""

    exit_code: ExitCode = ExitCode.USER_FILES

    def __init__(self, message: str, advice: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.advice = advice

    def __str__(self) -> str:
        return f"{self.message}\n{self.advice}" if self.advice else self.message


class ProblemsError(AssembleurError):
    """Several problems in the user's files, all listed in one message."""

    where = "les fichiers"
    advice_text = "Corrigez ces points dans les fichiers indiqués, puis relancez « assembleur verifier »."

    def __init__(self, problems: list[Problem], advice: str = "") -> None:
        self.problems = problems
        count = len(problems)
        title = f"1 erreur dans {self.where}" if count == 1 else f"{count} erreurs dans {self.where}"
        body = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"{title} :\n{body}", " ".join(filter(None, [advice, self.advice_text])))


class ContentError(ProblemsError):
    """The YAML content has one or more problems; all of them are listed."""

    where = "les contenus"


class AnnexError(ProblemsError):
    """One or more scanned avis cannot be used; nothing was written."""

    where = "les avis scannés"
    advice_text = "Corrigez ces fichiers dans le dossier des annexes, puis relancez. Aucun fichier n'a été produit."

    def __init__(self, problems: list[Problem], advice: str = "", where: str | None = None) -> None:
        if where:  # another scan than the avis: « la délibération signée »
            self.where = where
        super().__init__(problems, advice)


class ManifestMismatch(ProblemsError):
    """Delivered files differ from their manifest."""

    where = "les fichiers livrés"
    advice_text = "Ces fichiers ont changé depuis leur fabrication : refabriquez-les ou retrouvez les originaux."


class ManifestUnreadable(ManifestMismatch):
    """The file given as a manifest is not one assembleur wrote (or is beyond its limits)."""

    where = "le manifeste"
    advice_text = (
        "Donnez le manifeste qu'assembleur a écrit avec les fichiers livrés (manifeste-<année>-<version>.json), "
        "sans le modifier."
    )


class TemplateProblems(ProblemsError):
    """Templates use data the content does not have."""

    where = "les gabarits"
    advice_text = (
        "Corrigez ces balises dans les gabarits indiqués (les données disponibles sont listées dans docs/reference.md)."
    )


class FinalRefused(ProblemsError):
    """A définitif cannot be made: missing avis, or a projet marker left in the documents."""

    where = "le dossier définitif"
    advice_text = "Rien n'a été écrit. Corrigez ces points, ou fabriquez une version projet (option par défaut)."


class SpreadsheetError(AssembleurError):
    """A spreadsheet given to import cannot be read: not a spreadsheet, encrypted, too large, no header found."""


class ImportRefused(ProblemsError):
    """Rows of an imported spreadsheet are refused; all of them are listed and nothing was written."""

    where = "le tableau"
    advice_text = "Rien n'a été écrit. Corrigez ces lignes dans le tableau (ou dans les contenus), puis relancez."


class ActesProblems(ProblemsError):
    """What the @ctes package needs and the content does not give: identity, number, classification."""

    where = "le dossier @ctes"
    advice_text = "Rien n'a été écrit. Corrigez ces points dans les fichiers indiqués, puis relancez."


class FinalExists(AssembleurError):
    """A définitif already exists and --remplacer was not given."""


class ActesError(AssembleurError):
    """The package for the Préfecture cannot be made as asked."""


class VersionProblem(AssembleurError):
    """A version to compare is unknown, missing its files, or alone."""


class UsageProblem(AssembleurError):
    """The command line asks for something that cannot be: an unknown value, options that exclude each other."""

    exit_code: ExitCode = ExitCode.USAGE


class ProjectError(AssembleurError):
    """The project folder or the requested year cannot be found."""


class TemplateError(AssembleurError):
    """A template (gabarit) cannot be read or rendered."""


class EnvironmentProblem(AssembleurError):
    """Something is wrong with the machine rather than with the user's files."""

    exit_code: ExitCode = ExitCode.ENVIRONMENT


class LibreOfficeMissing(EnvironmentProblem):
    """LibreOffice (or its Python bridge, UNO) cannot be found."""


class ConversionError(EnvironmentProblem):
    """LibreOffice failed, crashed or timed out while converting a document."""


class OutputError(EnvironmentProblem):
    """An output file or folder cannot be written."""


class BuildLocked(EnvironmentProblem):
    """Another build of the same year is running."""


class OcrError(EnvironmentProblem):
    """OCRmyPDF or Tesseract's French data is missing, or OCR failed."""


# A ValueError, not an AssembleurError: raised inside the content model's validators, where pydantic
# turns it into one problem of a ContentError, with the file and line of the value.
class ValueFormatError(ValueError):
    """A typed value (amount, percentage, date) cannot be read; the message is French and user-facing."""


class RegistrationError(AssembleurError):
    """A scan (avis, contribution, signed act) cannot be registered; nothing was changed.

    ``field`` names the atelier's form field at fault, for the message to stand beside it.
    """

    def __init__(self, message: str, advice: str = "", field: str = "") -> None:
        super().__init__(message, advice)
        self.field = field


class RegistrationFailed(RegistrationError):
    """The machine could not store the scan (disk full, rights): nothing was changed."""

    exit_code: ExitCode = ExitCode.ENVIRONMENT
