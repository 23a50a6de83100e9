"""Safe writing: every output goes to a temporary file, renamed into place when complete.

A failed build therefore leaves earlier outputs exactly as they were, and no
half-written file. A lock stops two builds of the same year from running at
once. A build's staging folder is named after its process (machine, process
number and start time), so that the folder of a build killed mid-way is
recognised, and removed, by the next build or by ``assembleur cache vider``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import socket
import stat
import tempfile
import time
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


def replace_contents(path: Path, data: bytes) -> None:
    """Replace the contents of the existing file ``path`` by ``data`` atomically, keeping its permissions.

    A temporary file beside it is renamed onto it: a reader sees the old
    contents or the new, never half of them. Raises :class:`OSError`: the
    caller says what could not be done.
    """
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partiel", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        with contextlib.suppress(OSError):  # a file of someone else's keeps mkstemp's mode rather than fail
            os.chmod(name, stat.S_IMODE(path.stat().st_mode))
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)


STAGING_PREFIX = ".assembleur-en-cours-"
# A staging folder named the old way (before its owner was written in its name) is abandoned after this time.
UNNAMED_STAGING_SECONDS = 24 * 3600


def _start_time(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc); "" if it is gone or a zombie.

    None where there is no /proc (not Linux): the start time is then unknown.
    """
    try:
        line = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None if not Path("/proc/self/stat").exists() else ""
    except OSError:
        return None
    fields = line[line.rfind(")") + 2 :].split()  # the name, in parentheses, may hold spaces
    if len(fields) < 20 or fields[0] in ("Z", "X"):  # a killed build not yet reaped by its parent is dead
        return ""
    return fields[19]


def process_running(pid: int, start: str | None = None) -> bool:
    """Whether process ``pid`` of this machine still runs, and is the one that started at ``start`` if given.

    The start time tells a process from a later one that got the same number.
    """
    current = _start_time(pid)
    if current is not None:
        return current != "" and (not start or current == start)
    try:  # no /proc: the kernel only says whether the number is in use
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _machine() -> str:
    """A short tag of this machine's name (an output folder may be shared between machines)."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def staging_folder(folder: Path) -> Path:
    """A new staging folder inside ``folder``, named after this process: machine, number, start time."""
    pid = os.getpid()
    owner = f"{_machine()}-{pid}-{_start_time(pid) or 0}-"
    return Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{owner}", dir=folder))


def _abandoned(staging: Path) -> bool:
    """Whether the build that made ``staging`` is no longer running (never true for another machine's)."""
    owner = staging.name.removeprefix(STAGING_PREFIX).split("-")
    if len(owner) < 4:  # named before the owner was: a build lasts minutes, not a day
        try:
            return time.time() - staging.stat().st_mtime > UNNAMED_STAGING_SECONDS
        except OSError:
            return False
    machine, pid, start = owner[0], owner[1], owner[2]
    if machine != _machine() or not pid.isdigit():
        return False
    return not process_running(int(pid), "" if start == "0" else start)


def remove_abandoned_stagings(folder: Path) -> list[Path]:
    """Remove the staging folders of ``folder`` whose build is no longer running; return them.

    With them go what LibreOffice left inside when the build was killed (its
    ``.~lock.*#`` lock files and ``lu*.tmp`` temporary files). A folder whose
    build still runs is never touched.
    """
    removed = []
    for staging in sorted(folder.glob(f"{STAGING_PREFIX}*")):
        if staging.is_dir() and not staging.is_symlink() and _abandoned(staging):
            for _ in range(3):  # LibreOffice may still be writing there for the killed build: try again
                shutil.rmtree(staging, ignore_errors=True)
                if not staging.exists():
                    removed.append(staging)
                    break
                time.sleep(0.2)
    return removed


@contextlib.contextmanager
def build_lock(path: Path, what: str) -> Iterator[None]:
    """Hold the lock file ``path`` for the time of a build; refuse if another live build holds it.

    The file says who holds it (process, machine, command), so that the
    message can name the other build. A lock left by a build that died is
    taken over.
    """
    ensure_folder(path.parent)
    me = {
        "pid": os.getpid(),
        "debut": _start_time(os.getpid()) or "",
        "machine": socket.gethostname(),
        "commande": what,
    }
    for _ in range(2):
        try:
            handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                other = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                other = {}
            same_machine = other.get("machine") == me["machine"]
            if (
                same_machine
                and isinstance(other.get("pid"), int)
                and not process_running(other["pid"], other.get("debut"))
            ):
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
