"""« graphique » : a chart drawn from the data of another block of the chapters (its name)."""

from __future__ import annotations

from typing import Literal

from .base import Bloc, Page, References, register


@register
class Graphique(Bloc):
    genre = "graphique"
    descriptions = {"graphique": "Un graphique dessiné depuis les données : financement ou montants."}

    graphique: Literal["financement", "montants"]  # the kinds whose chart_data gives the values

    def check_references(self, references: References) -> list[str]:
        if self.graphique in references.genres:
            return []
        name = self.graphique
        return [f"le graphique « {name} » n'a pas de données : ajoutez un bloc « {name} » au texte."]

    def render(self, page: Page) -> None:
        page.chart(self.graphique)
