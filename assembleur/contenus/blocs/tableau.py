"""« tableau » : a table typed cell by cell, with optional headings, title and note."""

from __future__ import annotations

from pydantic import Field

from ..types import Cellule, CelluleTexte, Modele, Texte
from .base import Bloc, Loc, Page, Verification, register


class TableauDonnees(Modele):
    titre: Texte | None = None
    entetes: list[CelluleTexte] | None = None
    lignes: list[list[Cellule]] = Field(min_length=1)
    note: Texte | None = None


@register
class Tableau(Bloc):
    genre = "tableau"
    descriptions = {
        "tableau": "Un tableau : en-têtes facultatives, lignes de cellules, note.",
    }

    tableau: TableauDonnees

    def check(self, verification: Verification, stem: str, loc: Loc) -> None:
        # PDF/UA: a screen reader names each cell by its column's header; without one the table fails the checker
        if not self.tableau.entetes:
            verification.warn(
                stem,
                (*loc, "tableau"),
                "ce tableau n'a pas de ligne d'en-tête : un lecteur d'écran ne peut pas nommer ses colonnes "
                "(PDF inaccessible) ; ajoutez « entetes: [...] » avec le titre de chaque colonne.",
            )

    def render(self, page: Page) -> None:
        data = self.tableau
        if data.titre:
            page.add("intertitre", data.titre)
        rows = [[page.cell(h, bold=True) for h in data.entetes]] if data.entetes else []
        rows += [[page.cell(cell) for cell in ligne] for ligne in data.lignes]  # a list: one line each
        page.table(rows, header_rows=1 if data.entetes else 0)
        if data.note:
            page.add("note", data.note)
