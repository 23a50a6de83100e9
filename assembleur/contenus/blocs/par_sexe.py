"""« par_sexe » : an indicator given for women, men and in total, per quartier or for the territory.

Article L.1111-2 of the CGCT: « les données de ce rapport sont présentées par sexe ». Each
line is a quartier of contrat.yaml (by its code) or any other place (« Territoire »…);
``verifier`` checks that women and men add up to the total, when the total is typed.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .. import french
from ..contrat import QUARTIER_CODES, possibles
from ..types import CelluleTexte, Modele, Nombre, Texte
from .base import Bloc, Loc, Page, References, Verification, register


class LigneParSexe(Modele):
    lieu: Texte  # a quartier's code (its name is printed), or a place in words
    femmes: Nombre
    hommes: Nombre
    total: Nombre | None = None  # when not typed: femmes + hommes


class ParSexeDonnees(Modele):
    titre: Texte
    source: Texte
    annee: Annotated[int, Field(ge=1990, le=2100)]
    lignes: list[LigneParSexe] = Field(min_length=1)
    entetes: list[CelluleTexte] = Field(["Lieu", "Femmes", "Hommes", "Total"], min_length=4, max_length=4)


def _is_code(lieu: str) -> bool:
    return any(pattern.match(lieu) for pattern in QUARTIER_CODES.values())


@register
class ParSexe(Bloc):
    genre = "par_sexe"
    descriptions = {
        "par_sexe": (
            "Un indicateur présenté par sexe (femmes, hommes, total), par quartier ou pour le territoire, "
            "avec sa source et son année (CGCT, art. L.1111-2)."
        ),
        "lieu": "Code d'un quartier de contrat.yaml (son nom s'imprime) ou un lieu en toutes lettres (« Territoire »).",
        "femmes": "Nombre de femmes.",
        "hommes": "Nombre d'hommes.",
        "source": "Source de la donnée (INSEE, France Travail…).",
    }

    par_sexe: ParSexeDonnees

    def check_references(self, references: References) -> list[str]:
        return [
            f"le quartier « {ligne.lieu} » n'est pas dans contrat.yaml ; {possibles(ligne.lieu, references.quartiers)}."
            for ligne in self.par_sexe.lignes
            if _is_code(ligne.lieu) and ligne.lieu not in references.quartiers
        ]

    def check(self, verification: Verification, stem: str, loc: Loc) -> None:
        for index, ligne in enumerate(self.par_sexe.lignes):
            if ligne.total is not None and ligne.femmes + ligne.hommes != ligne.total:
                verification.warn(
                    stem,
                    (*loc, "par_sexe", "lignes", index, "total"),
                    f"« {self.par_sexe.titre} », {ligne.lieu} : {ligne.femmes} femmes et {ligne.hommes} hommes "
                    f"font {ligne.femmes + ligne.hommes}, et non {ligne.total}.",
                )

    def render(self, page: Page) -> None:
        data = self.par_sexe
        names = {q.code: q.nom for q in page.content.contrat.territoire.quartiers}
        page.add("intertitre", data.titre)
        rows = [[page.cell(h, bold=True, align="left" if i == 0 else "right") for i, h in enumerate(data.entetes)]]
        for ligne in data.lignes:
            total = ligne.total if ligne.total is not None else ligne.femmes + ligne.hommes
            rows.append(
                [
                    page.cell(names.get(ligne.lieu, ligne.lieu)),
                    page.cell(french.format_number(ligne.femmes), align="right"),
                    page.cell(french.format_number(ligne.hommes), align="right"),
                    page.cell(french.format_number(total), align="right"),
                ]
            )
        page.table(rows, widths=[3, 1, 1, 1])
        page.add("note", f"Source : {data.source}, {data.annee}.")
