"""« porteurs » : a table of porteurs and their number of projets; totals and duplicates are checked."""

from __future__ import annotations

import re

from pydantic import Field

from ..types import Modele, Nombre, Texte
from .base import Bloc, Page, Verification, register


class LignePorteur(Modele):
    nom: Texte
    projets: Nombre


class PorteursDonnees(Modele):
    titre: Texte
    total: Nombre
    lignes: list[LignePorteur] = Field(min_length=1)
    entete_projets: Texte = "Nombre de projets"


@register
class Porteurs(Bloc):
    genre = "porteurs"
    descriptions = {
        "porteurs": "Porteurs de projets (ou, dans programmation.yaml, la liste des porteurs reconnus).",
        "entete_projets": "En-tête de la colonne des nombres de projets.",
    }
    conclusion_rank = 1  # after the bilans: its last check compares the tables with the chiffres

    porteurs: PorteursDonnees

    @classmethod
    def conclude(cls, verification: Verification) -> None:
        """Each table adds up; no porteur is listed twice across the tables; their total is the projets déposés."""
        blocks = verification.blocks(cls)
        seen: dict[str, str] = {}
        deposes = 0
        for stem, loc, block in blocks:
            data = block.porteurs
            deposes += data.total
            listed = sum(ligne.projets for ligne in data.lignes)
            if listed != data.total:
                verification.warn(
                    stem,
                    (*loc, "porteurs", "total"),
                    f"« {data.titre} » : les lignes totalisent {listed} projets, et non {data.total}.",
                )
            for index, ligne in enumerate(data.lignes):
                name = re.sub(r"\s+", " ", ligne.nom.strip().upper())
                if name in seen:
                    verification.warn(
                        stem,
                        (*loc, "porteurs", "lignes", index, "nom"),
                        f"le porteur « {ligne.nom} » figure deux fois ({seen[name]} et ici) ; "
                        "fusionnez les deux lignes.",
                    )
                else:
                    line, _ = verification.content.sources[stem].position((*loc, "porteurs", "lignes", index))
                    seen[name] = f"ligne {line}"
        known = verification.known
        if blocks and "projets_deposes" in known and known["projets_deposes"].value != deposes:
            verification.warn(
                "programmation",
                ("chiffres", "projets_deposes"),
                f"{known['projets_deposes']} projets déposés annoncés, "
                f"mais les tableaux des porteurs en totalisent {deposes}.",
            )

    def render(self, page: Page) -> None:
        data = self.porteurs
        rows = [
            [page.cell(data.titre, bold=True), page.cell(data.entete_projets, bold=True, align="right")],
            [page.cell(""), page.cell(data.total, bold=True, align="right")],
        ]
        rows += [[page.cell(ligne.nom), page.cell(ligne.projets, align="right")] for ligne in data.lignes]
        page.table(rows, header_rows=1, widths=[4, 1])
