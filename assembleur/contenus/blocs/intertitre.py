"""« intertitre » : a small heading, not in the table of contents."""

from __future__ import annotations

from ..types import Texte
from .base import Bloc, Page, register


@register
class Intertitre(Bloc):
    genre = "intertitre"
    descriptions = {"intertitre": "Un petit titre, hors sommaire."}

    intertitre: Texte

    def render(self, page: Page) -> None:
        page.add("intertitre", self.intertitre)
