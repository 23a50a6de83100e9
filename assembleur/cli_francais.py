"""Click's help pages and usage errors in French, for :mod:`assembleur.cli`.

Typer (through its copy of Click) writes its help headings, its additions to an
option's help (« [default: …] ») and its usage errors in English; the command
line shows them in French, with the exit code of a usage error.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

import typer
from typer import _click as click  # Typer's own copy of Click, the one the CLI is made of
from typer._click import exceptions as click_errors

# Click's fixed English words in help pages, and their French.
_HELP_WORDS = {
    "Arguments": "Arguments",
    "Options": "Options",
    "Commands": "Commandes",
    "Show this message and exit.": "Affiche cette aide.",
}
_HELP_ADDITIONS = {"[default: ": "[par défaut : ", "; required]": "; obligatoire]", "[required]": "[obligatoire]"}


class HelpFormatter(click.HelpFormatter):
    """Click's help layout, in French."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = re.sub(r"\{([^{}]+)\}", r"\1", args)  # Typer writes a required argument {ANNEE}
        super().write_usage(prog, args, "Utilisation : " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HELP_WORDS.get(heading, heading)} :\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        # an argument's row shows its Python type (« ANNEE <str> »): its name says enough
        rows = [(re.sub(r" <[^<>]+>$", "", term), french_help(text)) for term, text in rows]
        super().write_dl(rows, col_max, col_spacing)


def french_help(text: str) -> str:
    """An option's help with Click's additions in French: « Show this message… », « [default: …] »."""
    text = _HELP_WORDS.get(text, text)
    for english, french in _HELP_ADDITIONS.items():
        text = text.replace(english, french)
    return text


class Context(typer.Context):
    """Typer's context, with the help laid out in French."""

    formatter_class = HelpFormatter


def usage_message(exc: click_errors.UsageError) -> str:
    """A wrong command line, said in French."""
    if isinstance(exc, click_errors.NoSuchOption):
        near = f" ; vouliez-vous dire {' ou '.join(exc.possibilities)} ?" if exc.possibilities else "."
        return f"L'option {exc.option_name} n'existe pas{near}"
    if isinstance(exc, click_errors.BadOptionUsage):
        if "does not take a value" in exc.message:
            return f"L'option {exc.option_name} ne prend pas de valeur."
        return f"L'option {exc.option_name} demande une valeur."
    if isinstance(exc, click_errors.MissingParameter) and exc.param is not None:
        if exc.param.param_type_name == "argument":
            return f"Il manque l'argument {exc.param.human_readable_name.upper()}."
        return f"Il manque l'option {exc.param.opts[0]}."
    if isinstance(exc, click_errors.BadParameter) and exc.param is not None:
        name = exc.param.opts[0] if exc.param.param_type_name == "option" else exc.param.human_readable_name.upper()
        return f"Valeur incorrecte pour {name} : {bad_value(exc)}."
    if match := re.fullmatch(r"Got unexpected extra argument\(s\) \((.*)\)", exc.message):
        return f"Argument en trop : {match[1]}."
    if exc.message == "Missing command.":
        return "Il manque la commande."
    return exc.message  # assembleur's own (resolve_command), already French


def bad_value(exc: click_errors.BadParameter) -> str:
    """What is wrong with a value Click could not convert (« 'abc' is not a valid int. »)."""
    match = re.fullmatch(r"(?s)(['\"].*['\"]) is not a valid (\w+)\.", exc.message)
    if match is None:
        return "valeur illisible"
    value, kind = ast.literal_eval(match[1]), match[2]  # Click shows the value as Python's repr
    wanted = {"int": "un nombre entier", "float": "un nombre"}
    return f"« {value} » n'est pas {wanted[kind]}" if kind in wanted else f"« {value} » ne convient pas"
