"""The JSON Schemas that let an editor complete and check the YAML while staff type."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from assembleur.contenus import schema

from .aides import PROJET_FIGE, REPO


def plain(node):
    """YAML data as an editor's JSON view of it (dates are text)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


def load(path: Path):
    return plain(YAML(typ="safe").load(path.read_text(encoding="utf-8")))


CONTENT = sorted((PROJET_FIGE / "contenus" / "2019").glob("*.yaml"))


@pytest.mark.parametrize("path", CONTENT, ids=[p.name for p in CONTENT])
def test_the_schema_validates_the_2019_content(path: Path) -> None:
    kind = schema.kind_of(path.stem)
    jsonschema.validate(load(path), schema.schema_of(kind))


@pytest.mark.parametrize("path", CONTENT, ids=[p.name for p in CONTENT])
def test_each_file_points_to_its_schema_on_its_first_line(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == schema.modeline(schema.kind_of(path.stem))
    kind = schema.kind_of(path.stem)
    assert first.split("$schema=")[1] == f"../../schemas/{kind}.schema.json"


@pytest.mark.parametrize("kind", sorted({schema.kind_of(p.stem) for p in CONTENT}))
def test_the_shipped_schemas_are_up_to_date(kind: str) -> None:
    # schemas/ is written by `assembleur schema` from the code, not by the users: the shipped copy must match
    target = REPO / "schemas" / f"{kind}.schema.json"
    assert json.loads(target.read_text(encoding="utf-8")) == schema.schema_of(kind)


@pytest.mark.parametrize(
    ("file", "change"),
    [
        ("rapport.yaml", lambda d: d.update(anee=2019)),  # a misspelt key
        ("rapport.yaml", lambda d: d.pop("titre")),  # a missing key
        ("programmation.yaml", lambda d: d["actions"][0].update(strategie=["10.1"])),  # a wrong type
        ("chapitre1.yaml", lambda d: d["sections"][0]["contenu"].append({"paragraf": "x"})),  # an unknown block
        ("avis.yaml", lambda d: d["organismes"][0]["avis"].update(sens="enthousiaste")),  # not a known sens
    ],
    ids=["cle-mal-ecrite", "cle-absente", "mauvais-type", "bloc-inconnu", "valeur-inconnue"],
)
def test_the_schema_rejects_a_broken_copy(file: str, change) -> None:
    data = load(PROJET_FIGE / "contenus" / "2019" / file)
    change(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema.schema_of(schema.kind_of(Path(file).stem)))


def test_descriptions_are_in_french() -> None:
    rapport = schema.schema_of("rapport")
    assert rapport["properties"]["date_arret"]["description"] == "Date à laquelle la version projet est arrêtée."
    text = json.dumps(schema.schema_of("programmation"), ensure_ascii=False)
    assert "le code de l'élément qu'elle sert" in text
    assert "The " not in text and '"title": "' not in text.replace('"title": "assembleur', "")


def test_the_schema_command_writes_every_schema(projet: Path, cli) -> None:
    result = cli("schema", "--dossier", "mes-schemas")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [f"mes-schemas/{kind}.schema.json" for kind in schema.SCHEMAS]
