"""Stage 1 — load: read the YAML files of a year, keeping line numbers.

ruamel.yaml's round-trip loader keeps the position of every key and item, so
that later stages can say "fichier, ligne, colonne". It builds plain mappings,
lists and scalars only (no Python objects from tags).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

from .errors import ContentError, Problem


@dataclass
class SourceFile:
    """One loaded YAML file: its path (as shown to the user) and its data."""

    path: Path
    data: Any

    def position(self, loc: tuple[Any, ...]) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the node at ``loc`` inside ``data``.

        ``loc`` is a key path such as ``("sections", 0, "contenu", 2)``. Steps
        that do not match the data (pydantic adds union tags to its paths) are
        skipped; the position of the deepest node reached is returned.
        """
        node = self.data
        line = col = None
        if isinstance(node, CommentedMap | CommentedSeq):
            line, col = node.lc.line, node.lc.col
        for step in loc:
            if isinstance(node, CommentedMap) and step in node:
                line, col = node.lc.value(step)
                node = node[step]
            elif isinstance(node, CommentedMap) and isinstance(step, str):
                continue
            elif isinstance(node, CommentedSeq) and isinstance(step, int) and 0 <= step < len(node):
                line, col = node.lc.item(step)
                node = node[step]
            else:
                continue
        if line is None:
            return None, None
        return line + 1, col + 1

    def key_position(self, loc: tuple[Any, ...], key: str) -> tuple[int | None, int | None]:
        """Position of ``key`` itself in the mapping found at ``loc``."""
        node = self.data
        for step in loc:
            in_map = isinstance(node, CommentedMap) and step in node
            in_seq = isinstance(node, CommentedSeq) and isinstance(step, int) and 0 <= step < len(node)
            if in_map or in_seq:
                node = node[step]
        if isinstance(node, CommentedMap) and key in node:
            line, col = node.lc.key(key)
            return line + 1, col + 1
        return self.position(loc)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def _syntax_problem(path: Path, exc: MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    problem = (exc.problem or "").strip()
    if isinstance(exc, DuplicateKeyError):
        key = problem.split('"')[1] if '"' in problem else problem
        message = (
            f"la clé « {key} » apparaît deux fois dans la même rubrique ; "
            "gardez-en une seule (la seconde effacerait la première)."
        )
    elif "\\t" in problem or (mark and _char_at(text, mark.index) == "\t"):
        message = (
            "tabulation trouvée : le YAML n'accepte que des espaces pour l'indentation ; "
            "remplacez la tabulation par des espaces."
        )
    elif "mapping values are not allowed" in problem:
        message = "un « : » suivi d'une espace se trouve au milieu d'un texte ; mettez ce texte entre guillemets."
    elif "could not find expected ':'" in problem:
        message = "une ligne n'a pas la forme « clé: valeur » ; vérifiez l'indentation et les deux-points."
    elif "or ']'" in problem:
        message = "un crochet « [ » ouvert n'est jamais refermé par « ] »."
    elif "or '}'" in problem:
        message = (
            "une accolade « { » ouverte n'est jamais refermée par « } » "
            "(pour un texte qui commence par « { », mettez-le entre guillemets)."
        )
    elif "found unexpected end of stream" in problem or "found unexpected end" in problem:
        message = "un guillemet ou un crochet ouvert n'est jamais refermé."
    elif "did not find expected" in problem or "expected <block end>" in problem:
        message = (
            "l'indentation ou la ponctuation est incohérente à cet endroit "
            "(un tiret, un crochet ou des guillemets mal placés)."
        )
    else:
        message = (
            "le YAML est mal formé à cet endroit ; vérifiez les guillemets, les deux-points "
            "et l'indentation de cette ligne et de la précédente."
        )
    return Problem(path, message, line, column)


def _char_at(text: str, index: int) -> str:
    return text[index] if 0 <= index < len(text) else ""


def load_file(path: Path, shown_as: Path | None = None) -> SourceFile:
    """Load one YAML file; raise :class:`ContentError` with its position if unreadable."""
    shown = shown_as or path
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError([Problem(shown, f"le fichier ne peut pas être lu ({exc.strerror}).")]) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(
            [
                Problem(
                    shown,
                    "le fichier n'est pas enregistré en UTF-8 ; dans votre éditeur, "
                    "choisissez « Enregistrer sous… » avec l'encodage UTF-8.",
                    line,
                )
            ]
        ) from exc
    text = text.removeprefix("\ufeff")
    try:
        data = _yaml().load(text)
    except MarkedYAMLError as exc:
        raise ContentError([_syntax_problem(shown, exc, text)]) from exc
    if data is None:
        raise ContentError([Problem(shown, "le fichier est vide ; il doit contenir des rubriques « clé: valeur ».")])
    if not isinstance(data, CommentedMap):
        raise ContentError(
            [
                Problem(
                    shown,
                    "le fichier doit commencer par des rubriques « clé: valeur », pas par une liste ou un texte.",
                    1,
                    1,
                )
            ]
        )
    _refuse_tags(shown, data)
    return SourceFile(shown, data)


def _refuse_tags(path: Path, node: Any) -> None:
    """Explicit YAML tags (``!!python/…``) have no place in content: refuse them by name."""
    children: list[tuple[Any, tuple[int, int] | None]] = []
    if isinstance(node, CommentedMap):
        children = [(value, node.lc.value(key)) for key, value in node.items()]
    elif isinstance(node, CommentedSeq):
        children = [(value, node.lc.item(index)) for index, value in enumerate(node)]
    for child, (line, col) in children:
        tag_object = getattr(child, "tag", None)
        tag = getattr(tag_object, "value", None)
        if tag:
            tag = f"{tag_object.handle or ''}{tag_object.suffix}" if getattr(tag_object, "suffix", None) else tag
            raise ContentError(
                [
                    Problem(
                        path,
                        f"la balise « {tag} » n'est pas permise ; retirez-la (les contenus ne contiennent que "
                        "du texte, des nombres, des listes et des rubriques).",
                        line + 1,
                        col + 1,
                    )
                ]
            )
        _refuse_tags(path, child)


def load_year(folder: Path, base: Path | None = None) -> dict[str, SourceFile]:
    """Load every ``*.yaml`` file of a year folder, keyed by file stem.

    All unreadable files are reported together. Paths are shown relative to
    ``base`` (the project folder) when given.
    """
    files: dict[str, SourceFile] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        shown = path.relative_to(base) if base and path.is_relative_to(base) else path
        try:
            files[path.stem] = load_file(path, shown)
        except ContentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ContentError(problems)
    return files
