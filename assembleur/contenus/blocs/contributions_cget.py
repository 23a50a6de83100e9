"""« contributions_cget » : the CGET's credits per thématique; the data of ``graphique: contributions_cget``."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from pydantic import Field

from .. import french
from ..types import Modele, Montant, Texte
from .base import Bloc, Chart, Loc, Page, Verification, check_total, register


class LigneContribution(Modele):
    montant: Montant
    libelle: Texte
    precision: Texte | None = None


class ContributionsDonnees(Modele):
    total: Montant
    lignes: list[LigneContribution] = Field(min_length=1)


@register
class ContributionsCget(Bloc):
    genre = "contributions_cget"
    descriptions = {
        "contributions_cget": "Contributions du CGET par thématique (total comparé à la somme).",
        "montant": "Montant en euros.",
    }
    chart = Chart(
        "les contributions du CGET par thématique",
        "Ce que montre le graphique des contributions du CGET (texte de remplacement).",
    )

    contributions_cget: ContributionsDonnees

    def check(self, verification: Verification, stem: str, loc: Loc) -> None:
        data = self.contributions_cget
        where = (*loc, "contributions_cget", "total")
        what = "les contributions du CGET par thématique"
        check_total(verification, stem, where, what, (ligne.montant for ligne in data.lignes), data.total)

    def render(self, page: Page) -> None:
        for ligne in self.contributions_cget.lignes:
            precision = f" ({ligne.precision})" if ligne.precision else ""
            page.add("puce", f"{french.format_amount(ligne.montant)} {ligne.libelle}{precision}")

    def chart_data(self, text: Callable[[str], str]) -> list[tuple[str, Decimal]]:
        return [(text(ligne.libelle), ligne.montant) for ligne in self.contributions_cget.lignes]
