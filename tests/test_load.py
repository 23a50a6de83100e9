"""Loading YAML: every unreadable file gives its file, line, column and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembleur.errors import ContentError
from assembleur.load import load_file, load_year


def problem_of(path: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_file(path, Path(path.name))
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


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
