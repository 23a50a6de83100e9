"""Watch mode: a save triggers a rebuild, reported in one line."""

from __future__ import annotations

from pathlib import Path

from assembleur.fabrication import build, surveillance
from assembleur.project import Year

from .aides import edit


def watch_one_change(projet: Path, change, options: build.BuildOptions | None = None) -> list[str]:
    """Watch the project while ``change`` is made once; return the lines reported."""
    year = Year(projet, 2019)
    lines: list[str] = []
    rounds = iter(range(10))

    def keep_going() -> bool:
        turn = next(rounds)
        if turn == 1:
            change()
        return not lines and turn < 9

    surveillance.watch(
        year,
        lambda: build.build_rapport(year, year.outputs, options=options)[1],
        lines.append,
        keep_going,
        interval=0.05,
    )
    return lines


def test_a_save_rebuilds_and_says_what_changed_and_where(projet: Path, contenus: Path) -> None:
    lines = watch_one_change(
        projet,
        lambda: edit(contenus / "rapport.yaml", "  nom: Eric EDOUARD", "  nom: Éric EDOUARD"),
        build.BuildOptions(apercu=True),
    )
    assert lines == ["contenus/2019/rapport.yaml modifié → sortie/2019/rapport-politique-de-la-ville-2019-apercu.docx"]


def test_a_broken_save_is_reported_and_the_watch_goes_on(projet: Path, contenus: Path) -> None:
    lines = watch_one_change(projet, lambda: edit(contenus / "rapport.yaml", "annee: 2019", "annee: deux mille"))
    assert lines == ["contenus/2019/rapport.yaml modifié : 1 erreur dans les contenus :"]


def test_the_preview_is_replaced_not_multiplied(projet: Path, cli) -> None:
    options = build.BuildOptions(apercu=True)
    year = Year(projet, 2019)
    build.build_rapport(year, year.outputs, options=options)
    build.build_rapport(year, year.outputs, options=options)
    assert sorted(p.name for p in year.outputs.glob("rapport-*")) == ["rapport-politique-de-la-ville-2019-apercu.docx"]
