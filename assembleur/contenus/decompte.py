"""Counts and amounts from the one list of actions, by any dimension of the contract.

A dimension is a level of the strategy (named as contrat.yaml names it, « Défi »,
« Orientation »…, or its rank, 1 to 4), or one of :data:`DIMENSIONS`: the funders, the
quartiers, the communes, the nature (fonctionnement or investissement). The blocks
that type figures compare them with these counts; the blocks that show figures
(``repartition``) take them from here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .contrat import Contrat
from .types import INTERCO

DIMENSIONS = ("financeur", "quartier", "commune", "nature")

# Porteurs named after the local body that carries the action (the town, its CCAS, its conseil
# citoyen): the same name in two communes is two porteurs, so the commune is part of the name.
LOCAL_PORTEURS = {"ville", "ccas", "conseil citoyen"}


def porteur_key(action: Any, commune: str) -> str:
    """The identity of the porteur of ``action`` in ``commune``, for counting distinct porteurs."""
    if action.porteur is None:
        return f"(porteur de {commune})"  # no porteur named: each commune carries the action itself
    name = unicodedata.normalize("NFKD", action.porteur.strip().lower())
    name = "".join(c for c in name if not unicodedata.combining(c))  # "Prévert" and "Prevert" are one porteur
    return f"{name} — {commune}" if name in LOCAL_PORTEURS else name


@dataclass
class Tally:
    """Projets, distinct porteurs and amounts of a set of actions (an action in n communes is n projets)."""

    projets: int = 0
    porteurs: set[str] = field(default_factory=set)
    montant: Decimal = Decimal(0)

    def add(self, action: Any, financeur: str | None = None) -> None:
        for commune in action.communes or [""]:
            self.projets += 1
            self.porteurs.add(porteur_key(action, commune))
        amounts = action.montants.items()
        self.montant += sum((v for k, v in amounts if financeur is None or k == financeur), Decimal(0))


def level_rank(contrat: Contrat, par: str | int) -> int | None:
    """The rank (1…) of a level of the strategy named ``par`` (its name or its rank), else None."""
    niveaux = contrat.strategie.niveaux
    if isinstance(par, int) or str(par).isdigit():
        rank = int(par)
        return rank if 1 <= rank <= len(niveaux) else None
    lowered = [n.lower() for n in niveaux]
    return lowered.index(str(par).lower()) + 1 if str(par).lower() in lowered else None


def dimensions(contrat: Contrat) -> list[str]:
    """Every dimension a repartition may take: the levels of the strategy, then the others."""
    return [*contrat.strategie.niveaux, *DIMENSIONS]


def _keys(contrat: Contrat, action: Any, par: str) -> list[tuple[str, str]]:
    """The (key, label) groups an action belongs to along ``par``."""
    rank = level_rank(contrat, par)
    if rank is not None:
        element = contrat.strategie.ancestor(action.strategie, rank)
        return [(element.code, element.titre)] if element else []
    if par == "financeur":
        return [(code, contrat.financeur(code).nom) for code, amount in action.montants.items() if amount]
    if par == "quartier":
        names = {q.code: q.nom for q in contrat.territoire.quartiers}
        return [(code, names.get(code, code)) for code in action.quartiers]
    if par == "commune":
        return [(c, c) for c in action.communes or [INTERCO]]
    return [(action.nature, action.nature.capitalize())]


def group(contrat: Contrat, actions: list[Any], par: str) -> dict[tuple[str, str], Tally]:
    """The actions tallied along ``par``, in the order of the contract (then of first appearance)."""
    tallies: dict[tuple[str, str], Tally] = {}
    rank = level_rank(contrat, par)
    if rank is not None:  # every element of the level, even without action
        tallies = {(e.code, e.titre): Tally() for e in contrat.strategie.at_level(rank)}
    elif par == "financeur":
        tallies = {(f.code, f.nom): Tally() for f in contrat.financeurs}
    for action in actions:
        for key in _keys(contrat, action, par):
            tally = tallies.setdefault(key, Tally())
            if par == "financeur":
                tally.add(action, financeur=key[0])
            elif par == "commune":  # one projet in this commune, not one per commune of the action
                tally.projets += 1
                tally.porteurs.add(porteur_key(action, key[0]))
                tally.montant += sum(action.montants.values(), Decimal(0))
            else:
                tally.add(action)
    if par == "financeur":
        tallies = {key: tally for key, tally in tallies.items() if tally.projets}
    return tallies


def by_element(contrat: Contrat, actions: list[Any]) -> dict[str, Tally]:
    """Each element of the strategy with the actions attached to it or to an element under it."""
    tallies: dict[str, Tally] = {}
    for action in actions:
        for element in contrat.strategie.lineage(action.strategie):
            tallies.setdefault(element.code, Tally()).add(action)
    return tallies
