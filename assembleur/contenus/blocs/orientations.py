"""« orientations » : the table of orientations and objectifs opérationnels, under the titles of their groups."""

from __future__ import annotations

from pydantic import Field

from ..types import CelluleTexte, Modele, Texte
from .base import Bloc, Page, register


class Orientation(Modele):
    intitule: Texte
    objectifs: list[Texte] = Field(min_length=1)


class GroupeOrientations(Modele):
    titre: Texte
    orientations: list[Orientation] = Field(min_length=1)


@register
class Orientations(Bloc):
    genre = "orientations"
    descriptions = {
        "orientations": "Tableau des orientations et objectifs opérationnels, groupés sous un titre.",
        "intitule": "Intitulé de l'orientation.",
        "objectifs": "Objectifs opérationnels, un par ligne.",
    }

    orientations: list[GroupeOrientations] = Field(min_length=1)
    entetes: list[CelluleTexte] = Field(["ORIENTATIONS", "OBJECTIFS OPERATIONNELS"], min_length=2, max_length=2)

    def render(self, page: Page) -> None:
        rows = [[page.cell(h, bold=True) for h in self.entetes]]
        for groupe in self.orientations:
            rows.append([page.cell(groupe.titre, bold=True, colspan=2, shade=page.group_shade)])
            for orientation in groupe.orientations:
                rows.append(
                    [
                        page.cell(orientation.intitule, rowspan=len(orientation.objectifs)),
                        page.cell(orientation.objectifs[0]),
                    ]
                )
                rows.extend([page.cell(objectif)] for objectif in orientation.objectifs[1:])
        page.table(rows, widths=[1, 1.4])
