"""Safe writing: every output goes to a temporary file, renamed into place when complete.

A failed build therefore leaves earlier outputs exactly as they were, and no
half-written file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError


def ensure_folder(folder: Path) -> Path:
    """Create ``folder`` if needed; a French error if it cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"Le dossier de sortie {folder} ne peut pas être créé ({exc.strerror}).",
            "Choisissez un autre dossier avec --sortie, ou vérifiez vos droits d'écriture.",
        ) from exc
    if not os.access(folder, os.W_OK):
        raise OutputError(
            f"Le dossier de sortie {folder} n'est pas accessible en écriture.",
            "Choisissez un autre dossier avec --sortie, ou vérifiez vos droits d'écriture.",
        )
    return folder


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success."""
    ensure_folder(target.parent)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partiel", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    except OSError as exc:
        raise OutputError(
            f"Le fichier {target} n'a pas pu être écrit ({exc.strerror}).",
            "Vérifiez l'espace disque libre et les droits du dossier, puis relancez.",
        ) from exc
    finally:
        temporary.unlink(missing_ok=True)
