"""« paragraphe » : a paragraph of text."""

from __future__ import annotations

from ..types import Texte
from .base import Bloc, Page, register


@register
class Paragraphe(Bloc):
    genre = "paragraphe"
    descriptions = {"paragraphe": "Un paragraphe : **gras**, *italique*, 5^{ème}, {chiffre}."}

    paragraphe: Texte

    def render(self, page: Page) -> None:
        page.add("paragraphe", self.paragraphe)
