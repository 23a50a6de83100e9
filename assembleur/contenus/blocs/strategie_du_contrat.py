"""« strategie_du_contrat » : the strategy of contrat.yaml as a table (and its projets de quartier).

Each element on its line, under the name of its level (« Défi 1 », « Orientation 1.2 »…),
the first level shaded; then, for a 2024 contract, each projet de quartier and its objectifs.
"""

from __future__ import annotations

from pydantic import Field

from ..types import CelluleTexte, Modele, OuiNon
from .base import Bloc, Page, register


class StrategieAffichage(Modele):
    entetes: list[CelluleTexte] = Field(["Niveau", "Intitulé"], min_length=2, max_length=2)
    projets_de_quartier: OuiNon = True  # the projets de quartier of contrat.yaml, after the table


@register
class StrategieDuContrat(Bloc):
    genre = "strategie_du_contrat"
    descriptions = {
        "strategie_du_contrat": (
            "La stratégie de contrat.yaml en tableau (chaque élément sous le nom de son niveau), "
            "puis ses projets de quartier."
        ),
    }

    strategie_du_contrat: StrategieAffichage = StrategieAffichage()

    def render(self, page: Page) -> None:
        contrat = page.content.contrat
        strategie = contrat.strategie
        rows = [[page.cell(h, bold=True) for h in self.strategie_du_contrat.entetes]]

        def add(code: str | None) -> None:
            for element in [e for e in strategie.elements if e.parent == code]:
                first = element.parent is None
                label = f"{strategie.level_name(element.code)} {element.code}"
                shade = page.group_shade if first else ""
                rows.append(
                    [page.cell(label, bold=first, shade=shade), page.cell(element.titre, bold=first, shade=shade)]
                )
                add(element.code)

        add(None)
        page.table(rows, widths=[1.2, 4], can_split=True)
        if not self.strategie_du_contrat.projets_de_quartier:
            return
        names = {q.code: q.nom for q in contrat.territoire.quartiers}
        for code, projet in strategie.projets_de_quartier.items():
            page.add("intertitre", f"Projet de quartier – {names.get(code, code)}")
            if projet.titre:
                page.add("paragraphe", f"**{projet.titre}**")
            for objectif in projet.objectifs:
                page.add("puce", objectif)
