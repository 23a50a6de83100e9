"""« bilan » : projets, porteurs and subsidies of an element of the strategy or of some thématiques."""

from __future__ import annotations

from typing import ClassVar

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from .. import french
from ..contrat import possibles
from ..types import Code, Modele, Montant, Nombre, Texte
from .base import (
    Bloc,
    Loc,
    Page,
    References,
    Verification,
    announced,
    announcing_chapter,
    element_label,
    register,
    unknown_thematiques,
)


class BilanDonnees(Modele):
    titre: Texte | None = None
    element: Code | None = None  # an element of the strategy (contrat.yaml)
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
        if (self.element is None) == (self.thematiques is None):
            raise PydanticCustomError(
                "bilan_portee",
                "un bilan porte soit sur un « element » de la stratégie, soit sur des « thematiques » (l'un des deux)",
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
    # the bilans of an element's thématiques must add up to the element's bilan on these figures
    SUMMED: ClassVar[tuple[tuple[str, str, bool], ...]] = (
        ("projets", "projets soutenus", False),
        ("droit_commun", "subventions de droit commun", True),
        ("specifiques", "subventions de crédits spécifiques", True),
    )

    bilan: BilanDonnees

    def check_references(self, references: References) -> list[str]:
        element = self.bilan.element
        unknown = [] if element is None or element in references.elements else [element]
        return unknown_thematiques(self.bilan.thematiques or [], references) + [
            f"l'élément « {code} » n'existe pas dans la stratégie de contrat.yaml ; "
            f"{possibles(code, references.elements)}."
            for code in unknown
        ]

    def check(self, verification: Verification, stem: str, loc: Loc) -> None:
        data = self.bilan
        if data.element:
            tally = verification.by_element.get(data.element)
            projets, porteurs = (tally.projets, set(tally.porteurs)) if tally else (0, set())
            label = element_label(verification.content, data.element)
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
        """An element's bilan agrees with the répartition and with the bilans of its thématiques."""
        bilans = verification.blocks(cls)
        by_element = {b.bilan.element: (stem, loc, b.bilan) for stem, loc, b in bilans if b.bilan.element}
        strategie = verification.content.contrat.strategie
        repartition, chapter = announced(verification), announcing_chapter(verification)
        for element, (stem, loc, data) in by_element.items():
            label = element_label(verification.content, element)
            if element in repartition and repartition[element] != data.projets:
                verification.warn(
                    stem,
                    (*loc, "bilan", "projets"),
                    f"le chapitre {chapter} annonce {repartition[element]} projets pour {label}, "
                    f"ce bilan en annonce {data.projets}.",
                )
            level = strategie.level_of(element)
            parts = [
                b.bilan
                for _, _, b in bilans
                if not b.bilan.element
                and (scope := verification.element_of_thematiques(b.bilan.thematiques or [], level)) is not None
                and scope.code == element
            ]
            if not parts:
                continue
            for name, what, amount in cls.SUMMED:
                total = sum(getattr(d, name) for d in parts)
                if total != getattr(data, name):
                    show = french.format_amount if amount else str
                    verification.warn(
                        stem,
                        (*loc, "bilan", name),
                        f"les bilans par thématique de {label} totalisent {show(total)} "
                        f"{what}, et non {show(getattr(data, name))}.",
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
