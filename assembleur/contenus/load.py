"""Stage 1 — load: read the YAML files of a year, keeping line numbers.

Every mapping, list, key and item keeps where it starts in the file
(:class:`YamlMap`, :class:`YamlList`), so that later stages can say "fichier,
ligne, colonne". The data are plain mappings, lists and scalars: no Python
objects from tags.

Two paths, one result. ruamel.yaml's round-trip loader (pure Python) is the
reference: its data, and the French messages made from its errors. But it
takes a quarter of a second for a year, on the critical path of every build,
so each file is first read from the events of libyaml (the C parser of
``ruamel.yaml.clib``) by a builder that makes the same data with the same
positions, many times faster. Whatever that builder cannot be sure to read
like the reference — a syntax error, a duplicate key, a tag, a merge key, a
directive, an empty value, a tab — it leaves to the round-trip loader, which
gives today's data or today's message.

Every file is read within bounded time and memory (the bounds are in
:mod:`assembleur.limites`): its size is checked before it is read, and its
depth, number of values, longest text and anchors are counted on the parser's
events as they come, before anything is built — by the fast path, and by a
scan of the pure-Python parser's events before the round-trip loader ever
sees the text. Anchors and aliases (``&x``, ``*x``) are refused: no content
needs them, and an alias of aliases expands exponentially (« billion laughs »)
in every stage that walks the data.
"""

from __future__ import annotations

import datetime
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from ..errors import ContentError, Problem
from ..limites import (
    MAX_CONTENT_BYTES,
    MAX_CONTENT_DEPTH,
    MAX_CONTENT_FILES,
    MAX_CONTENT_ITEMS,
    MAX_TEXT_CHARS,
)

try:
    from ruamel.yaml.cyaml import CSafeLoader as _CLoader
except ImportError:  # ruamel.yaml.clib missing (no wheel for this platform): the round-trip path alone
    _CLoader = None

_TEXT = "tag:yaml.org,2002:str"
# Characters on which libyaml and ruamel.yaml's own parser disagree: libyaml takes a tab as a space almost
# anywhere, where ruamel refuses it outside quotes (the French message about tabs comes from there); the
# YAML 1.1 line breaks (NEL, LS, PS) are not counted the same way; a byte order mark inside the text takes
# a column for libyaml, none for ruamel.
_DISPUTED = ("\t", "\x85", "\u2028", "\u2029", "\ufeff")


class YamlMap(dict):
    """A mapping read from YAML, with where it starts and where each key and its value start.

    ``start`` is (line, column) and ``places[key]`` is (key line, key column,
    value line, value column), all counted from 0 as the YAML parsers do.
    """

    __slots__ = ("places", "start")

    def __init__(self, start: tuple[int, int]) -> None:
        super().__init__()
        self.start = start
        self.places: dict[Any, tuple[int, int, int, int]] = {}


class YamlList(list):
    """A list read from YAML, with where it starts and where each item starts (0-based line, column)."""

    __slots__ = ("places", "start")

    def __init__(self, start: tuple[int, int]) -> None:
        super().__init__()
        self.start = start
        self.places: list[tuple[int, int]] = []


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
        if isinstance(node, YamlMap | YamlList):
            line, col = node.start
        for step in loc:
            if isinstance(node, YamlMap) and step in node:
                _, _, line, col = node.places[step]
                node = node[step]
            elif isinstance(node, YamlList) and isinstance(step, int) and 0 <= step < len(node):
                line, col = node.places[step]
                node = node[step]
        if line is None:
            return None, None
        return line + 1, col + 1

    def key_position(self, loc: tuple[Any, ...], key: str) -> tuple[int | None, int | None]:
        """Position of ``key`` itself in the mapping found at ``loc``."""
        node = self.data
        for step in loc:
            in_map = isinstance(node, YamlMap) and step in node
            in_seq = isinstance(node, YamlList) and isinstance(step, int) and 0 <= step < len(node)
            if in_map or in_seq:
                node = node[step]
        if isinstance(node, YamlMap) and key in node:
            line, col, _, _ = node.places[key]
            return line + 1, col + 1
        return self.position(loc)


def round_trip() -> YAML:
    """ruamel.yaml's round-trip reader and writer, set to the layout of the shipped content files.

    The one setting for every program that writes them back (``nouveau``,
    the registration of scans) and for this loader (:func:`_reader`): quotes
    kept, lists indented under their key, a long line never re-wrapped, a
    repeated key refused.
    """
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _reader() -> YAML:
    """:func:`round_trip` for reading only: quotes not kept, the data is plain ``str`` as the fast path gives."""
    yaml = round_trip()
    yaml.preserve_quotes = False
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
        raw = _read_bounded(path, shown)
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
        data = _load_fast(text)
        if data is None:
            _check_events(text)  # before the round-trip loader builds anything
            data = _load_round_trip(shown, text)
    except _Refused as refused:
        line, column = (refused.mark.line + 1, refused.mark.column + 1) if refused.mark else (None, None)
        raise ContentError([Problem(shown, refused.message, line, column)]) from None
    _refuse_invisible_characters(shown, data)
    return SourceFile(shown, data)


def _read_bounded(path: Path, shown: Path) -> bytes:
    """The bytes of ``path``, refused before reading when it is not a plain file or too large to be content."""
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):  # a pipe or a device would be read forever
        raise ContentError([Problem(shown, "ce n'est pas un fichier ordinaire ; remplacez-le par un fichier texte.")])
    with path.open("rb") as handle:
        raw = handle.read(MAX_CONTENT_BYTES + 1)  # the file may grow after stat()
    if len(raw) > MAX_CONTENT_BYTES:
        raise ContentError(
            [
                Problem(
                    shown,
                    f"le fichier pèse plus de {MAX_CONTENT_BYTES // 1_000_000} Mo, bien plus qu'un contenu "
                    "(les plus gros font moins de 100 Ko) ; vérifiez que c'est le bon fichier, "
                    "ou qu'un texte collé n'y a pas été répété.",
                )
            ]
        )
    return raw


class _Refused(Exception):
    """A file refused by a bound or an anchor, on whichever path reads it; ``mark`` is where (0-based)."""

    def __init__(self, message: str, mark: Any = None) -> None:
        super().__init__(message)
        self.message, self.mark = message, mark


def _too_deep(mark: Any) -> _Refused:
    return _Refused(
        f"les listes et rubriques s'imbriquent ici sur plus de {MAX_CONTENT_DEPTH} niveaux, ce qui n'est pas un "
        "contenu normal ; vérifiez l'indentation et les crochets à partir de cette ligne.",
        mark,
    )


def _too_many(mark: Any) -> _Refused:
    return _Refused(
        f"le fichier compte plus de {MAX_CONTENT_ITEMS} valeurs (un contenu réel en compte moins de 2 000) ; "
        "vérifiez que c'est le bon fichier, ou qu'un bloc collé n'y a pas été répété.",
        mark,
    )


def _too_long(event: Any) -> _Refused:
    return _Refused(
        f"ce texte compte {len(event.value)} caractères, plus que les {MAX_TEXT_CHARS} permis (une dizaine de "
        "pages) ; découpez-le en plusieurs paragraphes, et vérifiez qu'un guillemet n'est pas resté ouvert.",
        event.start_mark,
    )


def _anchored(event: Any) -> _Refused:
    if type(event) is AliasEvent:
        what = f"« *{event.anchor} » renvoie à une ancre YAML"
    else:
        what = f"« &{event.anchor} » est une ancre YAML"
    return _Refused(
        f"{what} : les ancres et renvois (« & », « * ») ne sont pas acceptés dans les contenus ; recopiez le texte "
        "à chaque endroit voulu, ou mettez entre guillemets un texte qui commence par « & » ou « * ».",
        event.start_mark,
    )


def _check_events(text: str) -> None:
    """Count depth, values and text lengths, and refuse anchors, on the events of ruamel.yaml's own parser.

    The round-trip loader builds nothing before this has passed. Its parser is
    the same as the loader's: a syntax error ends the count, and the loader
    then gives its message for it.
    """
    depth = items = 0
    try:
        for event in _reader().parse(text):
            kind = type(event)
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                depth -= 1
                continue
            if kind is AliasEvent or getattr(event, "anchor", None) is not None:
                raise _anchored(event)
            if kind is ScalarEvent:
                items += 1
                if len(event.value) > MAX_TEXT_CHARS:
                    raise _too_long(event)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                items += 1
                depth += 1
                if depth > MAX_CONTENT_DEPTH:
                    raise _too_deep(event.start_mark)
            if items > MAX_CONTENT_ITEMS:
                raise _too_many(event.start_mark)
    except YAMLError:  # a syntax error or a forbidden character
        return


# Characters a Word or OpenDocument file cannot hold (XML 1.0); YAML lets them in through escapes such as "\x01".
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _refuse_invisible_characters(shown: Path, data: YamlMap) -> None:
    """Refuse control characters in any key or text, each at its place: a document could not hold them."""
    problems = []
    pending: list[YamlMap | YamlList] = [data]
    while pending:
        node = pending.pop()
        if isinstance(node, YamlMap):
            entries = [(key, key_line, key_column) for key, (key_line, key_column, _, _) in node.places.items()]
            entries += [(node[key], line, column) for key, (_, _, line, column) in node.places.items()]
        else:
            entries = [(item, line, column) for item, (line, column) in zip(node, node.places, strict=True)]
        for value, line, column in entries:
            if isinstance(value, YamlMap | YamlList):
                pending.append(value)
            elif isinstance(value, str) and (found := _NOT_IN_XML.search(value)):
                problems.append(
                    Problem(
                        shown,
                        f"le texte contient un caractère invisible interdit dans un document "
                        f"(U+{ord(found[0]):04X}, souvent venu d'un copier-coller) ; retirez-le.",
                        line + 1,
                        column + 1,
                    )
                )
    if problems:
        raise ContentError(sorted(problems, key=lambda problem: (problem.line or 0, problem.column or 0)))


def _load_fast(text: str) -> YamlMap | None:
    """The data of ``text`` read through libyaml, or None to leave the text to :func:`_load_round_trip`.

    Besides the cases it declines, any exception (a syntax error, a constructor
    that fails on an odd scalar) sends the text to the round-trip loader, so that
    the user gets exactly what that loader has always given.
    """
    if _CLoader is None or any(char in text for char in _DISPUTED):
        return None
    parser = _CLoader(text)
    try:
        return _build(parser.get_event)
    except _Refused:
        raise
    except Exception:
        return None
    finally:
        parser.dispose()


class _Declined(Exception):
    """Something the fast path leaves to the round-trip loader.

    Kept here, not in errors.py: it is no error and never leaves this module (``_fast_load``
    turns it into "use the round-trip loader"); it is the control flow of one algorithm.
    """


def _build(next_event: Callable[[], Any]) -> YamlMap:
    """Build the data from the parser's events, as the round-trip loader builds them from its nodes.

    Events rather than libyaml's composed nodes: the composer recurses in C and
    overflows the stack on absurdly nested input, where this loop only counts.
    The bounds are checked as the events come (:class:`_Refused`).
    """
    next_event()  # the start of the stream
    document = next_event()
    if type(document) is not DocumentStartEvent or document.version or document.tags:
        raise _Declined  # empty; or a directive (%YAML 1.1 changes what yes and 012 mean)
    scalar = _scalar_builder()
    event = next_event()
    if type(event) is not MappingStartEvent or event.tag is not None:
        raise _Declined  # not a mapping: the round-trip loader says what is expected
    if event.anchor is not None:
        raise _anchored(event)
    mark = event.start_mark
    root = node = YamlMap((mark.line, mark.column))
    enclosing: list[Any] = []
    items = 1
    key: Any = _NO_KEY
    key_line = key_column = 0
    while True:
        event = next_event()
        kind = type(event)
        if kind is MappingEndEvent or kind is SequenceEndEvent:
            if not enclosing:
                break
            node, key = enclosing.pop(), _NO_KEY  # its pending key got this collection as value
            continue
        if event.anchor is not None:
            raise _anchored(event)  # an anchor or an alias
        if event.tag is not None:
            raise _Declined  # tags are refused by name: left to the reference
        mark = event.start_mark
        items += 1
        if items > MAX_CONTENT_ITEMS:
            raise _too_many(mark)
        if kind is ScalarEvent:
            if len(event.value) > MAX_TEXT_CHARS:
                raise _too_long(event)
            value, collection = scalar(event), None
        elif kind is MappingStartEvent:
            value = collection = YamlMap((mark.line, mark.column))
        elif kind is SequenceStartEvent:
            value = collection = YamlList((mark.line, mark.column))
        else:
            raise _Declined  # no other event inside a document
        if type(node) is YamlMap:
            if key is _NO_KEY:
                if collection is not None or value in node:
                    raise _Declined  # a list or mapping as key; a duplicate key, worded by the reference
                key, key_line, key_column = value, mark.line, mark.column
                continue
            node[key] = value
            node.places[key] = (key_line, key_column, mark.line, mark.column)
            key = _NO_KEY
        else:
            node.append(value)
            node.places.append((mark.line, mark.column))
        if collection is not None:
            if len(enclosing) >= MAX_CONTENT_DEPTH - 1:  # the root mapping is the first level
                raise _too_deep(mark)
            enclosing.append(node)
            node = collection
    if type(next_event()) is not DocumentEndEvent or type(next_event()) is not StreamEndEvent:
        raise _Declined  # a second document
    return root


_NO_KEY = object()  # a mapping waiting for its next key (None is a valid key: ``~: x``)


@cache
def _scalar_builder() -> Callable[[Any], Any]:
    """A function making the value of a scalar event, with the round-trip loader's rules and types.

    Plain scalars are resolved with the YAML 1.2 rules the round-trip loader
    applies (``yes`` stays text, ``2019-06-30`` is a date); numbers, booleans,
    nulls and dates are made by that loader's own constructors (which keep no
    state between scalars), so that types and values are the same on both paths.
    """
    implicit = VersionedResolver(version=(1, 2)).versioned_resolver  # first character → (tag, pattern)
    constructor = _reader().constructor
    constructors: dict[str, Callable[[ScalarNode], Any]] = {
        "tag:yaml.org,2002:int": constructor.construct_yaml_int,
        "tag:yaml.org,2002:float": constructor.construct_yaml_float,
        "tag:yaml.org,2002:bool": constructor.construct_yaml_sbool,
        "tag:yaml.org,2002:null": constructor.construct_yaml_null,
        "tag:yaml.org,2002:timestamp": constructor.construct_yaml_timestamp,
    }

    def build(event: Any) -> Any:
        value = event.value
        if not event.implicit[0]:  # quoted or block: always text
            style = event.style
            if style == "|":
                return LiteralScalarString(value)
            if style == ">":
                return FoldedScalarString(value)
            return value
        if not value:
            raise _Declined  # an empty value: ruamel places it at the next token, libyaml just after « : »
        tag = _TEXT
        for candidate, pattern in implicit.get(value[:1], ()):
            if pattern.match(value):
                tag = candidate
                break
        if tag == _TEXT:
            return value
        if tag not in constructors:
            raise _Declined  # a merge key « << » or a value key « = »
        return constructors[tag](ScalarNode(tag, value, event.start_mark, event.end_mark))

    return build


def _load_round_trip(shown: Path, text: str) -> YamlMap:
    """Load ``text`` with ruamel.yaml's round-trip loader, the reference for data and messages."""
    try:
        data = _reader().load(text)
        if data is None:
            raise ContentError(
                [Problem(shown, "le fichier est vide ; il doit contenir des rubriques « clé: valeur ».")]
            )
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
        return _placed(data, {})
    except ContentError:
        raise
    except MarkedYAMLError as exc:
        raise ContentError([_syntax_problem(shown, exc, text)]) from exc
    except RecursionError as exc:
        raise ContentError(
            [
                Problem(
                    shown, "les rubriques sont imbriquées trop profondément ; le fichier n'est pas un contenu normal."
                )
            ]
        ) from exc
    except Exception as exc:  # ruamel fails plainly on odd content: a 13th month, « 0x_ », a merge key, « !!omap »…
        if impossible := _impossible_date(text):
            value, line, column = impossible
            raise ContentError(
                [
                    Problem(
                        shown, f"la date « {value} » n'existe pas ; écrivez une date réelle (AAAA-MM-JJ).", line, column
                    )
                ]
            ) from exc
        raise ContentError(
            [
                Problem(
                    shown,
                    "une valeur ne peut pas être lue ; vérifiez les dates (AAAA-MM-JJ) et les nombres, et mettez "
                    f"entre guillemets un texte qui commence par « ! », « & », « * » ou « << » (détail : {exc}).",
                )
            ]
        ) from exc


_DATE = re.compile(r"(?<![\w.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w.:-])")


def _impossible_date(text: str) -> tuple[str, int, int] | None:
    """The first date-like value that is no real date (« 2019-02-30 »), with its line and column (1-based)."""
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _DATE.finditer(line):
            try:
                datetime.date(*map(int, match.groups()))
            except ValueError:
                return match[0], number, match.start() + 1
    return None


def _placed(node: Any, done: dict[int, Any]) -> Any:
    """The round-trip loader's data with its positions moved to :class:`YamlMap` and :class:`YamlList`.

    ``done`` keeps one copy per object: an alias stays one shared object, and a
    thousand aliases of aliases cost a thousand steps, not 2**1000.
    """
    if not isinstance(node, CommentedMap | CommentedSeq):
        return node
    if id(node) in done:
        return done[id(node)]
    if isinstance(node, CommentedMap):
        mapping = done[id(node)] = YamlMap((node.lc.line, node.lc.col))
        for key, value in node.items():
            mapping[key] = _placed(value, done)
            mapping.places[key] = tuple(node.lc.data[key])
        return mapping
    items = done[id(node)] = YamlList((node.lc.line, node.lc.col))
    for index, value in enumerate(node):
        items.append(_placed(value, done))
        items.places.append(tuple(node.lc.data[index]))
    return items


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
    paths = sorted(folder.glob("*.yaml"))
    if len(paths) > MAX_CONTENT_FILES:
        shown = folder.relative_to(base) if base and folder.is_relative_to(base) else folder
        raise ContentError(
            [
                Problem(
                    shown,
                    f"le dossier compte {len(paths)} fichiers .yaml, plus que les {MAX_CONTENT_FILES} permis ; "
                    "rangez ailleurs ceux qui ne sont pas des contenus de l'année.",
                )
            ]
        )
    for path in paths:
        shown = path.relative_to(base) if base and path.is_relative_to(base) else path
        try:
            files[path.stem] = load_file(path, shown)
        except ContentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ContentError(problems)
    return files
