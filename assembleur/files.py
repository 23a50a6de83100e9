"""Safe writing: every output goes to a temporary file, renamed into place when complete.

A failed build therefore leaves earlier outputs exactly as they were, and no
half-written file. A lock stops two builds of the same year from running at
once.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import socket
import stat
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from .errors import BuildLocked, OutputError

REASONS = {
    errno.ENOSPC: "le disque est plein",
    errno.EDQUOT: "le quota d'espace disque est atteint",
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.EROFS: "le disque est en lecture seule",
    errno.ENOTDIR: "un élément du chemin est un fichier, pas un dossier",
    errno.EEXIST: "un fichier de ce nom existe déjà",
    errno.ENAMETOOLONG: "le nom est trop long",
}


def sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def reason(exc: OSError) -> str:
    """The cause of a system error, in French."""
    return REASONS.get(exc.errno or 0, exc.strerror or exc.__class__.__name__)


def ensure_folder(folder: Path) -> Path:
    """Create ``folder`` if needed; a French error if it cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"Le dossier de sortie {folder} ne peut pas être créé ({reason(exc)}).",
            "Choisissez un autre dossier avec --sortie, ou vérifiez vos droits d'écriture.",
        ) from exc
    if not os.access(folder, os.W_OK):
        raise OutputError(
            f"Le dossier de sortie {folder} n'est pas accessible en écriture.",
            "Choisissez un autre dossier avec --sortie, ou vérifiez vos droits d'écriture.",
        )
    return folder


def created_file_mode(folder: Path) -> int:
    """The permission bits a file newly created in ``folder`` gets: the user's umask, the folder's default ACL.

    Found by creating one, rather than by reading the umask: ``os.umask`` can
    only be read by changing it, for every thread of the process at once.
    """
    probe = folder / f".assembleur-droits-{uuid.uuid4().hex}"
    handle = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    try:
        return stat.S_IMODE(os.fstat(handle).st_mode)
    finally:
        os.close(handle)
        probe.unlink()


def give_created_file_mode(paths: list[Path], folder: Path) -> None:
    """Give ``paths`` the mode of a file newly created in ``folder``.

    Temporary files are created 0600, and LibreOffice writes with the umask of
    the command that started it: published files must all be readable as the
    user's other files are (colleagues on a shared drive).
    """
    try:
        mode = created_file_mode(folder)
        for path in paths:
            os.chmod(path, mode)
    except OSError as exc:
        raise OutputError(
            f"Les droits des fichiers de {folder} n'ont pas pu être réglés ({reason(exc)}).",
            "Vérifiez les droits du dossier, puis relancez.",
        ) from exc


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success, with the usual mode."""
    ensure_folder(target.parent)
    # the real extension last: LibreOffice chooses its export filter by it
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".partiel{target.suffix}", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, created_file_mode(target.parent))  # not mkstemp's 0600
        os.replace(temporary, target)
    except OSError as exc:
        advice = (
            "Libérez de la place sur le disque, puis relancez : les fichiers déjà produits n'ont pas été modifiés."
            if exc.errno in (errno.ENOSPC, errno.EDQUOT)
            else "Vérifiez les droits du dossier, puis relancez."
        )
        raise OutputError(f"Le fichier {target} n'a pas pu être écrit ({reason(exc)}).", advice) from exc
    finally:
        temporary.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def build_lock(path: Path, what: str) -> Iterator[None]:
    """Hold the lock file ``path`` for the time of a build; refuse if another live build holds it.

    The file says who holds it (process, machine, command), so that the
    message can name the other build. A lock left by a build that died is
    taken over.
    """
    ensure_folder(path.parent)
    me = {"pid": os.getpid(), "machine": socket.gethostname(), "commande": what}
    for _ in range(2):
        try:
            handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                other = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                other = {}
            same_machine = other.get("machine") == me["machine"]
            if same_machine and isinstance(other.get("pid"), int) and not _alive(other["pid"]):
                path.unlink(missing_ok=True)  # left by a build that died
                continue
            raise BuildLocked(
                f"Une autre fabrication est en cours : « {other.get('commande', '?')} » "
                f"(processus {other.get('pid', '?')} sur {other.get('machine', '?')}).",
                f"Attendez qu'elle se termine, puis relancez. Si aucune ne tourne plus, supprimez {path}.",
            ) from None
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(me, stream)
        break
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
