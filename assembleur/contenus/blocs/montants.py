"""« montants » : amounts line by line (a funder's credits by thématique…); the data of ``graphique: montants``."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from pydantic import Field

from .. import french
from ..contrat import possibles
from ..types import Code, Modele, Montant, Texte
from .base import Bloc, Chart, Loc, Page, References, Verification, check_total, register


class LigneMontant(Modele):
    montant: Montant
    libelle: Texte
    precision: Texte | None = None


class MontantsDonnees(Modele):
    financeur: Code | None = None  # whose amounts these are: a funder of contrat.yaml
    total: Montant
    lignes: list[LigneMontant] = Field(min_length=1)


@register
class Montants(Bloc):
    genre = "montants"
    descriptions = {
        "montants": (
            "Dans un chapitre : des montants ligne par ligne, avec leur total tapé (comparé à la somme des lignes). "
            "Dans une action : ses montants par financeur (code du financeur de contrat.yaml : montant)."
        ),
        "montant": "Montant en euros.",
    }

    chart = Chart(
        "les montants, ligne par ligne",
        "Ce que montre le graphique d'un bloc « montants » (texte de remplacement).",
    )

    montants: MontantsDonnees

    def check_references(self, references: References) -> list[str]:
        code = self.montants.financeur
        if code is None or code in references.financeurs:
            return []
        return [f"le financeur « {code} » n'est pas dans contrat.yaml ; {possibles(code, references.financeurs)}."]

    def check(self, verification: Verification, stem: str, loc: Loc) -> None:
        data = self.montants
        where = (*loc, "montants", "total")
        whose = f" de « {verification.content.contrat.financeur(data.financeur).nom} »" if data.financeur else ""
        what = f"les montants{whose} ligne par ligne"
        check_total(verification, stem, where, what, (ligne.montant for ligne in data.lignes), data.total)

    def render(self, page: Page) -> None:
        for ligne in self.montants.lignes:
            precision = f" ({ligne.precision})" if ligne.precision else ""
            page.add("puce", f"{french.format_amount(ligne.montant)} {ligne.libelle}{precision}")

    def chart_data(self, text: Callable[[str], str]) -> list[tuple[str, Decimal]]:
        return [(text(ligne.libelle), ligne.montant) for ligne in self.montants.lignes]
