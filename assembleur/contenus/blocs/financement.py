"""« financement » : the share of each financeur, in percent; the data of ``graphique: financement``."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from pydantic import Field

from .. import french
from ..types import CelluleTexte, Modele, Pourcentage, Texte
from .base import Bloc, Chart, Loc, Page, Verification, register


class PartFinanceur(Modele):
    financeur: Texte
    part: Pourcentage


class FinancementDonnees(Modele):
    parts: list[PartFinanceur] = Field(min_length=1)
    note: Texte | None = None
    # a header row, so that a screen reader names each column (PDF/UA: every table has header cells)
    entetes: list[CelluleTexte] = Field(["Financeur", "Part"], min_length=2, max_length=2)


@register
class Financement(Bloc):
    genre = "financement"
    descriptions = {
        "financement": "Répartition du financement par financeur.",
        "parts": "Une part par financeur.",
        "part": "Sa part, en pourcentage.",
    }
    chart = Chart(
        "la répartition du financement par financeur",
        "Ce que montre le graphique du financement (texte de remplacement).",
        values="pourcentage",
    )

    financement: FinancementDonnees

    def check(self, verification: Verification, stem: str, loc: Loc) -> None:
        total = sum((p.part for p in self.financement.parts), Decimal(0))
        if total != 100:
            verification.warn(
                stem,
                (*loc, "financement"),
                f"les parts du financement totalisent {french.format_percent(total)}, et non 100 %.",
            )

    def render(self, page: Page) -> None:
        financeur, part = self.financement.entetes
        rows = [[page.cell(financeur, bold=True), page.cell(part, bold=True, align="right")]]
        rows += [
            [page.cell(p.financeur), page.cell(french.format_percent(p.part), align="right")]
            for p in self.financement.parts
        ]
        page.table(rows, header_rows=1, widths=[3, 1])
        if self.financement.note:
            page.add("note", self.financement.note)

    def chart_data(self, text: Callable[[str], str]) -> list[tuple[str, Decimal]]:
        return [(text(p.financeur), p.part) for p in self.financement.parts]
