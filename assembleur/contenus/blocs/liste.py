"""« liste » : a bulleted list, with an optional symbol instead of the bullet."""

from __future__ import annotations

from pydantic import Field

from ..types import Texte
from .base import Bloc, Page, register


@register
class Liste(Bloc):
    genre = "liste"
    descriptions = {
        "liste": "Une liste à puces : un élément par ligne.",
        "symbole": "Autre puce que le point (« → »).",
    }

    liste: list[Texte] = Field(min_length=1)
    symbole: str | None = None

    def render(self, page: Page) -> None:
        for element in self.liste:
            if self.symbole:
                page.add("symbole", element, symbol=self.symbole)
            else:
                page.add("puce", element)
