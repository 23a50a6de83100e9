"""« repartition_piliers » : the number of projets per pilier, compared with the list of actions."""

from __future__ import annotations

from pydantic import Field

from ..types import PILIER_NAMES, Modele, Nombre, Pilier, Texte
from .base import Bloc, Loc, Page, Verification, announced, register


class LignePilier(Modele):
    pilier: Pilier
    libelle: Texte
    projets: Nombre


@register
class RepartitionPiliers(Bloc):
    genre = "repartition_piliers"
    descriptions = {"repartition_piliers": "Nombre de projets par pilier (comparé à la liste des actions)."}

    repartition_piliers: list[LignePilier] = Field(min_length=1)

    def check(self, verification: Verification, stem: str, loc: Loc) -> None:
        for index, ligne in enumerate(self.repartition_piliers):
            tally = verification.by_pilier.get(ligne.pilier)
            computed = tally.projets if tally else 0
            if ligne.pilier != "pilotage" and computed != ligne.projets:
                verification.warn(
                    stem,
                    (*loc, "repartition_piliers", index, "projets"),
                    f"{ligne.projets} projets annoncés pour le pilier « {PILIER_NAMES[ligne.pilier]} », "
                    f"mais la liste des actions en compte {computed}.",
                )
        retenus = verification.known.get("projets_retenus")
        total = sum(announced(verification, until=self).values())
        if retenus and total != retenus.value:
            verification.warn(
                stem,
                (*loc, "repartition_piliers"),
                f"la répartition par pilier totalise {total} projets, et non {retenus} (projets_retenus).",
            )

    def projets_announced(self) -> dict[str, int]:
        return {ligne.pilier: ligne.projets for ligne in self.repartition_piliers}

    def render(self, page: Page) -> None:
        for ligne in self.repartition_piliers:
            page.add("puce", f"**{ligne.libelle} : {ligne.projets} projet{'s' if ligne.projets > 1 else ''}**")
