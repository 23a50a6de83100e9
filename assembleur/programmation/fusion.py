"""Merge the rows read from a spreadsheet into the year's list of actions, never duplicating one.

An action is the same as a row when it carries the row's Dauphin number, or,
failing that, the same title, porteur and commune (compared without case,
accents or typography); a hand-written action found that way receives the
number. A merge only adds: new actions at the end of the list, a number, a
strategy element, a commune or quartiers where the action had none, and the
amounts of the funders whose columns the sheet has (they replace the old
ones: the sheet is the newer account). Whatever was typed by hand stays:
titles, classifications, comments, actions the sheet does not have (those
that came from an import, with a number or amounts, are reported as absent,
never deleted). A porteur new to the list of porteurs is added to it.

The YAML is edited by ruamel.yaml's round trip (comments, order, quotes and
layout kept) and written back atomically only if something changed; the
year is then validated again, and put back as it was if it no longer is.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from ..contenus import french
from ..errors import ValueFormatError
from .colonnes import normalise
from .lecture import A_CLASSER, Lecture, Ligne


@dataclass(frozen=True)
class Cles:
    """The keys of an action and of the programmation file, as the content model names them."""

    actions: str = "actions"
    porteurs: str = "porteurs"
    titre: str = "titre"
    numero: str = "dauphin"
    porteur: str = "porteur"
    commune: str = "commune"
    quartiers: str = "quartiers"
    nature: str = "nature"
    noeud: str = "strategie"
    montants: str = "montants"
    a_classer: str = A_CLASSER  # the strategy element of a row no theme maps to


@dataclass
class Modification:
    """An action the merge changes (or would change), and what changes."""

    titre: str
    changes: list[str]


@dataclass
class Bilan:
    """What a merge did, or would do with ``--essai``: the same report either way."""

    ajoutees: list[str] = field(default_factory=list)
    modifiees: list[Modification] = field(default_factory=list)
    inchangees: int = 0
    a_classer: list[str] = field(default_factory=list)  # titles of the rows no theme maps to
    absentes: list[str] = field(default_factory=list)  # imported actions the sheet no longer has
    porteurs: list[str] = field(default_factory=list)  # porteurs added to the list
    totaux: dict[str, Decimal] = field(default_factory=dict)  # funder name → total of the sheet

    @property
    def changed(self) -> bool:
        return bool(self.ajoutees or self.modifiees or self.porteurs)


def merge(document: Any, lecture: Lecture, cles: Cles | None = None) -> Bilan:
    """Merge ``lecture`` into ``document`` (the round trip of the programmation file), in place."""
    cles = cles or Cles()
    actions = document.get(cles.actions) if isinstance(document, dict) else None
    if not isinstance(actions, list):
        actions = CommentedSeq()
        document[cles.actions] = actions
    name = lecture.noms.get
    bilan = Bilan(totaux={name(funder, funder): Decimal(0) for funder in lecture.financeurs})
    porteurs = _Porteurs(document, cles, bilan)
    matched: set[int] = set()
    flow = any(isinstance(entry, CommentedMap) and entry.fa.flow_style() for entry in actions)
    for ligne in lecture.lignes:
        for funder, amount in ligne.montants.items():
            bilan.totaux[name(funder, funder)] += amount
        if ligne.porteur:
            ligne.porteur = porteurs.spelling(ligne.porteur)
        entry = _find(actions, ligne, cles, matched)
        if ligne.noeud is None and (entry is None or _missing(entry.get(cles.noeud), cles)):
            bilan.a_classer.append(ligne.titre)
        if entry is None:
            append_keeping_comments(actions, _new_entry(ligne, lecture.financeurs, cles, flow))
            matched.add(id(actions[-1]))
            bilan.ajoutees.append(ligne.titre)
            continue
        matched.add(id(entry))
        changes = _update(entry, ligne, lecture, cles)
        if changes:
            bilan.modifiees.append(Modification(str(entry.get(cles.titre)), changes))
        else:
            bilan.inchangees += 1
    bilan.absentes = [
        str(entry.get(cles.titre))
        for entry in actions
        if isinstance(entry, dict) and id(entry) not in matched and _imported(entry, lecture.financeurs, cles)
    ]
    return bilan


class _Porteurs:
    """The list of porteurs of the file: a porteur is written as the list spells it, and added when new."""

    def __init__(self, document: Any, cles: Cles, bilan: Bilan) -> None:
        listed = document.get(cles.porteurs) if isinstance(document, dict) else None
        self.listed = listed if isinstance(listed, list) else None
        self.known = {normalise(str(name)): str(name) for name in self.listed or []}
        self.bilan = bilan

    def spelling(self, porteur: str) -> str:
        key = normalise(porteur)
        if key in self.known:
            return self.known[key]
        if self.listed is not None:
            append_keeping_comments(self.listed, porteur)
            self.known[key] = porteur
            self.bilan.porteurs.append(porteur)
        return porteur


def append_keeping_comments(sequence: list, value: Any) -> None:
    """Append ``value`` to ``sequence``, moving the lines that followed its last item (comments, blank) after it.

    ruamel.yaml hangs the comment and blank lines after a list on its last
    item; without the move, the new item would come after them, away from its
    neighbours. The end of the last item's own line (its comment) stays.
    """
    last = len(sequence) - 1
    sequence.append(value)
    slots = getattr(sequence, "ca", None) and sequence.ca.items.get(last)
    token = slots[0] if slots else None
    if token is None or "\n" not in token.value:
        return
    first_break = token.value.index("\n") + 1
    rest = token.value[first_break:]
    if rest:
        token.value = token.value[:first_break]
        sequence.ca.items[last + 1] = [CommentToken("\n" + rest, token.start_mark, None), None, None, None]


def _is_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def restore_comments(before: str, after: str) -> str:
    """``after`` (the round trip's output) with the comment and blank lines of ``before`` it dropped put back.

    ruamel.yaml drops a comment line that stands between two items of a list
    when the next item has a comment at the end of its line (« # Santé »
    before « Conseil Local de Santé Mental… # rattaché… » in the 2019 file).
    Lines are aligned as :mod:`difflib` sees them; a comment or blank line of
    ``before`` that is missing from ``after`` is put back at its place.
    """
    old, new = before.splitlines(True), after.splitlines(True)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "insert"):
            out += new[j1:j2]
            continue
        replacing = iter(new[j1:j2])
        for line in old[i1:i2]:  # the old lines in order: comments kept, the others replaced one by one
            if _is_comment(line):
                out.append(line)
            elif (replaced := next(replacing, None)) is not None:
                out.append(replaced)
        out.extend(replacing)
    return "".join(out)


def _communes(entry: dict, cles: Cles) -> list[str]:
    value = entry.get(cles.commune)
    if value is None:
        return []
    return [str(value)] if isinstance(value, str) else [str(item) for item in value]


def _find(actions: list, ligne: Ligne, cles: Cles, matched: set[int]) -> CommentedMap | None:
    """The action of the row: by its Dauphin number, else by title, porteur and commune (one only)."""
    entries = [entry for entry in actions if isinstance(entry, dict) and id(entry) not in matched]
    if ligne.numero:
        key = normalise(ligne.numero)
        for entry in entries:
            if entry.get(cles.numero) is not None and normalise(str(entry[cles.numero])) == key:
                return entry
    titre, porteur = normalise(ligne.titre), normalise(ligne.porteur or "")
    communes = sorted(map(normalise, ligne.communes))
    same = [
        entry
        for entry in entries
        if normalise(str(entry.get(cles.titre, ""))) == titre
        and normalise(str(entry.get(cles.porteur) or "")) == porteur
        and (not communes or sorted(map(normalise, _communes(entry, cles))) == communes)
        and not (ligne.numero and entry.get(cles.numero) is not None)  # another number: another action
    ]
    return same[0] if len(same) == 1 else None


def _missing(value: Any, cles: Cles) -> bool:
    return value is None or value == "" or str(value).strip().upper().startswith(cles.a_classer.upper())


def _imported(entry: dict, financeurs: list[str], cles: Cles) -> bool:
    """Did this action come from an import (a number, or amounts of the sheet's funders)?"""
    amounts = entry.get(cles.montants)
    return entry.get(cles.numero) is not None or (
        isinstance(amounts, dict) and any(funder in amounts for funder in financeurs)
    )


def plain_amount(amount: Decimal) -> int | float:
    """An amount as YAML writes it plainly: ``12500``, or ``12500.5`` with cents (exact to the cent)."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _new_entry(ligne: Ligne, financeurs: list[str], cles: Cles, flow: bool) -> CommentedMap:
    """A new action, its keys in the order of the hand-written ones, the import's own after them."""
    entry = CommentedMap()
    entry[cles.titre] = DoubleQuotedScalarString(ligne.titre)  # as the hand-written titles are
    if ligne.communes:
        entry[cles.commune] = ligne.communes[0] if len(ligne.communes) == 1 else _seq(ligne.communes, flow)
    if ligne.quartiers:
        entry[cles.quartiers] = _seq(ligne.quartiers, flow)
    if ligne.porteur:
        entry[cles.porteur] = ligne.porteur
    entry[cles.noeud] = DoubleQuotedScalarString(ligne.noeud or cles.a_classer)  # "1.2" stays a code
    if ligne.nature:
        entry[cles.nature] = ligne.nature
    if ligne.numero:
        entry[cles.numero] = ligne.numero
    amounts = {funder: ligne.montants[funder] for funder in financeurs if funder in ligne.montants}
    if amounts:
        entry[cles.montants] = _amounts_map(amounts, flow)
    if flow:
        entry.fa.set_flow_style()
    return entry


def _seq(values: tuple[str, ...], flow: bool) -> CommentedSeq:
    seq = CommentedSeq(values)
    if flow:
        seq.fa.set_flow_style()
    return seq


def _amounts_map(amounts: dict[str, Decimal], flow: bool) -> CommentedMap:
    mapping = CommentedMap((funder, plain_amount(amount)) for funder, amount in amounts.items())
    if flow:
        mapping.fa.set_flow_style()
    return mapping


def read_amount(value: Any) -> Decimal | None:
    """An amount already in the YAML (a number or French text), None when unreadable."""
    try:
        return french.parse_amount(value)
    except ValueFormatError:
        return None


def _update(entry: CommentedMap, ligne: Ligne, lecture: Lecture, cles: Cles) -> list[str]:
    """Bring the sheet's news into an existing action; the French list of what changed."""
    changes = []
    fills = [
        (cles.numero, ligne.numero, f"numéro Dauphin {ligne.numero}"),
        (cles.porteur, ligne.porteur, f"porteur « {ligne.porteur} »"),
        (cles.nature, ligne.nature, f"nature {ligne.nature}"),
    ]
    for key, value, said in fills:
        if value and entry.get(key) is None:
            entry[key] = value
            changes.append(said)
    flow = entry.fa.flow_style()
    if ligne.communes and entry.get(cles.commune) is None:
        entry[cles.commune] = ligne.communes[0] if len(ligne.communes) == 1 else _seq(ligne.communes, flow)
        changes.append(f"commune {', '.join(ligne.communes)}")
    if ligne.quartiers and not entry.get(cles.quartiers):
        entry[cles.quartiers] = _seq(ligne.quartiers, flow)
        changes.append(f"quartiers {', '.join(ligne.quartiers)}")
    if ligne.noeud and _missing(entry.get(cles.noeud), cles):
        entry[cles.noeud] = DoubleQuotedScalarString(ligne.noeud)
        changes.append(f"classée en {ligne.noeud}")
    changes += _update_amounts(entry, ligne, lecture, cles, flow)
    return changes


def _update_amounts(entry: CommentedMap, ligne: Ligne, lecture: Lecture, cles: Cles, flow: bool) -> list[str]:
    amounts = entry.get(cles.montants)
    changes = []
    for funder in lecture.financeurs:
        old = read_amount(amounts.get(funder)) if isinstance(amounts, dict) and funder in amounts else None
        new = ligne.montants.get(funder)
        if old == new:
            continue
        if not isinstance(amounts, dict):
            amounts = _amounts_map({}, flow)
            entry[cles.montants] = amounts
        if new is None:
            del amounts[funder]
        else:
            amounts[funder] = plain_amount(new)
        before = "aucun" if old is None else french.format_amount(old)
        after = "aucun" if new is None else french.format_amount(new)
        changes.append(f"{lecture.noms.get(funder, funder)} : {before} → {after}")
    if isinstance(amounts, dict) and not amounts:
        del entry[cles.montants]
    return changes


def report(bilan: Bilan, where: Path, wrote: bool) -> list[str]:
    """The French lines that tell what an import did (or would do: nothing was written unless ``wrote``)."""
    if wrote:
        state = f"{where} complété"
    elif bilan.changed:
        state = f"essai, rien n'a été écrit dans {where}"
    else:
        state = f"{where} est déjà à jour"
    lines = [
        f"Actions ({state}) : {len(bilan.ajoutees)} ajoutée(s), "
        f"{len(bilan.modifiees)} modifiée(s), {bilan.inchangees} inchangée(s), {len(bilan.a_classer)} à classer."
    ]
    lines += [f"- ajoutée : {titre}" for titre in bilan.ajoutees]
    lines += [f"- modifiée : {m.titre} ({' ; '.join(m.changes)})" for m in bilan.modifiees]
    lines += [f"- à classer : {titre}" for titre in bilan.a_classer]
    lines += [f"- absente du tableau (gardée) : {titre}" for titre in bilan.absentes]
    lines += [f"- porteur ajouté à la liste : {porteur}" for porteur in bilan.porteurs]
    lines += [f"Total {funder} : {french.format_amount(total)}" for funder, total in bilan.totaux.items()]
    return lines
