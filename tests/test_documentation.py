"""The documentation stays true: every ``assembleur …`` command it shows exists, with the options shown.

Commands are read from README.md and docs/*.md, in code blocks (a line that
starts with ``assembleur``) and in inline code (a span that starts with
``assembleur``). Each is split as a shell would (French quotes « … » hold one
value) and walked through the real Click command tree of :data:`assembleur.cli.app`:
the sub-commands must exist, every option must belong to the command reached,
and the positional values must fit its arguments. Words in capitals
(``ANNEE``, ``FICHIER``, ``JJ/MM/AAAA``), ``<…>`` and ``…`` are values to
replace. A few examples that are quick and safe are also run in a copy of the
frozen project.
"""

from __future__ import annotations

import functools
import re
import shlex
from pathlib import Path

import pytest
import typer.main
from typer import _click as click  # Typer's own copy of Click, the one the CLI is made of
from typer.core import TyperArgument, TyperGroup, TyperOption

from assembleur.cli import app

from .aides import REPO

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^(```|~~~)")
INLINE = re.compile(r"`([^`]+)`")
FRENCH_QUOTED = re.compile(r"«\s*([^«»]*?)\s*»")
PLACEHOLDER = re.compile(r"^(\.\.\.|…|<[^<>]+>|[A-Z][A-Z0-9_/-]*)$")
# run in a copy of the frozen project when shown with concrete values: quick, and they write nothing outside it
RUNNABLE = {("verifier",), ("avis", "etat"), ("nouveau",), ("schema",)}


def shown_commands(text: str) -> list[str]:
    """Every ``assembleur …`` command in a Markdown text: code-block lines, then inline code spans."""
    commands: list[str] = []
    prose: list[str] = []
    in_block = False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            in_block = not in_block
            continue
        if in_block:
            command = re.sub(r"\s+#.*$", "", line.strip().removeprefix("$ "))  # its comment
            if command == "assembleur" or command.startswith("assembleur "):
                commands.append(command)
        else:
            prose.append(line)
    for span in INLINE.findall("\n".join(prose).replace("\n", " ")):
        span = " ".join(span.split())
        if span == "assembleur" or span.startswith("assembleur "):
            commands.append(span)
    return commands


def _words(command: str) -> list[str]:
    """The command split as a shell would; « … » is one value; brackets of optional parts dropped."""
    command = FRENCH_QUOTED.sub(lambda m: shlex.quote(m[1] or "NOM"), command)
    words = shlex.split(command, comments=True)
    return [w.strip("[]") for w in words if w.strip("[]")]


@functools.cache
def _root() -> click.Command:
    """The CLI as Click sees it (made once: Typer builds it anew at each call)."""
    return typer.main.get_command(app)


def _option(command: click.Command, name: str) -> click.Parameter | None:
    for param in command.get_params(click.Context(command)):
        if isinstance(param, TyperOption) and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def check_command(command: str) -> tuple[tuple[str, ...], list[str], str | None]:
    """Walk ``command`` through the CLI: (its command path, its positional values, the problem or None)."""
    try:
        words = _words(command)
    except ValueError as exc:
        return (), [], f"ligne illisible ({exc})"
    current: click.Command = _root()
    path: list[str] = []
    words = words[1:]  # « assembleur »
    while isinstance(current, TyperGroup):
        while words and words[0].startswith("-"):  # the options of a group (--debug, --help)
            name = words.pop(0).split("=", 1)[0]
            if _option(current, name) is None:
                return tuple(path), [], f"l'option {name} n'existe pas pour « {' '.join(['assembleur', *path])} »"
        if words and words[0] in current.commands:
            name = words.pop(0)
        elif getattr(current, "default", ""):  # « assembleur avis 2019 » is « assembleur avis etat 2019 »
            name = current.default
        elif not words or words[0] in ("…", "..."):
            return tuple(path), [], None
        else:
            return (
                tuple(path),
                [],
                f"la commande « {words[0]} » n'existe pas sous « {' '.join(['assembleur', *path])} »",
            )
        path.append(name)
        current = current.commands[name]
    values: list[str] = []
    while words:
        word = words.pop(0)
        if word in ("…", "..."):
            continue
        if not word.startswith("-") or word == "-":
            values.append(word)
            continue
        name, _, attached = word.partition("=")
        option = _option(current, name)
        if option is None:
            return tuple(path), values, f"l'option {name} n'existe pas pour « {' '.join(['assembleur', *path])} »"
        if not (option.is_flag or option.count) and not attached:
            if not words:
                return tuple(path), values, f"l'option {name} demande une valeur"
            words.pop(0)
    arguments = [p for p in current.params if isinstance(p, TyperArgument)]
    if all(a.nargs >= 0 for a in arguments) and len(values) > sum(a.nargs for a in arguments):
        return tuple(path), values, f"trop d'arguments ({len(values)}) pour « {' '.join(['assembleur', *path])} »"
    return tuple(path), values, None


def _command(path: tuple[str, ...]) -> click.Command:
    command = _root()
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


def problems_in(text: str) -> list[str]:
    """Each command of ``text`` that the CLI would refuse, with why."""
    found = []
    for command in shown_commands(text):
        problem = check_command(command)[2]
        if problem:
            found.append(f"{command} : {problem}")
    return found


def all_commands() -> dict[str, Path]:
    return {command: path for path in DOCUMENTS for command in shown_commands(path.read_text(encoding="utf-8"))}


def test_every_command_shown_in_the_documentation_exists_with_its_options() -> None:
    problems = [
        f"{path.relative_to(REPO)} : {problem}"
        for path in DOCUMENTS
        for problem in problems_in(path.read_text(encoding="utf-8"))
    ]
    assert problems == []


def test_the_documentation_shows_at_least_thirty_commands() -> None:
    commands = all_commands()
    assert len(commands) >= 30, sorted(commands)
    # every command of the CLI is shown somewhere
    shown = {check_command(command)[0] for command in commands}
    root = _root()
    every = {
        (name, *((sub,) if isinstance(command, TyperGroup) else ()))
        for name, command in root.commands.items()
        for sub in (command.commands if isinstance(command, TyperGroup) else [""])
    }
    assert every - shown == set()


def test_the_reference_names_every_option_of_every_command() -> None:
    reference = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")

    def options(command: click.Command, path: str) -> list[tuple[str, str]]:
        found = [(path, o) for p in command.params if isinstance(p, TyperOption) for o in p.opts]
        for name, sub in getattr(command, "commands", {}).items():
            found += options(sub, f"{path} {name}")
        return found

    missing = [
        f"{path} {option}"
        for path, option in options(_root(), "assembleur")
        if not re.search(rf"{re.escape(option)}(?![\w-])", reference)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("assembleur dossier 2019 --versoin definitif", "l'option --versoin n'existe pas pour « assembleur dossier »"),
        ("assembleur verifier 2019 --pdf", "l'option --pdf n'existe pas pour « assembleur verifier »"),
        ("assembleur avis ajouter scan.pdf --organime Auchel", "l'option --organime n'existe pas"),
        (
            "assembleur convertisseur demarrer",
            "la commande « demarrer » n'existe pas sous « assembleur convertisseur »",
        ),
        ("assembleur raport 2019", "la commande « raport » n'existe pas sous « assembleur »"),
        ("assembleur nouveau 2020 2021", "trop d'arguments (2) pour « assembleur nouveau »"),
        ("assembleur dossier --sortie", "l'option --sortie demande une valeur"),
        ("assembleur --debogage dossier", "l'option --debogage n'existe pas pour « assembleur »"),
    ],
)
def test_a_renamed_option_or_command_in_a_document_is_caught(line: str, problem: str) -> None:
    for text in (f"```sh\n{line}   # un exemple\n```\n", f"Tapez `{line}` puis relancez.\n"):
        found = problems_in(text)
        assert len(found) == 1 and problem in found[0], found


def test_placeholders_defaults_and_french_quotes_are_understood() -> None:
    text = (
        "`assembleur avis [ANNEE]`, `assembleur deliberation 2019`, "
        "`assembleur avis ajouter FICHIER --organisme « NOM » --seance JJ/MM/AAAA [--sens SENS] [ANNEE]`, "
        '`assembleur dossier 2019 --limite-actes=200 --sans-avis "Auchel" --sans-avis Barlin`, '
        "`assembleur --debug dossier 2019`, `assembleur cache --help`, `assembleur …`\n"
    )
    assert problems_in(text) == []
    assert check_command("assembleur avis 2019")[:2] == (("avis", "etat"), ["2019"])
    assert check_command("assembleur deliberation ajouter scan.pdf --numero 1 --seance 15/12/2020 2019")[:2] == (
        ("deliberation", "ajouter"),
        ["scan.pdf", "2019"],
    )


def _runnable() -> list[str]:
    examples = []
    for command in all_commands():
        path, values, problem = check_command(command)
        concrete = not any(PLACEHOLDER.match(word) for word in _words(command)[1:] if not word.startswith("-"))
        year_2019 = path == ("nouveau",) or all(value == "2019" for value in values)
        complete = len(values) >= len([p for p in _command(path).params if isinstance(p, TyperArgument) and p.required])
        needs_a_build = "--manifeste" in command or "--help" in command
        if problem is None and path in RUNNABLE and concrete and year_2019 and complete and not needs_a_build:
            examples.append(command)
    return sorted(examples)


def test_the_quick_examples_are_found() -> None:
    assert {"assembleur verifier 2019", "assembleur avis 2019", "assembleur nouveau 2020"} <= set(_runnable())


@pytest.mark.parametrize("command", _runnable())
def test_the_quick_examples_run_in_a_copy_of_the_frozen_project(command: str, projet: Path, cli) -> None:
    result = cli(*_words(command)[1:])
    assert result.exit_code == 0, f"{command}\n{result.stderr}"


# --- the atelier's « Aide »: the pages of docs/, as shipped in the package ------------------


def _help_maker():
    """``outils/fabriquer_aide.py``, the tool that renders docs/ for the atelier (outils/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fabriquer_aide", REPO / "outils" / "fabriquer_aide.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_help_shipped_in_the_package_is_the_documentation_of_today() -> None:
    from assembleur.atelier.app import AIDE, AIDE_PAGES

    maker = _help_maker()
    assert tuple(AIDE_PAGES) == maker.PAGES
    stale = [
        page for page in maker.PAGES if (AIDE / f"{page}.html").read_text(encoding="utf-8") != maker.rendered(page)
    ]
    assert stale == [], (
        "Relancez « .venv/bin/python outils/fabriquer_aide.py » après avoir modifié docs/, puis commitez."
    )


def test_every_link_of_the_help_leads_to_a_page_and_a_section() -> None:
    from assembleur.atelier.app import AIDE, AIDE_PAGES

    ids = {
        page: set(re.findall(r'id="([^"]+)"', (AIDE / f"{page}.html").read_text(encoding="utf-8")))
        for page in AIDE_PAGES
    }
    broken = []
    for page in AIDE_PAGES:
        for href in re.findall(r'href="([^"]+)"', (AIDE / f"{page}.html").read_text(encoding="utf-8")):
            if href.startswith("http"):
                continue
            target, _, anchor = (
                href.removeprefix("/aide/").partition("#") if href.startswith("/aide/") else (page, "", href[1:])
            )
            if target not in ids or (anchor and anchor not in ids[target]):
                broken.append(f"{page} : {href}")
    assert broken == []
    # the links the atelier's pages make: one per page (header), one per section of « L'année »
    templates = " ".join(p.read_text(encoding="utf-8") for p in (REPO / "assembleur/atelier/templates").glob("*.html"))
    sections = set(re.findall(r"\{% block aide %\}([a-z-]+)\{% endblock %\}", templates))
    sections |= set(re.findall(r'aide\("([a-z-]+)"', templates))
    assert (
        {"atelier", "avis", "apercu", "contenus", "consultation", "definitif", "comparer"} <= sections <= ids["guide"]
    )


def test_a_heading_gets_the_id_github_gives_it_and_links_to_other_files_keep_their_words() -> None:
    maker = _help_maker()
    assert maker.slug("`avis.yaml`") == "avisyaml"
    assert maker.slug("Texte : la mise en forme légère") == "texte--la-mise-en-forme-légère"
    page = maker.render(
        '## <a id="avis"></a>6. Avis\n\nVoir [le README](../README.md) et [la référence](reference.md#limites).\n'
    )
    assert '<h2><a id="avis"></a>6. Avis</h2>' in page
    assert 'Voir le README et <a href="/aide/reference#limites">la référence</a>.' in page
