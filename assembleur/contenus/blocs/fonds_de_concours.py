"""« fonds_de_concours » : the table of the fonds de concours (FDC); its total is checked."""

from __future__ import annotations

from pydantic import Field

from .. import french
from ..types import CelluleTexte, Modele, Montant, Texte
from .base import Bloc, Loc, Page, Verification, check_total, register


class LigneFondsDeConcours(Modele):
    commune: Texte
    projet: Texte
    montant_operation: Montant
    montant_fdc: Montant
    precision: Texte | None = None


class FondsDeConcoursDonnees(Modele):
    lignes: list[LigneFondsDeConcours] = Field(min_length=1)
    total: Montant
    entetes: list[CelluleTexte] = Field(
        ["Commune", "Projet", "Montant opération", "Montant FDC en euros"], min_length=4, max_length=4
    )
    libelle_total: Texte = "TOTAL FDC"


@register
class FondsDeConcours(Bloc):
    genre = "fonds_de_concours"
    descriptions = {
        "fonds_de_concours": "Tableau des fonds de concours.",
        "projet": "Intitulé du projet.",
        "montant_operation": "Montant de l'opération.",
        "montant_fdc": "Montant du fonds de concours.",
        "libelle_total": "Libellé de la ligne du total.",
    }

    fonds_de_concours: FondsDeConcoursDonnees

    def check(self, verification: Verification, stem: str, loc: Loc) -> None:
        data = self.fonds_de_concours
        where = (*loc, "fonds_de_concours", "total")
        what = "les lignes du fonds de concours"
        check_total(verification, stem, where, what, (ligne.montant_fdc for ligne in data.lignes), data.total)

    def render(self, page: Page) -> None:
        data = self.fonds_de_concours
        rows = [[page.cell(h, bold=True) for h in data.entetes]]
        for ligne in data.lignes:
            fdc = french.format_number(ligne.montant_fdc)
            if ligne.precision:
                fdc += f" ({ligne.precision})"
            rows.append(
                [
                    page.cell(ligne.commune),
                    page.cell(ligne.projet),
                    page.cell(french.format_number(ligne.montant_operation), align="right"),
                    page.cell(fdc, align="right"),
                ]
            )
        rows.append(
            [
                page.cell(data.libelle_total, bold=True, colspan=3),
                page.cell(french.format_number(data.total), bold=True, align="right"),
            ]
        )
        page.table(rows, widths=[1.3, 3, 1.3, 1.5])
