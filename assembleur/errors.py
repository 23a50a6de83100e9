"""The one family of exceptions of assembleur.

Every failure the user can meet is an :class:`AssembleurError`: it carries a
French message that names the file and says what to do, and the exit code the
command line returns. The CLI catches them in one place (``cli.main``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_USER_FILES = 1  # a problem in the user's files (YAML, template, scan)
EXIT_ENVIRONMENT = 2  # a problem with the machine (LibreOffice, folders, disk)


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

    exit_code = EXIT_USER_FILES

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


class ProjectError(AssembleurError):
    """The project folder or the requested year cannot be found."""


class TemplateError(AssembleurError):
    """A template (gabarit) cannot be read or rendered."""


class EnvironmentProblem(AssembleurError):
    """Something is wrong with the machine rather than with the user's files."""

    exit_code = EXIT_ENVIRONMENT


class LibreOfficeMissing(EnvironmentProblem):
    """LibreOffice (or its Python bridge, UNO) cannot be found."""


class ConversionError(EnvironmentProblem):
    """LibreOffice failed, crashed or timed out while converting a document."""


class OutputError(EnvironmentProblem):
    """An output file or folder cannot be written."""
