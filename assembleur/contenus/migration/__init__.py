"""« assembleur migrer » : a year written for the model before contrat.yaml, rewritten for today's.

What the old model fixed in the program (the values and names of the first level of
the strategy, the funder of a block of amounts, some default libellés, the old keys) is read from
``ancien_modele.yaml`` beside this module, and written into the year's own files:

- ``contrat.yaml`` is created: the collectivité of ``rapport.yaml``, the communes of
  ``programmation.yaml``, the strategy built from ``feuille_de_route.yaml`` (first
  level, then priorités, then sous-priorités, as its three levels), and the funder;
- ``feuille_de_route.yaml`` keeps only the detail of each priorité (the titles and
  first level are now in the strategy); actions name their element with « strategie »;
- the blocks named after the old first level and funder take their generic name
  (``repartition``, ``bilan › element``, ``montants``).

Files are rewritten through ruamel.yaml's round trip: comments, quotes and every
figure stay as they were; the dossier built afterwards is the same.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ...errors import ProjectError
from ...files import atomic_output
from ..load import load_file, round_trip
from ..schema import modeline

MODEL = Path(__file__).with_name("ancien_modele.yaml")


@dataclass
class Migration:
    """The new text of each file of the year that changes (a new file: no old text)."""

    folder: Path
    texts: dict[str, tuple[str | None, str]]  # file name → (old text, new text)

    def diff(self) -> str:
        """What would change, as a unified diff per file (for --essai)."""
        parts = []
        for name, (old, new) in self.texts.items():
            parts += difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"{self.folder.name}/{name} (avant)",
                f"{self.folder.name}/{name} (après)",
            )
        return "".join(parts)

    def write(self) -> list[Path]:
        """Write every changed file (each atomically)."""
        written = []
        for name, (_, new) in self.texts.items():
            with atomic_output(self.folder / name) as temporary:
                temporary.write_text(new, encoding="utf-8")
            written.append(self.folder / name)
        return written


def needs_migration(folder: Path) -> bool:
    """Is the year in ``folder`` written for the model before contrat.yaml?"""
    if (folder / "contrat.yaml").exists() or not (folder / "programmation.yaml").exists():
        return False
    data = load_file(folder / "programmation.yaml").data
    return isinstance(data, dict) and "communes" in data


def _rename(node: CommentedMap, old: str, new: str, value: Any = None) -> None:
    """Rename a key in place (same position, same comment)."""
    keys = list(node.keys())
    position = keys.index(old)
    item = node.pop(old)
    comment = node.ca.items.pop(old, None)
    node.insert(position, new, item if value is None else value)
    if comment is not None:
        node.ca.items[new] = comment


def _drop(node: CommentedMap, key: str) -> None:
    """Remove a key; the comment lines under it go under the key before it (none is lost)."""
    keys = list(node.keys())
    if key not in keys:
        return
    comment = node.ca.items.pop(key, None)
    node.pop(key)
    position = keys.index(key)
    if comment is None or comment[2] is None or position == 0:
        return
    previous = node.ca.items.setdefault(keys[position - 1], [None, None, None, None])
    if previous[2] is None:
        previous[2] = comment[2]
    else:
        previous[2].value += comment[2].value


def _programmation_text(text: str, keys: dict[str, str]) -> str:
    """The actions name their element with « strategie »; the communes move to contrat.yaml.

    Done on the text, line by line: ruamel.yaml's round trip loses the comment lines
    between the one-line actions of a list, and this file is mostly such lines.
    """
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if re.match(r"communes\s*:", line))
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " -\t"):
        end += 1
    kept = lines[:start] + lines[end:]
    pattern = re.compile(rf"(^[ \t]*(?:-[ \t]+)?|[{{,][ \t]*){re.escape(keys['action'])}([ \t]*:)", re.MULTILINE)
    return pattern.sub(r"\1strategie\2", "".join(kept))


def _walk_blocks(node: Any, model: dict[str, Any], level_one: str, kept: set[str]) -> None:
    """The old kinds of block take their generic name, wherever they are."""
    if isinstance(node, CommentedSeq):
        for item in node:
            _walk_blocks(item, model, level_one, kept)
        return
    if not isinstance(node, CommentedMap):
        return
    keys = model["cles"]
    if keys["repartition"] in node and isinstance(node[keys["repartition"]], CommentedSeq):
        rows = node[keys["repartition"]]
        for row in rows:
            if keys["niveau"] in row:
                if row[keys["niveau"]] in kept:
                    _rename(row, keys["niveau"], "element")
                else:  # the old model compared no first-level value without priorité with the actions
                    row.pop(keys["niveau"])
        data = CommentedMap([("par", level_one), ("lignes", rows)])
        _rename(node, keys["repartition"], "repartition", data)
    if isinstance(node.get("orientations"), CommentedSeq):
        for groupe in node["orientations"]:
            if isinstance(groupe, CommentedMap) and keys["niveau"] in groupe:
                _rename(groupe, keys["niveau"], "titre")
    if isinstance(node.get("bilan"), CommentedMap) and keys["niveau"] in node["bilan"]:
        _rename(node["bilan"], keys["niveau"], "element")
    if isinstance(node.get(keys["montants"]), CommentedMap):
        node[keys["montants"]].insert(0, "financeur", model["financeur"]["code"])
        _rename(node, keys["montants"], "montants")
    if node.get("graphique") == keys["montants"]:
        node["graphique"] = "montants"
    for value in node.values():
        _walk_blocks(value, model, level_one, kept)


def _strategy(feuille: CommentedMap, model: dict[str, Any]) -> tuple[list[dict[str, Any]], set[str]]:
    """The elements of the strategy (first level, priorités, sous-priorités) and the first-level codes used."""
    key, names = model["cles"]["niveau"], model["premier_niveau"]
    used = [p[key] for p in feuille["priorites"]]
    firsts = [code for code in names if code in used]
    elements: list[dict[str, Any]] = [{"code": code, "titre": names[code]} for code in firsts]
    for priorite in feuille["priorites"]:
        numero = str(priorite["numero"])
        elements.append({"code": numero, "titre": str(priorite["titre"]), "parent": str(priorite[key])})
        for sous in priorite.get("sous_priorites") or []:
            elements.append({"code": str(sous["code"]), "titre": str(sous["titre"]), "parent": numero})
    return elements, set(firsts)


def _contrat_text(
    rapport: CommentedMap, programmation: CommentedMap, elements: list[dict[str, Any]], model: dict[str, Any]
) -> str:
    collectivite = rapport["collectivite"]
    annee = int(rapport["annee"])
    sigle = str(collectivite["sigle"])
    lines = [
        modeline("contrat"),
        "# Le contrat de ville : le contrat, son territoire, sa stratégie et ses financeurs.",
        "# Écrit par « assembleur migrer » depuis les fichiers de l'ancien modèle : vérifiez le nom et la",
        "# période du contrat, et complétez le territoire (SIREN, département, codes INSEE, DSU, quartiers).",
        "",
        "contrat:",
        f"  nom: {_quoted(f'Contrat de ville de {sigle}')}",
        "  generation: 2015",
        f"  periode: {{debut: 2015, fin: {max(annee, 2023)}}}",
        "",
        "territoire:",
        "  pilote:",
        f"    nom: {_quoted(str(collectivite['nom']))}",
        f"    sigle: {_quoted(sigle)}",
        *[f"    {key}: {_quoted(str(collectivite[key]))}" for key in ("siren", "departement") if key in collectivite],
        "  communes:",
        *[f"    - nom: {_quoted(str(commune))}" for commune in programmation["communes"]],
        "",
        "strategie:",
        f"  niveaux: [{', '.join(model['niveaux'])}]",
        "  elements:",
    ]
    for element in elements:
        parent = f", parent: {_quoted(element['parent'])}" if "parent" in element else ""
        lines.append(f"    - {{code: {_quoted(element['code'])}, titre: {_quoted(element['titre'])}{parent}}}")
    financeur = model["financeur"]
    lines += [
        "",
        "financeurs:",
        f"  - {{code: {financeur['code']}, nom: {_quoted(financeur['nom'])}, type: {financeur['type']}}}",
    ]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dump(data: Any) -> str:
    stream = io.StringIO()
    round_trip().dump(data, stream)
    return stream.getvalue()


def _rapport(rapport: CommentedMap, model: dict[str, Any], has_montants: bool) -> None:
    collectivite = rapport["collectivite"]
    for key in ("nom", "sigle", "siren", "departement"):  # the pilot's identity: in contrat.yaml
        collectivite.pop(key, None)
    libelles = rapport.get("libelles")
    if not isinstance(libelles, CommentedMap):
        libelles = CommentedMap()
        rapport["libelles"] = libelles
    keys = model["cles"]
    if keys["libelle_parent"] in libelles:
        text = DoubleQuotedScalarString(str(libelles[keys["libelle_parent"]]).replace(keys["valeur_parent"], "{titre}"))
        _rename(libelles, keys["libelle_parent"], "feuille_parent", text)
    if keys["libelle_graphique"] in libelles:
        _rename(libelles, keys["libelle_graphique"], "graphique_montants")
    for key, text in model["libelles"].items():
        if key not in libelles and (key != "graphique_montants" or has_montants):
            libelles[key] = DoubleQuotedScalarString(text) if isinstance(text, str) else text


def plan(folder: Path) -> Migration:
    """The migration of the year in ``folder``, computed but not written."""
    if not needs_migration(folder):
        raise ProjectError(
            f"L'année {folder.name} n'est pas écrite selon l'ancien modèle (elle a contrat.yaml, ou pas de "
            "programmation.yaml) : rien à migrer.",
            f"Lancez « assembleur verifier {folder.name} » pour la vérifier telle qu'elle est.",
        )
    yaml = round_trip()
    names = ["rapport.yaml", "programmation.yaml", "feuille_de_route.yaml"]
    names += sorted(p.name for p in folder.glob("chapitre*.yaml"))
    old = {name: (folder / name).read_text(encoding="utf-8") for name in names}
    data = {name: yaml.load(text) for name, text in old.items()}
    model = yaml.load(MODEL.read_text(encoding="utf-8"))
    elements, kept = _strategy(data["feuille_de_route.yaml"], model)
    contrat = _contrat_text(data["rapport.yaml"], data["programmation.yaml"], elements, model)

    for priorite in data["feuille_de_route.yaml"]["priorites"]:
        _drop(priorite, model["cles"]["niveau"])
        _drop(priorite, "titre")
        for sous in priorite.get("sous_priorites") or []:
            _drop(sous, "titre")
    has_montants = False
    for name in names:
        if name.startswith("chapitre"):
            has_montants |= model["cles"]["montants"] in old[name]
            _walk_blocks(data[name], model, str(model["niveaux"][0]), kept)
    _rapport(data["rapport.yaml"], model, has_montants)
    texts: dict[str, tuple[str | None, str]] = {"contrat.yaml": (None, contrat)}
    for name in names:
        new = _programmation_text(old[name], model["cles"]) if name == "programmation.yaml" else _dump(data[name])
        if new != old[name]:
            texts[name] = (old[name], new)
    return Migration(folder, texts)
