"""« actions » : the year's actions of some thématiques, listed under their element of the strategy."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..types import INTERCO, Modele, Texte
from .base import Bloc, Page, References, register, unknown_thematiques


class SelectionActions(Modele):
    thematiques: list[Texte] = Field(min_length=1)


def action_line(action: Any, separator: str = " à ") -> str:
    """An action as the rapport lists it: « Titre à Commune (Porteur) »."""
    places = [c for c in action.communes if c != INTERCO]
    line = action.titre
    if places:
        line += separator + ", ".join(places)
    elif separator != " à ":
        line += separator + INTERCO
    if action.porteur:
        line += f" ({action.porteur})"
    return line


@register
class Actions(Bloc):
    genre = "actions"
    descriptions = {
        "actions": (
            "Dans un chapitre : les actions à lister (par thématique). "
            "Dans programmation.yaml : la liste unique des actions."
        ),
    }

    actions: SelectionActions

    def check_references(self, references: References) -> list[str]:
        return unknown_thematiques(self.actions.thematiques, references)

    def render(self, page: Page) -> None:
        content = page.content
        strategie = content.contrat.strategie
        groups: dict[str, list[Any]] = {}
        for action in content.programmation.actions:
            if action.thematique in self.actions.thematiques:
                groups.setdefault(action.strategie, []).append(action)
        for code, actions in groups.items():
            niveaux = strategie.niveaux
            if len(niveaux) > 1 and strategie.level_of(code) == len(niveaux):  # headed as the level above names it
                page.add("priorite", f"{niveaux[-2]} {code} {strategie.element(code).titre}")
            for action in actions:
                page.add("puce", action_line(action))
