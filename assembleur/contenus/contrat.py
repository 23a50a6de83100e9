"""The contrat de ville as content: the contract, its territory, its strategy and its funders.

The ``contrat.yaml`` file of a year declares what the program must not know
by itself: which collectivité pilots the contract, its communes and
quartiers prioritaires, the levels and elements of its strategy (named by
the contract, for instance « Défi › Orientation › Objectif opérationnel »), and who funds the actions.
The actions of ``programmation.yaml`` refer to it by code; :func:`check_actions`
says, at the action's line, which code is unknown and which ones exist.

It lives in the year's folder, beside the files that refer to it: a project
may hold years of two generations of contract (a 2019 rapport under the 2015
contract, a 2025 one under its 2024 successor), and an avenant changes it
from a given year on; ``assembleur nouveau`` copies it unchanged.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PrivateAttr, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from .types import (
    DEPARTEMENT_SCHEMA,
    SIREN_SCHEMA,
    Code,
    Date,
    Modele,
    Nombre,
    OuiNon,
    Texte,
    check_departement,
    check_siren,
    is_to_fill,
    one_of,
)

GENERATIONS = (2015, 2024)
# official codes of the quartiers prioritaires: « QP » + 6 for the 2015 list, « QN » + 6 since 2024
QUARTIER_CODES = {2015: re.compile(r"^QP[0-9A-Z]{6}$"), 2024: re.compile(r"^QN[0-9A-Z]{6}$")}
INTERCOMMUNAL = "intercommunal"  # an action for the whole territory, in no quartier in particular
HORS_QPV = "hors QPV"  # an action outside the quartiers prioritaires
PLACES = (INTERCOMMUNAL, HORS_QPV)
A_CLASSER = "à classer"  # the element of an imported action that no theme maps to (verifier lists it)
MAX_LEVELS = 4

TypeFinanceur = Literal[
    "etat_credits_specifiques",  # the State's credits of the politique de la ville (programme 147)
    "etat_droit_commun",
    "epci",
    "commune",
    "departement",
    "region",
    "caf",
    "bailleurs",  # abattement de TFPB
    "europe",  # FSE+, FEDER
    "banque_des_territoires",
    "autre",
]
TypeZone = Literal["quartier_veille_active", "quartier_vecu", "secteur_attention_particuliere", "autre"]


def _pattern(expression: str, what: str, example: str) -> Callable[[str], str]:
    compiled = re.compile(expression)

    def check(value: str) -> str:
        if not is_to_fill(value) and not compiled.match(value):
            raise PydanticCustomError(
                "code", "{quoi} « {v} » mal formé ; écrivez par exemple {ex}", {"quoi": what, "v": value, "ex": example}
            )
        return value

    return check


class Periode(Modele):
    debut: Annotated[int, Field(ge=2000, le=2100)]
    fin: Annotated[int, Field(ge=2000, le=2100)]


class Avenant(Modele):
    titre: Texte
    date: Date | None = None


class ContratDeVille(Modele):
    nom: Texte
    generation: Literal[2015, 2024]
    periode: Periode
    signataires: list[Texte] = []
    avenants: list[Avenant] = []


def _or_to_fill(check: Callable[[Any], str]) -> Callable[[Any], Any]:
    """``check``, unless the value is still « À COMPLÉTER » (a project made by ``init``)."""
    return lambda value: value if is_to_fill(value) else check(value)


class Pilote(Modele):
    """The EPCI (or commune) that pilots the contract and publishes the rapport; @ctes needs its SIREN."""

    nom: Texte
    sigle: Texte
    siren: Annotated[str, BeforeValidator(_or_to_fill(check_siren)), WithJsonSchema(SIREN_SCHEMA)] | None = None
    departement: (
        Annotated[str, BeforeValidator(_or_to_fill(check_departement)), WithJsonSchema(DEPARTEMENT_SCHEMA)] | None
    ) = None

    @property
    def identity(self) -> dict[str, str | None]:
        """The SIREN and the département, None while missing or still « À COMPLÉTER »."""
        identity = {"siren": self.siren, "departement": self.departement}
        return {key: None if is_to_fill(value) else value for key, value in identity.items()}


class Commune(Modele):
    nom: Texte
    insee: Texte | None = None
    dsu: OuiNon | None = None  # does the commune receive the dotation de solidarité urbaine?

    _insee = field_validator("insee")(_pattern(r"^(\d{5}|2[AB]\d{3})$", "code INSEE", '"62119" (5 caractères)'))


class Quartier(Modele):
    code: Texte  # QP… (2015) or QN… (2024), checked against the generation
    nom: Texte
    communes: list[Texte] = Field(min_length=1)
    population: Nombre | None = None


class Zone(Modele):
    type: TypeZone
    nom: Texte
    communes: list[Texte] = []


class Territoire(Modele):
    pilote: Pilote
    communes: list[Commune] = Field(min_length=1)
    quartiers: list[Quartier] = []
    autres_zones: list[Zone] = []


class AxeTransversal(Modele):
    """An axe transversal of the strategy (égalité femmes-hommes, jeunesse…) and its enjeux."""

    axe: Texte
    enjeux: list[Texte] = Field(min_length=1)


class Element(Modele):
    """An element of the strategy: its level is one more than its parent's."""

    code: Code
    titre: Texte
    parent: Code | None = None


class ProjetDeQuartier(Modele):
    titre: Texte | None = None
    objectifs: list[Texte] = Field(min_length=1)


class Strategie(Modele):
    niveaux: list[Texte] = Field(min_length=1, max_length=MAX_LEVELS)
    elements: list[Element] = Field(min_length=1)
    axes_transversaux: list[AxeTransversal] = []
    projets_de_quartier: dict[str, ProjetDeQuartier] = {}
    _lineages: dict[str, list[Element]] = PrivateAttr(default_factory=dict)

    def element(self, code: str) -> Element:
        """The element of that code (known to exist: checked at validation)."""
        return next(e for e in self.elements if e.code == code)

    def lineage(self, code: str) -> list[Element]:
        """The element of ``code`` and its ancestors, from the first level down to it."""
        if code not in self._lineages:  # asked for each action in each table: worked out once per code
            elements: dict[str, Element] = {}
            for element in self.elements:
                elements.setdefault(element.code, element)  # the first of a code, as element() finds it
            chain: list[str] = []
            current: str | None = code
            while current is not None and current in elements and current not in chain:
                chain.append(current)
                current = elements[current].parent
            self._lineages[code] = [elements[c] for c in reversed(chain)]
        return list(self._lineages[code])

    def level_of(self, code: str) -> int:
        """1 for an element of the first level, 2 under it…"""
        return len(self.lineage(code))

    def at_level(self, level: int) -> list[Element]:
        """The elements of one level, in the order the file declares them."""
        return [e for e in self.elements if self.level_of(e.code) == level]

    def children(self, code: str) -> list[Element]:
        return [e for e in self.elements if e.parent == code]

    def ancestor(self, code: str, level: int) -> Element | None:
        """The element of ``level`` above (or at) ``code``; none when ``code`` is higher."""
        chain = self.lineage(code)
        return chain[level - 1] if len(chain) >= level else None

    def level_name(self, code: str) -> str:
        return self.niveaux[min(self.level_of(code), len(self.niveaux)) - 1]


class Financeur(Modele):
    code: Code
    nom: Texte
    type: TypeFinanceur


class Contrat(Modele):
    """The ``contrat.yaml`` file."""

    contrat: ContratDeVille
    territoire: Territoire
    strategie: Strategie
    financeurs: list[Financeur] = []

    @property
    def pilote(self) -> Pilote:
        return self.territoire.pilote

    def financeur(self, code: str) -> Financeur:
        return next(f for f in self.financeurs if f.code == code)

    @property
    def has_dsu(self) -> bool:
        """Does a commune of the contract receive the DSU (the rapport then has a DSU part)?"""
        return any(commune.dsu for commune in self.territoire.communes)


# --- checks across the file and with the actions -------------------------------------

At = Callable[[tuple[Any, ...], str], None]  # reports a message at a key path of the file being checked


def possibles(word: str, choices: list[str]) -> str:
    """« valeurs possibles : a, b ou c », the closest to ``word`` first (at most five)."""
    if not choices:
        return "aucune valeur n'est déclarée"
    near = difflib.get_close_matches(word, choices, n=5, cutoff=0.0) if len(choices) > 5 else list(choices)
    return f"valeurs possibles : {one_of(near)}"


def _duplicates(values: list[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield index, value
        seen.add(value)


def check_contrat(contrat: Contrat, at: At) -> None:
    """The strategy is a tree of declared levels; codes are unique; quartiers are of the generation."""
    strategie, generation = contrat.strategie, contrat.contrat.generation
    declared: set[str] = set()
    for index, element in enumerate(strategie.elements):
        loc = ("strategie", "elements", index)
        if element.code in declared:
            at((*loc, "code"), f"le code « {element.code} » est déclaré deux fois dans la stratégie.")
        if element.parent is not None and element.parent not in declared:
            at(
                (*loc, "parent"),
                f"l'élément parent « {element.parent} » n'est pas déclaré plus haut dans la stratégie ; "
                f"{possibles(element.parent, sorted(declared))}.",
            )
        elif strategie.level_of(element.code) > len(strategie.niveaux):
            at(
                (*loc, "parent"),
                f"« {element.code} » serait au niveau {strategie.level_of(element.code)}, mais la stratégie "
                f"déclare {len(strategie.niveaux)} niveau(x) ({', '.join(strategie.niveaux)}).",
            )
        declared.add(element.code)
    communes = [c.nom for c in contrat.territoire.communes]
    for index, name in _duplicates(communes):
        at(("territoire", "communes", index, "nom"), f"la commune « {name} » est déclarée deux fois.")
    pattern = QUARTIER_CODES[generation]
    codes = [q.code for q in contrat.territoire.quartiers]
    for index, quartier in enumerate(contrat.territoire.quartiers):
        loc = ("territoire", "quartiers", index)
        if not is_to_fill(quartier.code) and not pattern.match(quartier.code):
            prefix = "QP" if generation == 2015 else "QN"
            at(
                (*loc, "code"),
                f"code de quartier « {quartier.code} » mal formé pour un contrat de {generation} : "
                f"« {prefix} » suivi de 6 caractères (par exemple {prefix}062023).",
            )
        for c_index, commune in enumerate(quartier.communes):
            if commune not in communes and not is_to_fill(commune):
                at(
                    (*loc, "communes", c_index),
                    f"la commune « {commune} » n'est pas dans « territoire › communes » ; "
                    f"{possibles(commune, communes)}.",
                )
    for index, code in _duplicates(codes):
        at(("territoire", "quartiers", index, "code"), f"le quartier « {code} » est déclaré deux fois.")
    for code in strategie.projets_de_quartier:
        if code not in codes:
            at(
                ("strategie", "projets_de_quartier", code),
                f"le projet de quartier « {code} » ne correspond à aucun quartier du territoire ; "
                f"{possibles(code, codes)}.",
            )
    for index, code in _duplicates([f.code for f in contrat.financeurs]):
        at(("financeurs", index, "code"), f"le financeur « {code} » est déclaré deux fois.")


def check_actions(contrat: Contrat, actions: list[Any], at: At) -> None:
    """Each action's strategy element, quartiers, commune and funders are those of the contract."""
    elements = [e.code for e in contrat.strategie.elements]
    quartiers = [q.code for q in contrat.territoire.quartiers]
    communes = [c.nom for c in contrat.territoire.communes]
    financeurs = [f.code for f in contrat.financeurs]
    for index, action in enumerate(actions):
        loc = ("actions", index)
        if action.strategie not in (*elements, A_CLASSER) and not is_to_fill(action.strategie):
            at(
                (*loc, "strategie"),
                f"l'élément « {action.strategie} » n'existe pas dans la stratégie de contrat.yaml ; "
                f"{possibles(action.strategie, elements)}.",
            )
        for place in action.quartiers:
            if place not in quartiers and place not in PLACES and not is_to_fill(place):
                at(
                    (*loc, "quartiers"),
                    f"le quartier « {place} » n'est pas dans contrat.yaml ; {possibles(place, [*quartiers, *PLACES])}.",
                )
        for commune in action.named_communes:
            if commune not in communes and not is_to_fill(commune):
                at(
                    (*loc, "commune"),
                    f"la commune « {commune} » n'est pas dans contrat.yaml (territoire › communes) ; "
                    f"{possibles(commune, communes)}.",
                )
        for code in action.montants:
            if code not in financeurs:
                at(
                    (*loc, "montants", code),
                    f"le financeur « {code} » n'est pas dans contrat.yaml ; {possibles(code, financeurs)}.",
                )
