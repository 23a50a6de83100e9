"""The ``assembleur`` program: served by the warm tool when it runs, else LibreOffice launched first.

A command is first handed to the warm tool (:mod:`.warm`), which has the
modules loaded already. Run here instead, a command that converts documents
launches the warm converters before anything else, without waiting for them
(reading the command line, with Typer and its copy of Click, takes a tenth
of a second, and a build waits for LibreOffice to start), then reads its
command line (:mod:`.cli`), and leaves a warm tool for the next commands.
"""

from __future__ import annotations

import sys

from . import warm

CONVERTING = ("dossier", "deliberation", "comparer")  # and « rapport --pdf »; not « deliberation ajouter »


def main() -> None:
    """Entry point of the ``assembleur`` console script and of ``python -m assembleur``."""
    arguments = sys.argv[1:]
    code = warm.forward(arguments)
    if code is not None:
        sys.exit(code)
    if warm.served(arguments):
        import atexit

        atexit.register(warm.start)  # run by the command's exit (see cli._leave), once its files are written
    run(arguments)


def run(arguments: list[str]) -> None:
    """Run the command line in this process (the warm tool's child calls this too)."""
    if converts(arguments):
        from .pdf import convert

        convert.warm_up()
    from .cli import main as run_cli

    run_cli()


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
