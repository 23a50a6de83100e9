"""« graphique » : a chart drawn from the data of another block of the chapters (its kind's name)."""

from __future__ import annotations

from .base import Bloc, ChartKind, Page, References, register


@register
class Graphique(Bloc):
    genre = "graphique"
    descriptions = {"graphique": "Un graphique dessiné depuis les données d'un autre bloc : le genre de ce bloc."}

    graphique: ChartKind  # a kind that feeds a chart (base.chart_kinds), whose chart_data gives the values

    def check_references(self, references: References) -> list[str]:
        if self.graphique in references.genres:
            return []
        name = self.graphique
        return [f"le graphique « {name} » n'a pas de données : ajoutez un bloc « {name} » au texte."]

    def render(self, page: Page) -> None:
        page.chart(self.graphique)
