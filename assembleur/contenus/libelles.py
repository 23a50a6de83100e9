"""The wording of the annexes and of the dossier (titles, headings, bookmarks), as content.

The words of the documents are content: ``rapport.yaml`` may give any of
them in its ``libelles`` section; those it does not give keep the wording
below (that of the 2019 rapport), so older files still validate and print the
same. A libellé may name values that the program fills in, between braces:
``{annee}`` everywhere, and those listed in :data:`VALEURS` for that libellé.

Each kind of block that feeds a chart adds its libellé ``graphique_<genre>`` (what
the chart shows, in its alternative text), with the default and the description
it gives (:attr:`~.blocs.Bloc.chart`): the kinds registered when this module loads.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationInfo, create_model, field_validator
from pydantic_core import PydanticCustomError

from .blocs import KINDS, chart_kinds
from .types import Modele, Texte, one_of

VALUE = re.compile(r"(?<!\^)\{([A-Za-z_][A-Za-z0-9_]*)\}")

# the values a libellé may name, besides {annee}
VALEURS: dict[str, tuple[str, ...]] = {
    "grille_titre": ("priorites",),
    "grille_colonnes": ("niveau",),
    "priorite_titre": ("numero", "titre", "niveau"),
    "grille_sans_sous_priorite": ("numero", "niveau", "detail"),
    "feuille_parent": ("niveau", "titre"),
    "avis_consultation": ("organismes", "reponse"),
    "avis_plusieurs": ("recus",),
    "avis_delai": ("echeance",),
    "signet_rapport": ("titre",),
    "signet_protocole": ("annexe",),
    "signet_avis_recu": ("organisme",),
    "signet_contribution_recue": ("organisme",),
    "dossier_titre": ("titre",),
    "dossier_sujet": ("version",),
    "dossier_mots_cles": ("sigle",),
    "actes_deliberation": ("numero", "date"),
    "graphique_description": ("sujet", "barres", "plus_eleve"),
    "graphique_sans_donnees": ("sujet",),
    "alt_avis": ("organisme", "seance", "sens"),
    "alt_contribution": ("organisme", "seance", "sens"),
}


class _Libelles(Modele):
    """The ``libelles`` section of ``rapport.yaml``: every key is optional."""

    grille_annexe: Texte = "ANNEXE 1"
    grille_titre: Texte = "Grille de répartition des actions {annee} selon la stratégie du contrat de ville"
    grille_entete: Texte = "CONTRAT DE VILLE - GRILLE DES ACTIONS {annee}"
    grille_colonnes: list[Texte] = ["{niveau}", "Actions {annee} : titre - lieu (porteur)", "Projets"]
    grille_sans_sous_priorite: Texte = "{niveau} {numero}, sans {detail}"
    grille_aucune_action: Texte = "Aucune action en {annee}"
    priorite_titre: Texte = "{niveau} {numero} : {titre}"
    protocole_annexe: Texte = "ANNEXE 2"
    feuille_parent: Texte = "{niveau} : {titre}"
    feuille_vigilance: Texte = "Points de vigilance :"
    feuille_indicateurs: Texte = "Indicateurs d'évaluation :"
    avis_titre: Texte = "Synthèse des avis recueillis"
    avis_consultation: Texte = "Le projet de rapport a été soumis pour avis à {organismes} organismes ; {reponse}"
    avis_aucun: Texte = "aucun avis n'a encore été reçu."
    avis_un: Texte = "1 avis a été reçu ; il est joint au présent dossier."
    avis_plusieurs: Texte = "{recus} avis ont été reçus ; ils sont joints au présent dossier."
    avis_colonnes: list[Texte] = ["Organisme consulté", "Séance", "Avis", "Reçu le"]
    avis_delai: Texte = (
        "Délai de réponse : jusqu'au {echeance} inclus ; "
        "passé ce délai, l'avis est réputé favorable (décret n° 2015-1118 du 3 septembre 2015)."
    )
    avis_conseils_citoyens: Texte = "AVIS OU CONTRIBUTION DES CONSEILS CITOYENS"
    avis_conseils_citoyens_titre: Texte = "Avis ou contribution des conseils citoyens"
    avis_communes: Texte = "AVIS DES COMMUNES DU CONTRAT DE VILLE"
    avis_communes_titre: Texte = "Avis des communes du contrat de ville"
    contributions_signataires: Texte = "CONTRIBUTIONS DES AUTRES SIGNATAIRES DU CONTRAT DE VILLE"
    contributions_signataires_titre: Texte = "Contributions des autres signataires du contrat de ville"
    contributions_colonnes: list[Texte] = ["Signataire", "Date du document", "Avis", "Reçu le"]
    observations_titre: Texte = "Observations et suites données"
    observations_introduction: Texte = (
        "Les observations formulées dans les avis et contributions reçus, et les suites que la collectivité "
        "leur donne :"
    )
    observations_colonnes: list[Texte] = ["Organisme", "Observation", "Suite donnée"]
    suite_a_definir: Texte = "*suite à définir*"
    signet_rapport: Texte = "{titre} – {annee}"
    signet_grille: Texte = "Annexe 1 – Grille de répartition des actions"
    signet_protocole: Texte = "Annexe 2 – {annexe}"
    signet_avis: Texte = "Avis des conseils citoyens et des communes"
    signet_synthese: Texte = "Synthèse des avis"
    signet_avis_recu: Texte = "Avis – {organisme}"
    signet_contribution_recue: Texte = "Contribution – {organisme}"
    signet_observations: Texte = "Observations et suites données"
    dossier_titre: Texte = "{titre} – {annee} – dossier complet"
    dossier_sujet: Texte = (
        "Rapport {annee} sur la mise en œuvre de la politique de la ville, "
        "ses annexes et les avis recueillis ({version})"
    )
    dossier_mots_cles: Texte = "politique de la ville, contrat de ville, {sigle}, {annee}, avis des communes"
    actes_deliberation: Texte = "Délibération n° {numero} du {date}"
    graphique_description: Texte = "Graphique en barres : {sujet}. {barres}. Valeur la plus élevée : {plus_eleve}."
    graphique_sans_donnees: Texte = "Graphique en barres : {sujet}. Aucune donnée."
    alt_avis: Texte = "Avis de {organisme}, séance du {seance}, sens de l'avis : {sens} (document scanné)"
    alt_contribution: Texte = "Contribution de {organisme}, document du {seance} (document scanné)"

    @field_validator("*")
    @classmethod
    def _known_values(cls, value: Any, info: ValidationInfo) -> Any:
        allowed = ("annee", *VALEURS.get(info.field_name or "", ()))
        for text in value if isinstance(value, list) else [value]:
            for match in VALUE.finditer(text):
                if match[1] not in allowed:
                    raise PydanticCustomError(
                        "libelle",
                        "ce libellé ne connaît pas « {valeur} » ; valeurs possibles : {possibles}",
                        {"valeur": match[0], "possibles": one_of([f"{{{a}}}" for a in allowed])},
                    )
        return value

    def text(self, name: str, annee: int, **values: Any) -> str:
        """The libellé ``name`` with its values filled in."""
        return _fill(getattr(self, name), {"annee": annee, **values})

    def texts(self, name: str, annee: int, **values: Any) -> list[str]:
        """A libellé that is a list of texts (column headings), each filled in."""
        return [_fill(text, {"annee": annee, **values}) for text in getattr(self, name)]


def _fill(text: str, values: dict[str, Any]) -> str:
    return VALUE.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], text)


def chart_libelle(genre: str) -> str:
    """The name of the libellé that says what the chart of ``genre`` shows."""
    return f"graphique_{genre}"


# one libellé per kind that feeds a chart, with the default its kind gives
Libelles = create_model(
    "Libelles",
    __base__=_Libelles,
    __module__=__name__,
    **{chart_libelle(genre): (Texte, KINDS[genre].chart.subject) for genre in chart_kinds()},
)


DESCRIPTIONS = {
    "libelles": "Les mots des annexes et du dossier (titres, en-têtes, signets) ; chaque clé est facultative.",
    "grille_annexe": "Annexe 1 : numéro d'annexe.",
    "grille_titre": "Annexe 1 : titre ({priorites} = nombre d'éléments qui groupent les lignes de la grille).",
    "grille_entete": "Annexe 1 : ligne au-dessus de la grille.",
    "grille_colonnes": "Annexe 1 : les trois en-têtes de colonnes ({niveau} = dernier niveau de la stratégie).",
    "grille_sans_sous_priorite": (
        "Annexe 1 : ligne des actions rattachées à l'élément qui groupe les lignes ({numero}, {niveau} = son "
        "niveau, {detail} = le niveau en dessous)."
    ),
    "grille_aucune_action": "Annexe 1 : sous-priorité sans action.",
    "priorite_titre": "Titre d'un élément de la stratégie dans les annexes ({numero}, {titre}, {niveau}).",
    "protocole_annexe": "Annexe 2 : numéro d'annexe.",
    "feuille_parent": "Annexe 2 : l'élément au-dessus d'une priorité détaillée ({niveau}, {titre}).",
    "feuille_vigilance": "Annexe 2 : intertitre des points de vigilance.",
    "feuille_indicateurs": "Annexe 2 : intertitre des indicateurs d'évaluation.",
    "avis_titre": "Synthèse des avis : titre.",
    "avis_consultation": (
        "Synthèse des avis : la phrase d'ouverture ({organismes} = nombre d'organismes consultés, "
        "{reponse} = l'une des trois suites ci-dessous)."
    ),
    "avis_aucun": "Synthèse des avis : suite de la phrase quand aucun avis n'est reçu.",
    "avis_un": "Synthèse des avis : suite de la phrase quand un avis est reçu.",
    "avis_plusieurs": "Synthèse des avis : suite de la phrase ({recus} = nombre d'avis reçus).",
    "avis_colonnes": "Synthèse des avis : les quatre en-têtes de colonnes.",
    "avis_delai": "Synthèse des avis : note sur le délai ({echeance} = dernier jour).",
    "avis_conseils_citoyens": "Titre du groupe des avis des conseils citoyens (intercalaire).",
    "avis_communes": "Titre du groupe des avis des communes (intercalaire).",
    "contributions_signataires": "Titre du groupe des contributions des autres signataires (intercalaire).",
    "avis_conseils_citoyens_titre": "Le même titre dans la synthèse des avis et en signet.",
    "avis_communes_titre": "Le même titre dans la synthèse des avis et en signet.",
    "contributions_signataires_titre": "Le même titre dans la synthèse des avis et en signet.",
    "contributions_colonnes": "Synthèse des avis : les quatre en-têtes du tableau des contributions.",
    "observations_titre": "Titre de la partie « Observations et suites données ».",
    "observations_introduction": "Phrase au-dessus du tableau des observations.",
    "observations_colonnes": "Observations : les trois en-têtes de colonnes.",
    "suite_a_definir": "Ce qui s'imprime, dans un projet, à la place d'une suite pas encore décidée.",
    "signet_rapport": "Signet du rapport dans le dossier ({titre}).",
    "signet_grille": "Signet de l'annexe 1.",
    "signet_protocole": "Signet de l'annexe 2 ({annexe} = titre de l'annexe dans protocole.yaml).",
    "signet_avis": "Signet du groupe des avis.",
    "signet_synthese": "Signet de la synthèse des avis.",
    "signet_avis_recu": "Signet d'un avis ({organisme}).",
    "signet_contribution_recue": "Signet d'une contribution ({organisme}).",
    "signet_observations": "Signet de la partie « Observations et suites données ».",
    "dossier_titre": "Titre du PDF du dossier ({titre}).",
    "dossier_sujet": "Sujet du PDF du dossier ({version} = version projet ou définitive).",
    "dossier_mots_cles": "Mots-clés du PDF du dossier ({sigle}).",
    "actes_deliberation": "Titre de la délibération signée dans le bordereau @ctes ({numero}, {date}).",
    "graphique_description": "Texte de remplacement d'un graphique, lu par les lecteurs d'écran ({sujet}, {barres}, "
    "{plus_eleve}).",
    "graphique_sans_donnees": "Texte de remplacement d'un graphique sans données ({sujet}).",
    "alt_avis": "Ce que les lecteurs d'écran disent d'un avis scanné ({organisme}, {seance}, {sens}).",
    "alt_contribution": "Ce que les lecteurs d'écran disent d'une contribution ({organisme}, {seance}, {sens}).",
} | {chart_libelle(genre): KINDS[genre].chart.description for genre in chart_kinds()}
