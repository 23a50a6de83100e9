"""« bilan » : projets, porteurs and subsidies of a pilier or of some thématiques, compared with the actions."""

from __future__ import annotations

from typing import ClassVar

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from .. import french
from ..types import PILIER_NAMES, Modele, Montant, Nombre, Pilier, Texte
from .base import (
    Bloc,
    Loc,
    Page,
    References,
    Verification,
    announced,
    announcing_chapter,
    register,
    unknown_thematiques,
)


class BilanDonnees(Modele):
    titre: Texte | None = None
    pilier: Pilier | None = None
    thematiques: list[Texte] | None = None
    projets: Nombre
    porteurs: Nombre
    droit_commun: Montant
    specifiques: Montant
    libelle_specifiques: Texte = "Subventions crédits spécifiques Pol Ville"
    libelle_droit_commun: Texte = "Subventions droit commun"
    libelle_projets: Texte = "Projets soutenus"
    libelle_porteurs: Texte = "Porteurs de projets"

    @model_validator(mode="after")
    def _one_scope(self) -> BilanDonnees:
        if (self.pilier is None) == (self.thematiques is None):
            raise PydanticCustomError(
                "bilan_portee", "un bilan porte soit sur un « pilier », soit sur des « thematiques » (l'un des deux)"
            )
        return self


@register
class Bilan(Bloc):
    genre = "bilan"
    descriptions = {
        "bilan": "Tableau projets / porteurs / subventions (comparé à la liste des actions).",
        "droit_commun": "Subventions de droit commun.",
        "specifiques": "Subventions de crédits spécifiques politique de la ville.",
        "libelle_specifiques": "Intitulé de la colonne des crédits spécifiques.",
        "libelle_droit_commun": "Intitulé de la colonne du droit commun.",
        "libelle_projets": "Intitulé de la ligne des projets.",
        "libelle_porteurs": "Intitulé de la ligne des porteurs.",
    }
    # the bilans of a pilier's thématiques must add up to the pilier's bilan on these figures
    SUMMED: ClassVar[tuple[tuple[str, str, bool], ...]] = (
        ("projets", "projets soutenus", False),
        ("droit_commun", "subventions de droit commun", True),
        ("specifiques", "subventions de crédits spécifiques", True),
    )

    bilan: BilanDonnees

    def check_references(self, references: References) -> list[str]:
        return unknown_thematiques(self.bilan.thematiques or [], references)

    def check(self, verification: Verification, stem: str, loc: Loc) -> None:
        data = self.bilan
        if data.pilier:
            tally = verification.by_pilier.get(data.pilier)
            projets, porteurs = (tally.projets, set(tally.porteurs)) if tally else (0, set())
            label = f"le pilier « {PILIER_NAMES[data.pilier]} »"
        else:
            projets, porteurs = 0, set()
            for thematique in data.thematiques or []:
                if part := verification.by_thematique.get(thematique):
                    projets += part.projets
                    porteurs |= part.porteurs
            label = f"« {', '.join(data.thematiques or [])} »"
        if projets != data.projets:
            verification.warn(
                stem,
                (*loc, "bilan", "projets"),
                f"{data.projets} projets soutenus annoncés pour {label}, "
                f"mais la liste des actions en compte {projets}.",
            )
        if len(porteurs) != data.porteurs:
            verification.warn(
                stem,
                (*loc, "bilan", "porteurs"),
                f"{data.porteurs} porteurs de projets annoncés pour {label}, "
                f"mais la liste des actions en compte {len(porteurs)} différents.",
            )

    @classmethod
    def conclude(cls, verification: Verification) -> None:
        """A pilier's bilan agrees with the répartition par pilier and with the bilans of its thématiques."""
        bilans = verification.blocks(cls)
        by_pilier = {b.bilan.pilier: (stem, loc, b.bilan) for stem, loc, b in bilans if b.bilan.pilier}
        by_theme = [
            (b.bilan, verification.pilier_of_thematiques(b.bilan.thematiques or []))
            for _, _, b in bilans
            if not b.bilan.pilier
        ]
        repartition, chapter = announced(verification), announcing_chapter(verification)
        for pilier, (stem, loc, data) in by_pilier.items():
            if pilier in repartition and repartition[pilier] != data.projets:
                verification.warn(
                    stem,
                    (*loc, "bilan", "projets"),
                    f"le chapitre {chapter} annonce {repartition[pilier]} projets pour le pilier "
                    f"« {PILIER_NAMES[pilier]} », ce bilan en annonce {data.projets}.",
                )
            parts = [d for d, scope in by_theme if scope == pilier]
            if not parts:
                continue
            for name, label, amount in cls.SUMMED:
                total = sum(getattr(d, name) for d in parts)
                if total != getattr(data, name):
                    show = french.format_amount if amount else str
                    verification.warn(
                        stem,
                        (*loc, "bilan", name),
                        f"les bilans par thématique du pilier « {PILIER_NAMES[pilier]} » totalisent {show(total)} "
                        f"{label}, et non {show(getattr(data, name))}.",
                    )

    def render(self, page: Page) -> None:
        data = self.bilan
        rows = [
            [
                page.cell(data.titre or "", bold=True),
                page.cell(""),
                page.cell(data.libelle_droit_commun, bold=True),
                page.cell(data.libelle_specifiques, bold=True),
            ],
            [
                page.cell(data.libelle_projets),
                page.cell(data.projets, align="right"),
                page.cell(french.format_amount(data.droit_commun), align="right"),
                page.cell(french.format_amount(data.specifiques), align="right"),
            ],
            [
                page.cell(data.libelle_porteurs),
                page.cell(data.porteurs, align="right"),
                page.cell(""),
                page.cell(""),
            ],
        ]
        page.table(rows, widths=[2, 0.8, 1.6, 1.8])
