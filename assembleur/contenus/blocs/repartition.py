"""« repartition » : projets (and amounts) along one dimension, counted from the list of actions.

Along a level of the contract's strategy (by its name: « Défi », « Orientation »…), the
funders, the quartiers, the communes or the nature of the actions. With ``lignes``,
the block shows the figures as the rapport types them, each compared with the
actions by ``verifier``; without, it shows a table computed from the actions, and
with ``diagramme: oui`` a bar chart of the same figures (with its alternative text).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from .. import decompte, french
from ..contrat import possibles
from ..types import CelluleTexte, Code, Modele, Nombre, OuiNon, Texte
from .base import Bloc, Loc, Page, References, Verification, element_label, register


class LigneRepartition(Modele):
    element: Code | None = None  # the element of the strategy whose projets these are; none: not compared
    libelle: Texte
    projets: Nombre


class RepartitionDonnees(Modele):
    par: Texte  # a level of the strategy, or financeur, quartier, commune, nature
    lignes: list[LigneRepartition] = []
    mesure: Literal["projets", "montant"] = "projets"
    diagramme: OuiNon = False  # a bar chart of the same figures, under the table
    entetes: list[CelluleTexte] | None = Field(None, min_length=3, max_length=3)
    sujet: Texte | None = None  # what the chart shows, for its alternative text


@register
class Repartition(Bloc):
    genre = "repartition"
    descriptions = {
        "repartition": (
            "Projets par niveau de la stratégie, par financeur, quartier, commune ou nature, "
            "comptés depuis la liste des actions (ou tapés, et comparés à elle)."
        ),
        "par": "Un niveau de la stratégie (son nom dans contrat.yaml), financeur, quartier, commune ou nature.",
        "element": "Code de l'élément de la stratégie (contrat.yaml) ; sans code, la ligne n'est pas comparée.",
        "mesure": "Ce que le graphique dessine : projets ou montant.",
        "diagramme": "oui : un graphique en barres des mêmes chiffres, sous le tableau.",
        "sujet": "Ce que montre le graphique, pour son texte de remplacement.",
    }

    repartition: RepartitionDonnees

    def check_references(self, references: References) -> list[str]:
        data, errors = self.repartition, []
        if data.par.lower() not in [d.lower() for d in references.dimensions]:
            errors.append(f"répartition par « {data.par} » inconnue ; {possibles(data.par, references.dimensions)}.")
        for ligne in data.lignes:
            if ligne.element is not None and ligne.element not in references.elements:
                errors.append(
                    f"l'élément « {ligne.element} » n'existe pas dans la stratégie de contrat.yaml ; "
                    f"{possibles(ligne.element, references.elements)}."
                )
        return errors

    def check(self, verification: Verification, stem: str, loc: Loc) -> None:
        data = self.repartition
        for index, ligne in enumerate(data.lignes):
            if ligne.element is None:
                continue
            tally = verification.by_element.get(ligne.element)
            computed = tally.projets if tally else 0
            if computed != ligne.projets:
                verification.warn(
                    stem,
                    (*loc, "repartition", "lignes", index, "projets"),
                    f"{ligne.projets} projets annoncés pour {element_label(verification.content, ligne.element)}, "
                    f"mais la liste des actions en compte {computed}.",
                )
        retenus = verification.known.get("projets_retenus")
        total = sum(ligne.projets for ligne in data.lignes)
        if data.lignes and retenus and total != retenus.value:
            verification.warn(
                stem,
                (*loc, "repartition"),
                f"la répartition par {data.par.lower()} totalise {total} projets, et non {retenus} (projets_retenus).",
            )

    def projets_announced(self) -> dict[str, int]:
        return {ligne.element: ligne.projets for ligne in self.repartition.lignes if ligne.element}

    def render(self, page: Page) -> None:
        data = self.repartition
        if data.lignes:
            for ligne in data.lignes:
                page.add("puce", f"**{ligne.libelle} : {ligne.projets} projet{'s' if ligne.projets > 1 else ''}**")
            return
        contrat = page.content.contrat
        tallies = decompte.group(contrat, page.content.programmation.actions, data.par)
        entetes = data.entetes or [data.par.capitalize(), "Projets", "Montant"]
        rows = [[page.cell(h, bold=True) for h in entetes]]
        rows += [
            [
                page.cell(label),
                page.cell(tally.projets, align="right"),
                page.cell(french.format_amount(tally.montant) if tally.montant else "–", align="right"),
            ]
            for (_, label), tally in tallies.items()
        ]
        page.table(rows, widths=[4, 1, 1.6])
        if data.diagramme:
            values = [
                (label, Decimal(tally.projets) if data.mesure == "projets" else tally.montant)
                for (_, label), tally in tallies.items()
            ]
            what = "le nombre de projets" if data.mesure == "projets" else "les montants"
            subject = data.sujet or f"{what} par {data.par.lower()}"
            page.chart(self.genre, values, "nombre" if data.mesure == "projets" else "montant", subject)
