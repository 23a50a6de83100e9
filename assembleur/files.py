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
import io
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

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:  # Linux, macOS
    msvcrt = None  # type: ignore[assignment]

REASONS = {
    errno.ENOSPC: "le disque est plein",
    errno.EDQUOT: "le quota d'espace disque est atteint",
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.EROFS: "le disque est en lecture seule",
    errno.ENOTDIR: "un élément du chemin est un fichier, pas un dossier",
    errno.EEXIST: "un fichier de ce nom existe déjà",
    errno.ENAMETOOLONG: "le nom est trop long",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EISDIR: "c'est un dossier, pas un fichier",
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
    temporary = write_temporary(data, path.parent, f".{path.name}.", ".partiel")
    try:
        with contextlib.suppress(OSError):  # a file of someone else's keeps mkstemp's mode rather than fail
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_temporary(data: bytes, folder: Path, prefix: str, suffix: str) -> Path:
    """``data`` in a new hidden file of ``folder``, flushed to the disk; nothing is left if it cannot be written.

    In the folder of its final place, so that renaming it there is atomic.
    Raises :class:`OSError`: the caller says what could not be done.
    """
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:  # half a file is never left behind, whatever stopped the writing
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def place_new(temporary: Path, target: Path, attempts: int = 99) -> Path | None:
    """Rename ``temporary`` to ``target``, or ``<stem>-2<suffix>``… if taken: never over an existing file.

    The name is reserved first (created exclusively), so that a file that
    appears meanwhile is not replaced either. None when ``attempts`` names
    are all taken. Raises :class:`OSError`.
    """
    for number in range(1, attempts + 1):
        candidate = target if number == 1 else target.with_name(f"{target.stem}-{number}{target.suffix}")
        try:
            os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            continue
        try:
            os.replace(temporary, candidate)
        except OSError:
            candidate.unlink(missing_ok=True)  # the reservation goes with the failure
            raise
        return candidate
    return None


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


class FileLock:
    """An exclusive lock on the file ``path``, held by one process (and one thread) at a time.

    flock (msvcrt on Windows) is released by the system when its holder dies:
    a killed build blocks no one. Where neither exists, there is no lock. The
    lock is on the file the path names when it is taken: a holder may remove
    the file before releasing it (see :meth:`release`).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: io.BufferedRandom | None = None

    def acquire(self, wait: float = 0) -> bool:
        """Take the lock, waiting at most ``wait`` seconds for its holder; whether it was taken."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait
        file = self.path.open("a+b")
        while True:
            try:
                _lock(file)
            except OSError:  # held by another: BlockingIOError (flock), PermissionError (msvcrt)
                if time.monotonic() >= deadline:
                    file.close()
                    return False
                time.sleep(0.02)
                continue
            if _same_file(file, self.path):
                self._file = file
                return True
            file.close()  # removed by its holder while this one waited: the lock is on the file now at the path
            file = self.path.open("a+b")

    def release(self, remove: bool = False) -> None:
        """Let the lock go; with ``remove``, the lock file goes first (emptied where it cannot be removed).

        Removed while still held: another process that opened it meanwhile
        sees that it is gone, and locks the new file at ``path`` instead.
        """
        file, self._file = self._file, None
        if file is None:
            return
        if remove:
            try:
                self.path.unlink()
            except OSError:  # Windows: an open file cannot be removed; no holder is named in it any more
                with contextlib.suppress(OSError):
                    file.truncate(0)
        if fcntl is None and msvcrt is not None:
            with contextlib.suppress(OSError):
                file.seek(WINDOWS_LOCKED_BYTE)
                msvcrt.locking(file.fileno(), msvcrt.LK_UNLCK, 1)
        file.close()  # releases a flock too

    def write(self, text: str) -> None:
        """Replace the contents of the lock file, which the lock holds, by ``text`` (who holds it)."""
        assert self._file is not None, "the lock is not held"
        self._file.truncate(0)
        self._file.write(text.encode("utf-8"))
        self._file.flush()

    @contextlib.contextmanager
    def holding(self, wait: float, refusal: Exception) -> Iterator[FileLock]:
        """Hold the lock for the block, waiting at most ``wait`` seconds; raise ``refusal`` if it stays taken."""
        if not self.acquire(wait):
            raise refusal
        try:
            yield self
        finally:
            self.release()


# msvcrt locks a range of bytes, which no other process may then read: the lock is far beyond what the
# file holds (who holds it), as in uno_convert.py
WINDOWS_LOCKED_BYTE = 1 << 30


def _lock(file: io.BufferedRandom) -> None:
    """Lock ``file`` exclusively, or raise :class:`OSError` at once."""
    if fcntl is not None:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    elif msvcrt is not None:
        file.seek(WINDOWS_LOCKED_BYTE)
        msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)


def _same_file(file: io.BufferedRandom, path: Path) -> bool:
    """Is the open ``file`` still the one at ``path`` (not removed, nor replaced)?"""
    try:
        return os.path.samestat(os.fstat(file.fileno()), path.stat())
    except OSError:
        return False


def _holder(path: Path) -> dict:
    """Who holds the build lock ``path``, as its file says: process, start, machine, command ({} if unknown)."""
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _may_be_running(holder: dict) -> bool:
    """May the build ``holder`` names still run (one of another machine, or one that locks by the file alone)?"""
    if "pid" not in holder:
        return False  # an empty lock file: released where it could not be removed
    if holder.get("machine") != socket.gethostname() or not isinstance(holder["pid"], int):
        return True  # cannot be told from here
    return process_running(holder["pid"], holder.get("debut"))


@contextlib.contextmanager
def build_lock(path: Path, what: str) -> Iterator[None]:
    """Hold the lock file ``path`` for the time of a build; refuse if another live build holds it.

    The file says who holds it (process, machine, command), so that the
    message can name the other build. A lock left by a build that died is
    taken over. A build that only wrote the file (an earlier assembleur, or
    another machine's, whose lock this machine may not see) holds it too.
    """
    ensure_folder(path.parent)
    lock = FileLock(path)
    taken = lock.acquire(0)
    holder = _holder(path)
    if taken and not _may_be_running(holder):  # free, or left by a build that died
        try:
            me = {"pid": os.getpid(), "debut": _start_time(os.getpid()) or "", "machine": socket.gethostname()}
            lock.write(json.dumps({**me, "commande": what}))
            yield
        finally:
            lock.release(remove=True)
        return
    lock.release()
    raise BuildLocked(
        f"Une autre fabrication est en cours : « {holder.get('commande', '?')} » "
        f"(processus {holder.get('pid', '?')} sur {holder.get('machine', '?')}).",
        f"Attendez qu'elle se termine, puis relancez. Si aucune ne tourne plus, supprimez {path}.",
    )
