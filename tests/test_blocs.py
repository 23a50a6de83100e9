"""The kinds of block: one module each, found through the registry, nothing else to touch to add one."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
import typing
from pathlib import Path

import pytest
from pydantic import Tag

from assembleur.contenus import blocs, model, schema
from assembleur.contenus.blocs import KINDS, Bloc, register


def tags_of_the_model() -> list[str]:
    """The kinds the content model accepts in a ``contenu``, read from the model itself."""
    [union, *_] = typing.get_args(model.Bloc)
    return [next(m.tag for m in typing.get_args(member)[1:] if isinstance(m, Tag)) for member in typing.get_args(union)]


def test_the_registry_covers_every_kind_the_model_accepts() -> None:
    assert tags_of_the_model() == list(KINDS) == list(blocs.SHIPPED)
    modules = {path.stem for path in Path(blocs.__file__).parent.glob("*.py")} - {"__init__", "base"}
    assert modules == set(KINDS)  # one module per kind, named after its key
    for genre, kind in KINDS.items():
        assert kind.genre == genre and genre in kind.model_fields
        assert kind.render is not Bloc.render, f"« {genre} » ne sait pas se mettre en page"
        assert genre in kind.descriptions, f"« {genre} » n'a pas de description pour les éditeurs"


def test_each_key_is_described_in_one_place() -> None:
    owned = [key for kind in KINDS.values() for key in kind.descriptions]
    assert len(owned) == len(set(owned))
    assert not set(owned) & set(schema.KEYS)


NEW_KIND = '''
"""A kind of block that assembleur does not ship: registered before the model is built."""
import json, sys
from pathlib import Path

from assembleur.contenus.blocs import Bloc, register
from assembleur.contenus.types import Texte


@register
class Citation(Bloc):
    genre = "citation"
    descriptions = {"citation": "Une citation, entre guillemets.", "auteur": "Son auteur."}

    citation: Texte
    auteur: Texte

    def check(self, verification, stem, loc):
        if len(self.citation) > 40:
            verification.warn(stem, (*loc, "citation"), f"citation de {len(self.citation)} signes : abrégez-la.")

    def render(self, page):
        page.add("paragraphe", f"« {self.citation} » ({self.auteur})")


from assembleur.contenus import schema
from assembleur.documents import derive
from assembleur.errors import ContentError
from assembleur.fabrication import verification
from assembleur.project import resolve_year

year = resolve_year(Path.cwd(), "2019")
result = {}
try:
    checked = verification.check(year)
except ContentError as exc:
    result["errors"] = [f"{p.file.name}:{p.line}: {p.message}" for p in exc.problems]
else:
    result["warnings"] = [f"{p.file.name}:{p.line}: {p.message}" for p in checked.warnings]
    document = derive.build_document(checked.content)
    result["rendered"] = [item.text for item in document.body if "Jean Jaurès" in item.text]
result["schema"] = schema.schema_of("chapitre")["$defs"]["Citation"]["properties"]["citation"]["description"]
print(json.dumps(result, ensure_ascii=False))
'''


def run_with_a_new_kind(projet: Path, block: str) -> dict[str, typing.Any]:
    """Add ``block`` at the end of chapter 1, then check and render 2019 in a process that registers « citation »."""
    chapitre = projet / "contenus" / "2019" / "chapitre1.yaml"
    text = chapitre.read_text(encoding="utf-8")
    assert "\ncontenu:" not in text  # the chapter's own blocks, before its sections
    chapitre.write_text(text + "contenu:\n" + textwrap.indent(block, "  "), encoding="utf-8")
    script = projet / "nouveau_genre.py"
    script.write_text(NEW_KIND, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=projet, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_a_new_kind_is_validated_checked_and_rendered_from_its_module_alone(projet: Path) -> None:
    lines = len((projet / "contenus" / "2019" / "chapitre1.yaml").read_text(encoding="utf-8").splitlines())
    result = run_with_a_new_kind(
        projet,
        "- citation: La politique de la ville est l'affaire de tous les habitants\n  auteur: Jean Jaurès\n",
    )
    assert f"chapitre1.yaml:{lines + 2}: citation de 60 signes : abrégez-la." in result["warnings"]
    assert result["rendered"] == [
        "«\u00a0La politique de la ville est l'affaire de tous les habitants\u00a0» (Jean Jaurès)"
    ]
    assert result["schema"] == "Une citation, entre guillemets."


def test_a_new_kind_is_refused_like_the_others_when_mistyped(projet: Path) -> None:
    lines = len((projet / "contenus" / "2019" / "chapitre1.yaml").read_text(encoding="utf-8").splitlines())
    result = run_with_a_new_kind(projet, "- citation: Courte\n  auteure: Jean Jaurès\n")
    # located at the block, as for the shipped kinds (the union's tag stands between the block and its keys)
    assert f"chapitre1.yaml:{lines + 2}: clé inconnue « auteure » ; vouliez-vous dire « auteur » ?" in result["errors"]


def test_without_its_module_the_new_kind_is_an_unknown_block(projet: Path) -> None:
    from assembleur.errors import ContentError
    from assembleur.fabrication import verification
    from assembleur.project import resolve_year

    chapitre = projet / "contenus" / "2019" / "chapitre1.yaml"
    chapitre.write_text(chapitre.read_text(encoding="utf-8") + "contenu:\n  - citation: x\n", encoding="utf-8")
    try:
        verification.check(resolve_year(projet, "2019"))
    except ContentError as exc:
        assert any("bloc inconnu (clés : citation)" in p.message for p in exc.problems)
    else:
        raise AssertionError("a block of an unregistered kind was accepted")


def test_the_kinds_share_nothing_but_base() -> None:
    folder = Path(blocs.__file__).parent
    others = {path.stem for path in folder.glob("*.py")} - {"base"}
    shared = []
    for path in sorted(folder.glob("*.py")):
        if path.stem in {"__init__", "base"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:  # from .x import … / from . import x
                targets = [node.module] if node.module else [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom | ast.Import):  # import assembleur.contenus.blocs.x
                modules = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                targets = [m.rsplit(".", 1)[-1] for m in modules if m and m.startswith("assembleur.contenus.blocs.")]
            else:
                continue
            shared += [f"{path.name} → {target}" for target in targets if target in others]
    assert shared == []


def test_a_chart_draws_any_kind_that_feeds_one_and_only_those(projet: Path) -> None:
    from assembleur.contenus.blocs import Chart, chart_kinds

    assert chart_kinds() == [genre for genre, kind in KINDS.items() if isinstance(kind.chart, Chart)]
    assert chart_kinds() == ["financement", "montants"]
    chapitre = projet / "contenus" / "2019" / "chapitre2.yaml"
    text = chapitre.read_text(encoding="utf-8")
    chapitre.write_text(text.replace("- graphique: financement", "- graphique: bilan", 1), encoding="utf-8")
    from assembleur.errors import ContentError
    from assembleur.fabrication import verification
    from assembleur.project import resolve_year

    with pytest.raises(ContentError) as caught:
        verification.check(resolve_year(projet, "2019"))
    # worded as any value outside a list: the list is the kinds that feed a chart
    assert [p.message for p in caught.value.problems] == [
        "valeur « bilan » inconnue ; valeurs possibles : financement ou montants."
    ]


CHART_KIND = '''
"""A kind that feeds a chart, registered before the model is built: graphique, libellé and schema know it."""
import json
from pathlib import Path

from assembleur.contenus.blocs import Bloc, Chart, register
from assembleur.contenus.types import Nombre, Texte


@register
class Effectifs(Bloc):
    genre = "effectifs"
    descriptions = {"effectifs": "Les effectifs, par public."}
    chart = Chart("les effectifs par public", "Ce que montre le graphique des effectifs.")

    effectifs: dict[Texte, Nombre]

    def render(self, page):
        for public, nombre in self.effectifs.items():
            page.add("puce", f"{public} : {nombre}")

    def chart_data(self, text):
        return [(text(public), nombre) for public, nombre in self.effectifs.items()]


from assembleur.contenus import schema
from assembleur.documents import derive
from assembleur.fabrication import verification
from assembleur.project import resolve_year

checked = verification.check(resolve_year(Path.cwd(), "2019"))
[chart] = [i for i in derive.build_document(checked.content).body if i.chart == "effectifs"]
libelles = schema.schema_of("rapport")["$defs"]["Libelles"]["properties"]["graphique_effectifs"]
graphique = schema.schema_of("chapitre")["$defs"]["Graphique"]["properties"]["graphique"]["enum"]
print(json.dumps([chart.description, chart.chart_values, libelles, graphique], ensure_ascii=False))
'''


def test_a_new_kind_that_feeds_a_chart_is_drawn_with_its_libelle(projet: Path) -> None:
    chapitre = projet / "contenus" / "2019" / "chapitre1.yaml"
    block = "- effectifs: {Jeunes: 12, Adultes: 30}\n- graphique: effectifs\n"
    chapitre.write_text(
        chapitre.read_text(encoding="utf-8") + "contenu:\n" + textwrap.indent(block, "  "), encoding="utf-8"
    )
    script = projet / "effectifs.py"
    script.write_text(CHART_KIND, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=projet, capture_output=True, text=True, check=True)
    description, values, libelle, enum = json.loads(done.stdout)
    assert description == (
        "Graphique en barres : les effectifs par public. Jeunes : 12\u00a0€ ; Adultes : 30\u00a0€. "
        "Valeur la plus élevée : Adultes."
    )
    assert values == "montant"
    assert (libelle["default"], libelle["description"]) == (
        "les effectifs par public",
        "Ce que montre le graphique des effectifs.",
    )
    assert enum == ["financement", "montants", "effectifs"]


def test_a_kind_that_feeds_a_chart_says_so_by_both_hooks() -> None:
    with pytest.raises(TypeError, match="sets both « chart » and « chart_data »"):

        @register
        class Demi(Bloc):
            genre = "demi"
            chart = blocs.Chart("un demi", "Un demi graphique.")
            demi: str
