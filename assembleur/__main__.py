"""The ``assembleur`` program: LibreOffice launched before the command line is even read.

Reading the command line (Typer and its copy of Click) takes a tenth
of a second, and a build waits for LibreOffice to start: a command that
converts documents launches the warm converters first, without waiting for
them, then reads its command line (:mod:`.cli`). A projet found unchanged
leaves them ready for the next build.
"""

from __future__ import annotations

import sys

CONVERTING = ("dossier", "deliberation", "comparer")  # and « rapport --pdf »; not « deliberation ajouter »


def main() -> None:
    """Entry point of the ``assembleur`` console script and of ``python -m assembleur``."""
    if converts(sys.argv[1:]):
        from .pdf import convert

        convert.warm_up()
    from .cli import main as run

    run()


def converts(arguments: list[str]) -> bool:
    """Will this command line convert documents with LibreOffice (help asked aside)?"""
    words = [word for word in arguments if word != "--debug"]
    if not words or "--help" in words or "-h" in words:
        return False
    command, rest = words[0], words[1:]
    if command == "rapport":
        return "--pdf" in rest
    if command == "deliberation":
        return not rest or rest[0] != "ajouter"
    return command in CONVERTING


if __name__ == "__main__":
    main()
