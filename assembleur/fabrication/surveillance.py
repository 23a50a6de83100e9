"""Watch mode: rebuild the rapport whenever a content file or a template is saved."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from ..errors import AssembleurError
from ..project import Year


def snapshot(year: Year) -> dict[Path, int]:
    """Modification times of the files a rapport is made from."""
    files = [*year.contents.glob("*.yaml"), *year.templates.glob("*.docx"), *year.templates.glob("*.odt")]
    stamps = {}
    for path in files:
        try:
            stamps[path] = path.stat().st_mtime_ns
        except FileNotFoundError:  # saved by an editor that replaces the file: seen next round
            continue
    return stamps


def changed(before: dict[Path, int], after: dict[Path, int]) -> list[Path]:
    """Files added, removed or modified between two snapshots."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def watch(
    year: Year,
    rebuild: Callable[[], list[Path]],
    report: Callable[[str], None],
    keep_going: Callable[[], bool] = lambda: True,
    interval: float = 0.5,
) -> None:
    """Call ``rebuild`` after each change and ``report`` one line: what changed and where the new file is.

    A build that fails reports its error and the watch goes on: the next save
    may fix it.
    """
    seen = snapshot(year)
    while keep_going():
        time.sleep(interval)
        now = snapshot(year)
        modified = changed(seen, now)
        if not modified:
            continue
        seen = now
        names = ", ".join(year.shown(path).as_posix() for path in modified)
        try:
            written = rebuild()
        except AssembleurError as exc:
            report(f"{names} modifié : {exc.message.splitlines()[0]}")
            continue
        documents = [path for path in written if path.suffix in (".pdf", ".docx", ".odt")]
        report(f"{names} modifié → {year.shown(documents[-1]).as_posix()}")
