"""Loading YAML: every unreadable file gives its file, line, column and what to do."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from assembleur.contenus import load
from assembleur.contenus.load import SourceFile, _load_fast, _load_round_trip, _reader, load_file, load_year
from assembleur.errors import ContentError

from .aides import PROJET_FIGE


def problem_of(path: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_file(path, Path(path.name))
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


def problems_in(text: str, folder: Path) -> list[str]:
    """The problems of a file ``x.yaml`` holding ``text``; it must be refused, as a problem of the user's file."""
    path = folder / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_file(path, Path("x.yaml"))
    assert caught.value.exit_code == 1
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"titre: a\n\tb: 2\n",
            "x.yaml, ligne 2, colonne 1 : tabulation trouvée : le YAML n'accepte que des espaces "
            "pour l'indentation ; remplacez la tabulation par des espaces.",
        ),
        (
            b"titre: a\ntitre: b\n",
            "x.yaml, ligne 2, colonne 1 : la clé « titre » apparaît deux fois dans la même "
            "rubrique ; gardez-en une seule (la seconde effacerait la première).",
        ),
        (
            b"titre: Le Contrat: bilan\n",
            "x.yaml, ligne 1, colonne 18 : un « : » suivi d'une espace se trouve au milieu "
            "d'un texte ; mettez ce texte entre guillemets.",
        ),
        (b"a: [1, 2\n", "x.yaml, ligne 2, colonne 1 : un crochet « [ » ouvert n'est jamais refermé par « ] »."),
        (b'a: "abc\n', "x.yaml, ligne 2, colonne 1 : un guillemet ou un crochet ouvert n'est jamais refermé."),
        (b"", "x.yaml : le fichier est vide ; il doit contenir des rubriques « clé: valeur »."),
        (
            b"# rien que des commentaires\n",
            "x.yaml : le fichier est vide ; il doit contenir des rubriques « clé: valeur ».",
        ),
        (
            b"- a\n- b\n",
            "x.yaml, ligne 1, colonne 1 : le fichier doit commencer par des rubriques « clé: valeur », "
            "pas par une liste ou un texte.",
        ),
        (
            b"titre: ok\nnom: \xe9t\xe9\n",
            "x.yaml, ligne 2 : le fichier n'est pas enregistré en UTF-8 ; dans votre "
            "éditeur, choisissez « Enregistrer sous… » avec l'encodage UTF-8.",
        ),
    ],
    ids=[
        "tabulation",
        "cle-en-double",
        "deux-points",
        "crochet",
        "guillemet",
        "vide",
        "commentaires",
        "liste",
        "latin-1",
    ],
)
def test_unreadable_yaml_is_reported_with_its_position(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    assert problem_of(path) == message


def test_positions_are_kept_for_later_messages(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text('a: 1\nliste:\n  - premier\n  - {titre: b, code: "1.1"}\n', encoding="utf-8")
    source = load_file(path)
    assert source.position(("liste", 1)) == (4, 5)
    assert source.position(("liste", 1, "code")) == (4, 22)
    assert source.key_position(("liste", 1), "code") == (4, 16)
    assert source.position(("absent", 3)) == (1, 1)  # unknown steps: the deepest node reached


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes("\ufefftitre: Rapport\n".encode())
    assert load_file(path).data["titre"] == "Rapport"


def test_yaml_tags_build_no_python_objects(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: !!python/object/apply:os.system ['echo perdu']\n", encoding="utf-8")
    assert problem_of(path) == (
        "x.yaml, ligne 1, colonne 4 : la balise « !!python/object/apply:os.system » n'est pas permise ; "
        "retirez-la (les contenus ne contiennent que du texte, des nombres, des listes et des rubriques)."
    )


def test_every_broken_file_of_a_year_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x: [\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("x: 1\nx: 2\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("x: 1\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_year(tmp_path, base=tmp_path)
    assert [str(p.file) for p in caught.value.problems] == ["a.yaml", "b.yaml"]


# --- The two paths: the fast one (libyaml's events) must read exactly like the round-trip loader ---


def shape(value: Any) -> Any:
    """Types and values all the way down (``repr`` makes NaN equal to itself)."""
    if isinstance(value, dict):
        return ("mapping", [(shape(key), shape(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [shape(item) for item in value])
    return (type(value), repr(value))


def positions_recorded_by_ruamel(data: CommentedMap) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Every position the round-trip loader records (``.lc``), 1-based, by what and key path."""
    found = {("start",): (data.lc.line + 1, data.lc.col + 1)}

    def walk(node: Any, loc: tuple[Any, ...]) -> None:
        if isinstance(node, CommentedMap):
            for key, value in node.items():
                line, col = node.lc.key(key)
                found[("key", *loc, key)] = (line + 1, col + 1)
                line, col = node.lc.value(key)
                found[("value", *loc, key)] = (line + 1, col + 1)
                walk(value, (*loc, key))
        elif isinstance(node, CommentedSeq):
            for index, value in enumerate(node):
                line, col = node.lc.item(index)
                found[("value", *loc, index)] = (line + 1, col + 1)
                walk(value, (*loc, index))

    walk(data, ())
    return found


def positions_given_by(source: SourceFile) -> dict[tuple[Any, ...], tuple[int | None, int | None]]:
    """The same positions, as later stages ask them: ``position`` and ``key_position``."""
    found = {("start",): source.position(())}

    def walk(node: Any, loc: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                found[("key", *loc, key)] = source.key_position(loc, key)
                found[("value", *loc, key)] = source.position((*loc, key))
                walk(value, (*loc, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                found[("value", *loc, index)] = source.position((*loc, index))
                walk(value, (*loc, index))

    walk(source.data, ())
    return found


def assert_both_paths_read(text: str) -> None:
    """The fast path reads ``text``, and both paths give the round-trip loader's data and positions."""
    reference = _reader().load(text)
    fast = _load_fast(text)
    assert fast is not None, "the fast path declined a plain document"
    for data in (fast, _load_round_trip(Path("x.yaml"), text)):
        assert shape(data) == shape(reference)
        assert positions_given_by(SourceFile(Path("x.yaml"), data)) == positions_recorded_by_ruamel(reference)


@pytest.mark.parametrize(
    "path", sorted((PROJET_FIGE / "contenus").glob("*/*.yaml")), ids=lambda path: f"{path.parent.name}/{path.stem}"
)
def test_both_paths_give_the_same_data_and_positions_for_every_2019_file(path: Path) -> None:
    assert_both_paths_read(path.read_text(encoding="utf-8").removeprefix("\ufeff"))


def test_without_the_c_parser_the_round_trip_loader_alone_reads_the_year(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = load_year(PROJET_FIGE / "contenus" / "2019", base=PROJET_FIGE)
    monkeypatch.setattr(load, "_CLoader", None)
    slow = load_year(PROJET_FIGE / "contenus" / "2019", base=PROJET_FIGE)
    assert list(slow) == list(fast)
    for name, source in slow.items():
        assert source.path == fast[name].path
        assert shape(source.data) == shape(fast[name].data)
        assert positions_given_by(source) == positions_given_by(fast[name])


# Plain scalars of every kind the YAML 1.2 rules tell apart (« yes » stays text, a date is a date).
PLAIN = [
    "Béthune",
    "Évry-Courcouronnes",
    "l'été 2019",
    "5^{ème}",
    # unreadable without quotes (a « : » inside, a leading « * »): both paths must refuse them
    "« citation » : fin",
    "**gras** et *italique*",
    "1 712 989 €",
    "35,3 %",
    "yes",
    "no",
    "on",
    "null",
    "~",
    "true",
    "False",
    "12",
    "-3",
    "012",
    "0x1F",
    "0o17",
    "1_000",
    "3.14",
    "1e5",
    ".5",
    "-.inf",
    ".nan",
    "2019-06-30",
    "2019-06-30 10:00:00",
    "2020-09-29T08:30:00+02:00",
]
KEYS = ["titre", "contenu", "paragraphe", "année", "écart", "numero", "2019", "1.5", "yes", "null", "x"]
FRENCH = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"))
texts = st.text(FRENCH, max_size=30)
quoted = st.one_of(
    texts.map(lambda text: "'" + text.replace("'", "''") + "'"),
    st.text(st.one_of(FRENCH, st.just("\n")), max_size=30).map(lambda text: json.dumps(text, ensure_ascii=False)),
)
inline = st.one_of(st.sampled_from(PLAIN), quoted)
# inside [ ] or { }, a comma ends a plain scalar, and libyaml refuses a « : » in it (ruamel.yaml takes it:
# such files are declined)
in_flow = st.one_of(st.sampled_from([text for text in PLAIN if not set(text) & set(":,[]{}")]), quoted)
keys = st.one_of(st.sampled_from(KEYS), st.sampled_from(KEYS).map(lambda key: f'"{key}"'))
block = st.tuples(st.sampled_from(["|", "|-", "|+", ">", ">-"]), st.lists(st.one_of(texts, st.just("")), max_size=4))
leaves = st.one_of(
    st.tuples(st.just("scalar"), inline, st.booleans()),
    st.tuples(st.just("block"), block),
    st.tuples(st.just("flow list"), st.lists(in_flow, max_size=3)),
    st.tuples(
        st.just("flow mapping"), st.lists(st.tuples(keys, in_flow), max_size=3, unique_by=lambda kv: kv[0].strip('"'))
    ),
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.tuples(
            st.just("mapping"), st.lists(st.tuples(keys, children), max_size=4, unique_by=lambda kv: kv[0].strip('"'))
        ),
        st.tuples(st.just("list"), st.lists(children, max_size=4), st.booleans()),
    ),
    max_leaves=15,
)


def render_value(node: tuple[Any, ...], indent: int) -> tuple[str, list[str]]:
    """What follows « key: » or « - » on its line, and the lines after it."""
    kind = node[0]
    if kind == "scalar":
        return f" {node[1]}" + (" # commentaire" if node[2] else ""), []
    if kind == "block":
        indicator, lines = node[1]
        return f" {indicator}", [" " * (indent + 2) + line.lstrip(" ") if line.strip() else "" for line in lines]
    if kind == "flow list":
        return " [" + ", ".join(node[1]) + "]", []
    if kind == "flow mapping":
        return " {" + ", ".join(f"{key}: {value}" for key, value in node[1]) + "}", []
    if not node[1]:
        return (" {}" if kind == "mapping" else " []"), []
    if kind == "mapping":
        return "", render_mapping(node[1], indent + 2)
    return "", render_list(node[1], indent if node[2] else indent + 2)


def render_mapping(entries: list[tuple[str, Any]], indent: int) -> list[str]:
    lines = []
    for key, value in entries:
        head, rest = render_value(value, indent)
        lines += [f"{' ' * indent}{key}:{head}", *rest]
    return lines


def render_list(items: list[Any], indent: int) -> list[str]:
    lines = []
    for item in items:
        if item[0] in ("mapping", "list") and item[1]:  # compact form: « - titre: x » or « - - x »
            inner = render_mapping(item[1], indent + 2) if item[0] == "mapping" else render_list(item[1], indent + 2)
            lines += [f"{' ' * indent}- {inner[0].lstrip(' ')}", *inner[1:]]
        else:
            head, rest = render_value(item, indent)
            lines += [f"{' ' * indent}-{head}", *rest]
    return lines


@st.composite
def documents(draw: st.DrawFn) -> str:
    entries = draw(st.lists(st.tuples(keys, trees), min_size=1, max_size=5, unique_by=lambda kv: kv[0].strip('"')))
    end_of_line = draw(st.sampled_from(["\n", "\r\n"]))
    return end_of_line.join(["# généré", *render_mapping(entries, 0), ""])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=documents())
def test_both_paths_give_the_same_data_and_positions_for_any_document(text: str) -> None:
    try:
        _reader().load(text)
    except YAMLError:  # « *gras* » taken for an alias, « : » inside a text…
        with contextlib.suppress(load._Refused):  # …an alias is refused by name…
            assert _load_fast(text) is None  # …anything else gets the round-trip loader's message
        return
    assert_both_paths_read(text)


@pytest.mark.parametrize(
    "text",
    [
        # the unreadable files above: their messages come from the round-trip loader
        pytest.param("titre: a\n\tb: 2\n", id="tab-indentation"),
        pytest.param("titre: a\ntitre: b\n", id="duplicate"),
        pytest.param("titre: Le Contrat: bilan\n", id="colon-in-text"),
        pytest.param("a: [1, 2\n", id="open-bracket"),
        pytest.param('a: "abc\n', id="open-quote"),
        pytest.param("", id="empty"),
        pytest.param("# rien que des commentaires\n", id="comments-only"),
        pytest.param("- a\n- b\n", id="list"),
        pytest.param("a: !!python/object/apply:os.system ['echo perdu']\n", id="tag"),
        # what libyaml and ruamel.yaml could read differently, or what only the latter builds
        pytest.param("a: ! x\n", id="non-specific-tag"),
        pytest.param("!!map\na: 1\n", id="tag-on-the-document"),
        pytest.param("1: a\n01: b\n", id="keys-that-read-the-same"),
        pytest.param("a: b\tc\n", id="tab-in-text"),
        pytest.param("a: x\u2028y\n", id="line-separator"),
        pytest.param("a: x\ufeffy\n", id="byte-order-mark-inside"),
        pytest.param("a: <<\n", id="merge-as-value"),
        pytest.param("%YAML 1.1\n---\na: yes\n", id="yaml-1.1"),
        pytest.param("a:\nb: 1\n", id="empty-value"),
        pytest.param("? [x]\n: 1\n", id="list-as-key"),
        pytest.param("a: 1\n---\nb: 2\n", id="two-documents"),
        pytest.param("a: 2019-13-45\n", id="impossible-date"),
        pytest.param("a: [10:00]\n", id="colon-in-flow"),
    ],
)
def test_anything_unusual_is_left_to_the_round_trip_loader(text: str) -> None:
    assert _load_fast(text) is None


def test_unusual_but_valid_files_read_as_they_always_have(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("%YAML 1.1\n---\na: yes\nb: [1, 2]\nc: 012\nd:\n", encoding="utf-8")
    source = load_file(path)
    assert source.data == {"a": True, "b": [1, 2], "c": 10, "d": None}
    assert source.position(("b", 1)) == (4, 8)
    assert source.position(("d",)) == (7, 1)  # an empty value: at the next token (the end of the file), as always


@pytest.mark.parametrize(
    "text",
    [
        "date: 2019-13-45\n",  # no 13th month
        "nombre: 0x_\n",
        "base: &b {a: 1}\nautre:\n  <<: *b\n",  # a merge key
        "texte: a\ufffeb\n",  # a character YAML forbids
        "!!omap\n- a: 1\n",
        "a: " + "[" * 5000 + "]" * 5000 + "\n",  # nested beyond reason
    ],
)
def test_odd_values_are_refused_in_french_never_with_a_traceback(tmp_path: Path, text: str) -> None:
    [problem] = problems_in(text, tmp_path)
    assert problem.startswith("x.yaml")


def test_an_impossible_date_is_named_with_its_line(tmp_path: Path) -> None:
    assert problems_in("titre: Rapport\nconsultation:\n  envoi: 2020-02-30\n", tmp_path) == [
        "x.yaml, ligne 3, colonne 10 : la date « 2020-02-30 » n'existe pas ; écrivez une date réelle (AAAA-MM-JJ)."
    ]


def test_invisible_control_characters_are_refused_where_they_stand(tmp_path: Path) -> None:
    """YAML lets "\\x01" in through escapes; no Word document can hold it."""
    text = 'titre: "Etat\\x01 - CGET"\nliste:\n  - bon\n  - "mauvais\\x0b"\n'
    assert problems_in(text, tmp_path) == [
        "x.yaml, ligne 1, colonne 8 : le texte contient un caractère invisible interdit dans un document "
        "(U+0001, souvent venu d'un copier-coller) ; retirez-le.",
        "x.yaml, ligne 4, colonne 5 : le texte contient un caractère invisible interdit dans un document "
        "(U+000B, souvent venu d'un copier-coller) ; retirez-le.",
    ]


# Bounds: every file is read within bounded time and memory, on both paths. A tab inside quotes sends a file
# to the round-trip loader (libyaml and ruamel.yaml disagree on tabs).
BOTH_PATHS = [pytest.param("", id="libyaml"), pytest.param('onglet: "a\tb"\n', id="round-trip")]

BILLION_LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9) if previous else ', '.join(['lol'] * 9)}]\n"
    for previous, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


@pytest.mark.parametrize("other", BOTH_PATHS)
def test_a_billion_laughs_is_refused_at_its_first_anchor(tmp_path: Path, other: str) -> None:
    assert problems_in(f"titre: Rapport\n{other}{BILLION_LAUGHS}", tmp_path) == [
        f"x.yaml, ligne {2 + other.count(chr(10))}, colonne 4 : « &a » est une ancre YAML : les ancres et renvois "
        "(« & », « * ») ne sont pas acceptés dans les contenus ; recopiez le texte à chaque endroit voulu, "
        "ou mettez entre guillemets un texte qui commence par « & » ou « * »."
    ]


@pytest.mark.parametrize("other", BOTH_PATHS)
def test_an_alias_without_anchor_is_refused_by_name(tmp_path: Path, other: str) -> None:
    """« *gras* », a Markdown habit, reads as an alias in YAML."""
    [problem] = problems_in(f"{other}titre: *gras* dans le titre\n", tmp_path)
    assert problem.startswith(f"x.yaml, ligne {1 + other.count(chr(10))}, colonne 8 : « *gras* » renvoie à une ancre")


@pytest.mark.parametrize("other", BOTH_PATHS)
def test_nesting_beyond_the_bound_is_refused_where_it_passes_it(tmp_path: Path, other: str) -> None:
    depth = load.MAX_CONTENT_DEPTH  # with the root mapping, one level too many
    assert problems_in(f"{other}a: {'[' * depth}{']' * depth}\n", tmp_path) == [
        f"x.yaml, ligne {1 + other.count(chr(10))}, colonne {3 + depth} : les listes et rubriques s'imbriquent ici "
        f"sur plus de {load.MAX_CONTENT_DEPTH} niveaux, ce qui n'est pas un contenu normal ; vérifiez l'indentation "
        "et les crochets à partir de cette ligne."
    ]
    load_file(write(tmp_path, f"{other}a: {'[' * (depth - 1)}{']' * (depth - 1)}\n"))  # at the bound: read


@pytest.mark.parametrize("other", BOTH_PATHS)
def test_too_many_values_are_refused(tmp_path: Path, other: str) -> None:
    count = load.MAX_CONTENT_ITEMS  # with the key and the list, beyond the bound
    [problem] = problems_in(f"{other}liste:\n" + "- a\n" * count, tmp_path)
    assert problem.endswith(
        f"le fichier compte plus de {load.MAX_CONTENT_ITEMS} valeurs (un contenu réel en compte moins de 2 000) ; "
        "vérifiez que c'est le bon fichier, ou qu'un bloc collé n'y a pas été répété."
    )
    assert problem.startswith("x.yaml, ligne ")


@pytest.mark.parametrize("other", BOTH_PATHS)
def test_a_text_beyond_the_bound_is_refused_at_its_place(tmp_path: Path, other: str) -> None:
    length = load.MAX_TEXT_CHARS + 1
    assert problems_in(f"{other}titre: Rapport\ntexte: {'x' * length}\n", tmp_path) == [
        f"x.yaml, ligne {2 + other.count(chr(10))}, colonne 8 : ce texte compte {length} caractères, plus que les "
        f"{load.MAX_TEXT_CHARS} permis (une dizaine de pages) ; découpez-le en plusieurs paragraphes, et vérifiez "
        "qu'un guillemet n'est pas resté ouvert."
    ]
    load_file(write(tmp_path, f"{other}texte: {'x' * (length - 1)}\n"))  # at the bound: read


def test_a_file_beyond_the_size_bound_is_refused_before_it_is_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(load, "_load_fast", lambda text: pytest.fail("lu quand même"))
    text = "titre: Rapport\n# commentaire\n" * (load.MAX_CONTENT_BYTES // 20)
    assert problems_in(text, tmp_path) == [
        f"x.yaml : le fichier pèse plus de {load.MAX_CONTENT_BYTES // 1_000_000} Mo, bien plus qu'un contenu (les "
        "plus gros font moins de 100 Ko) ; vérifiez que c'est le bon fichier, ou qu'un texte collé n'y a pas été "
        "répété."
    ]


def test_the_round_trip_loader_never_sees_a_bomb(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(load, "_load_round_trip", lambda shown, text: pytest.fail("chargé quand même"))
    [problem] = problems_in(f"{BOTH_PATHS[1].values[0]}{BILLION_LAUGHS}", tmp_path)
    assert "« &a » est une ancre YAML" in problem


def test_a_pipe_named_like_a_content_file_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.yaml")
    with pytest.raises(ContentError) as caught:
        load_file(tmp_path / "x.yaml", Path("x.yaml"))
    assert [str(p) for p in caught.value.problems] == [
        "x.yaml : ce n'est pas un fichier ordinaire ; remplacez-le par un fichier texte."
    ]


def test_the_real_content_is_far_within_the_bounds(contenus: Path) -> None:
    """The bounds are generous: ten times the 2019 content, at least."""
    for path in contenus.glob("*.yaml"):
        assert path.stat().st_size * 10 < load.MAX_CONTENT_BYTES, path
        depth = items = longest = 0
        pending = [(load_file(path).data, 1)]
        while pending:
            node, level = pending.pop()
            depth, items = max(depth, level), items + len(node) + 1
            values = list(node.values() if isinstance(node, dict) else node)
            longest = max([longest, *(len(v) for v in values if isinstance(v, str))])
            pending += [(v, level + 1) for v in values if isinstance(v, dict | list)]
        assert depth * 5 < load.MAX_CONTENT_DEPTH and items * 10 < load.MAX_CONTENT_ITEMS, path
        assert longest * 10 < load.MAX_TEXT_CHARS, path


def write(folder: Path, text: str) -> Path:
    path = folder / "x.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@settings(max_examples=60, deadline=None)
@given(
    lists=st.integers(1, 12),
    width=st.integers(1, 12),
    before=st.integers(0, 5),
    other=st.sampled_from([value for param in BOTH_PATHS for value in param.values]),
)
def test_any_alias_bomb_is_refused_at_its_first_anchor(
    tmp_path_factory, lists: int, width: int, before: int, other: str
) -> None:
    """Whatever its shape, a chain of lists of aliases is refused at once, at the line of its first anchor."""
    names = [f"n{index}" for index in range(lists)]
    lines = [f"k{index}: texte" for index in range(before)]
    lines += [f"{names[0]}: &{names[0]} [{', '.join(['lol'] * width)}]"]
    lines += [
        f"{name}: &{name} [{', '.join([f'*{previous}'] * width)}]" for previous, name in itertools.pairwise(names)
    ]
    [problem] = problems_in(other + "\n".join(lines) + "\n", tmp_path_factory.mktemp("bombe"))
    assert problem.startswith(f"x.yaml, ligne {before + 1 + other.count(chr(10))}, colonne ")
    assert f"« &{names[0]} » est une ancre YAML" in problem


def test_a_year_folder_with_too_many_files_is_refused_before_any_is_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(load, "load_file", lambda *args: pytest.fail("lu quand même"))
    folder = tmp_path / "contenus" / "2019"
    folder.mkdir(parents=True)
    for number in range(load.MAX_CONTENT_FILES + 1):
        (folder / f"chapitre{number}.yaml").write_text("titre: x\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_year(folder, base=tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"contenus/2019 : le dossier compte {load.MAX_CONTENT_FILES + 1} fichiers .yaml, plus que les "
        f"{load.MAX_CONTENT_FILES} permis ; rangez ailleurs ceux qui ne sont pas des contenus de l'année."
    ]
