"""The atelier's background work: builds started from the page, and the preview rebuilt on each save.

Builds run in a thread and call the same functions as the command line,
under the same lock: a build from the terminal and one from the page cannot
overlap. Each stage, each end of build and each new preview is an event that
the pages receive live (server-sent events).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import plantage
from ..errors import AssembleurError, Problem, ProblemsError
from ..fabrication import build, freshness, surveillance, verification, versions
from ..fabrication.options import BuildOptions
from ..project import Year


@dataclass
class Outcome:
    """How the last build from the page ended."""

    version: str
    ok: bool
    message: str
    problems: list[Problem] = field(default_factory=list)
    advice: str = ""
    files: list[str] = field(default_factory=list)  # relative to sortie/<année>/


@dataclass(frozen=True)
class Event:
    number: int
    kind: str  # "etape", "fin" or "apercu"
    data: str


class Workshop:
    """The state shared by the pages: the running build, its stage, the last outcome, the events."""

    def __init__(self, year: Year) -> None:
        self.year = year
        self.running: str | None = None  # the version being built
        self.stage: str = ""
        self.outcome: Outcome | None = None
        self.preview_note: str = ""
        self._events: list[Event] = []
        self._lock = threading.Lock()
        # one build at a time inside the atelier: a click waits for a preview being rebuilt, not refused
        self._serial = threading.Lock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self._builder: threading.Thread | None = None

    # --- events ----------------------------------------------------------------------

    def emit(self, kind: str, data: str = "") -> None:
        with self._lock:
            number = self._events[-1].number + 1 if self._events else 1
            self._events.append(Event(number, kind, data))
            del self._events[:-200]  # a page only needs the recent ones

    def events_after(self, number: int) -> list[Event]:
        with self._lock:
            return [event for event in self._events if event.number > number]

    def last_event(self) -> int:
        with self._lock:
            return self._events[-1].number if self._events else 0

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def building(self) -> bool:
        """Is a build (from the page, or of the preview) running or waiting?"""
        return self.running is not None or self._serial.locked()

    @property
    def stopped(self) -> threading.Event:
        """Set when the atelier stops: background loops end on it."""
        return self._stopping

    # --- builds from the page --------------------------------------------------------

    def start(self, version: str) -> bool:
        """Start building ``version`` (projet or definitif) in the background; False if one is running."""
        with self._lock:
            if self.running is not None:
                return False
            self.running, self.stage = version, ""
        self._builder = threading.Thread(target=self._build, args=(version,), name="fabrication", daemon=True)
        self._builder.start()
        return True

    def _progress(self, stage: str) -> None:
        self.stage = stage
        self.emit("etape", stage)

    def _build(self, version: str) -> None:
        try:
            with self._serial:
                outcome = self._run(version)
        except ProblemsError as exc:
            title = exc.message.splitlines()[0].rstrip(" :")
            outcome = Outcome(version, False, title, list(exc.problems), exc.advice)
        except AssembleurError as exc:
            outcome = Outcome(version, False, exc.message, advice=exc.advice)
        except Exception as exc:  # the page must always learn how the build ended, in the command line's words
            log = plantage.write_log(exc, f"atelier {self.year.annee} : fabrication {version}", self.year.root)
            shown = log.relative_to(self.year.root) if log and log.is_relative_to(self.year.root) else log
            first, *rest = plantage.message(exc, log, shown)
            outcome = Outcome(version, False, first, advice=" ".join(rest))
        with self._lock:
            self.outcome, self.running, self.stage = outcome, None, ""
        self.emit("fin", "ok" if outcome.ok else "refus")
        self.emit("apercu")

    def _run(self, version: str) -> Outcome:
        year, folder = self.year, self.year.outputs
        # the @ctes folder is built around the signed délibération: once it is registered, not before the vote
        final = version == versions.DEFINITIF
        options = BuildOptions(version=version, actes=final and verification.act_registered(verification.check(year)))
        reused = freshness.unchanged_projet(year, folder, options, options.record("dossier"))
        if reused is not None:  # as the command line: an unchanged projet is taken up, not duplicated
            same = reused[1]
            return Outcome(
                version, True, verification.unchanged_message(same), files=[_relative(path, folder) for path in same]
            )
        _, written = build.build_dossier(year, folder, options, progress=self._progress)
        manifest = next(path for path in written if path.name.startswith(f"manifeste-{year.annee}-"))
        label = manifest.stem.removeprefix(f"manifeste-{year.annee}-")  # projet-v3: named as the build named it
        what = (
            "Version définitive"
            if version == versions.DEFINITIF
            else f"Version projet {label.removeprefix(versions.PROJET + '-')}"
        )
        return Outcome(version, True, f"{what} fabriquée.", files=[_relative(path, folder) for path in written])

    # --- the preview, rebuilt on each save (the logic of « rapport --surveiller ») ----

    def watch(self) -> None:
        """Start watching the content files and templates in a background thread."""
        self._watcher = threading.Thread(target=self._watch, name="surveillance", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        surveillance.watch(
            self.year,
            self._rebuild_preview,
            self._preview_report,
            keep_going=lambda: not self._stopping.is_set(),
            interval=0.1,  # a stat of some twenty files: the preview starts at most 0.1 s after a save
        )

    def _rebuild_preview(self) -> list[Path]:
        with self._serial:  # after a build from the page, if one is running
            _, written = build.build_dossier(self.year, self.year.outputs, BuildOptions(apercu=True))
        return written

    def _preview_report(self, line: str) -> None:
        self.preview_note = line
        self.emit("apercu", line)

    def interrupt(self, say: Callable[[str], None] = lambda line: None) -> None:
        """Ctrl+C was pressed: stop watching, and say so at once if a build is under way (it will be let finish)."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._builder is not None and self._builder.is_alive():
            say("Une fabrication est en cours : l'atelier s'arrête dès qu'elle est finie (Ctrl+C pour l'abandonner).")

    def stop(self, say: Callable[[str], None] = lambda line: None) -> None:
        """Stop watching; a build under way is let finish, so that it leaves neither lock nor staging folder."""
        self.interrupt(say)
        if self._builder is not None:
            self._builder.join()
        if self._watcher is not None:
            self._watcher.join()


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name
