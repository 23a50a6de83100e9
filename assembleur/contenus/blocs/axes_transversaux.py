"""« axes_transversaux » : the table of the axes transversaux and their enjeux."""

from __future__ import annotations

from pydantic import Field

from ..contrat import AxeTransversal
from ..types import CelluleTexte
from .base import Bloc, Page, register

HEADINGS = ["AXES TRANSVERSAUX", "ENJEUX/ORIENTATIONS"]


def axes_table(page: Page, axes: list[AxeTransversal], headings: list[str]) -> None:
    """The axes, one row each, their enjeux one per line (also the feuille de route's table)."""
    rows = [[page.cell(h, bold=True) for h in headings]]
    rows += [[page.cell(axe.axe), page.cell(list(axe.enjeux))] for axe in axes]
    page.table(rows, widths=[1, 2])


@register
class AxesTransversaux(Bloc):
    genre = "axes_transversaux"
    descriptions = {
        "axes_transversaux": "Tableau des axes transversaux et de leurs enjeux.",
        "axe": "L'axe transversal.",
        "enjeux": "Ses enjeux ou orientations, un par ligne.",
    }

    axes_transversaux: list[AxeTransversal] = Field(min_length=1)
    entetes: list[CelluleTexte] = Field(HEADINGS, min_length=2, max_length=2)

    def render(self, page: Page) -> None:
        axes_table(page, self.axes_transversaux, self.entetes)
