"""The typed model of a year's content (what ``contenus/<année>/*.yaml`` hold).

Field names are the YAML keys the staff type, in French. Every model refuses
unknown keys and suggests the nearest known one. Amounts, percentages and
dates accept the French ways of typing them (see :mod:`assembleur.contenus.french`);
an amount may also be a ``{chiffre}`` declared in ``programmation.yaml``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import french

PLACEHOLDER = re.compile(r"(?<!\^)\{([A-Za-z_][A-Za-z0-9_]*)\}")
CODE_PATTERN = re.compile(r"^\d{1,2}(\.\d{1,2})?$")
MAX_AMOUNT = Decimal(10) ** 12  # no French municipal budget line reaches a thousand billion euros

Pilier = Literal["emploi", "cohesion_sociale", "cadre_de_vie", "pilotage"]
PILIER_NAMES: dict[str, str] = {
    "emploi": "Emploi et développement économique",
    "cohesion_sociale": "Cohésion sociale",
    "cadre_de_vie": "Cadre de vie et renouvellement urbain",
    "pilotage": "Pilotage",
}
INTERCO = "Interco"
TO_FILL = "À COMPLÉTER"  # what « assembleur nouveau » leaves where a new year's value must be typed


def is_to_fill(value: Any) -> bool:
    """Is ``value`` the mark of a value still to type?"""
    return isinstance(value, str) and value.strip().upper().startswith(TO_FILL)


def _resolve_placeholder(value: Any, info: ValidationInfo) -> Any:
    """A whole-value ``{nom}`` stands for the figure declared under ``chiffres``."""
    if isinstance(value, str) and (m := PLACEHOLDER.fullmatch(value.strip())):
        figures = (info.context or {}).get("chiffres", {})
        if m[1] not in figures:
            raise PydanticCustomError("chiffre_inconnu", "chiffre inconnu « {nom} »", {"nom": m[1]})
        return figures[m[1]]
    return value


def _amount(value: Any, info: ValidationInfo) -> Decimal:
    try:
        amount = french.parse_amount(_resolve_placeholder(value, info))
    except french.ValueFormatError as exc:
        raise PydanticCustomError("montant", str(exc)) from None
    if amount < 0:
        raise PydanticCustomError("montant", "un montant ne peut pas être négatif ({v})", {"v": str(value)})
    if amount >= MAX_AMOUNT:
        raise PydanticCustomError("montant", "montant invraisemblable ({v}) : vérifiez les chiffres", {"v": str(value)})
    return amount


def _percent(value: Any, info: ValidationInfo) -> Decimal:
    try:
        percent = french.parse_percent(_resolve_placeholder(value, info))
    except french.ValueFormatError as exc:
        raise PydanticCustomError("pourcentage", str(exc)) from None
    if not 0 <= percent <= 100:
        raise PydanticCustomError(
            "pourcentage", "un pourcentage doit être compris entre 0 et 100 ({v})", {"v": str(value)}
        )
    return percent


def _date(value: Any) -> dt.date:
    try:
        return french.parse_date(value)
    except french.ValueFormatError as exc:
        raise PydanticCustomError("date", str(exc)) from None


def _count(value: Any, info: ValidationInfo) -> Any:
    return _resolve_placeholder(value, info)


def _text(value: Any) -> Any:
    # YAML turns `2019` or `1.5` into numbers; in a text field they are text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


# What editors see (JSON Schema): the French ways of typing, not Python's types.
_AMOUNT_SCHEMA = {
    "type": ["number", "string"],
    "description": "Montant en euros : 1712989, « 1 712 989 € » ou « {chiffre} ».",
}
_PERCENT_SCHEMA = {"type": ["number", "string"], "description": "Pourcentage : 35.3 ou « 35,3 % »."}
_DATE_SCHEMA = {"type": "string", "description": "Date : 2020-09-29, « 29/09/2020 » ou « 29 septembre 2020 »."}
_COUNT_SCHEMA = {"type": ["integer", "string"], "minimum": 0, "description": "Nombre entier (ou « {chiffre} »)."}
_TEXT_SCHEMA = {"type": ["string", "number"], "description": "Texte : **gras**, *italique*, 5^{ème}, {chiffre}."}

Montant = Annotated[Decimal, BeforeValidator(_amount), WithJsonSchema(_AMOUNT_SCHEMA)]
Pourcentage = Annotated[Decimal, BeforeValidator(_percent), WithJsonSchema(_PERCENT_SCHEMA)]
Date = Annotated[dt.date, BeforeValidator(_date), WithJsonSchema(_DATE_SCHEMA)]
Nombre = Annotated[int, BeforeValidator(_count), Field(ge=0, le=1_000_000), WithJsonSchema(_COUNT_SCHEMA)]
Texte = Annotated[str, BeforeValidator(_text), Field(min_length=1), WithJsonSchema(_TEXT_SCHEMA)]


class Modele(BaseModel):
    """Base of the content models: immutable, unknown keys refused with a suggestion."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = list(cls.model_fields)
            for key in data:
                if key not in known:
                    near = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
                    hint = (
                        f" ; vouliez-vous dire « {near[0]} » ?" if near else f" ; clés possibles : {', '.join(known)}"
                    )
                    raise PydanticCustomError(
                        "cle_inconnue", "clé inconnue « {cle} »{hint}", {"cle": str(key), "hint": hint}
                    )
        return data


# --- the blocks of text -----------------------------------------------------------


class Paragraphe(Modele):
    paragraphe: Texte


class Intertitre(Modele):
    intertitre: Texte


class Liste(Modele):
    liste: list[Texte] = Field(min_length=1)
    symbole: str | None = None


CelluleTexte = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": ["string", "number"]})]
Code = CelluleTexte  # a number or a code such as "10.3", typed as text
Cellule = CelluleTexte | list[CelluleTexte]  # a list is a cell of several lines


class TableauDonnees(Modele):
    titre: Texte | None = None
    entetes: list[CelluleTexte] | None = None
    lignes: list[list[Cellule]] = Field(min_length=1)
    note: Texte | None = None


class Tableau(Modele):
    tableau: TableauDonnees


class Graphique(Modele):
    graphique: Literal["financement", "contributions_cget"]


class LignePilier(Modele):
    pilier: Pilier
    libelle: Texte
    projets: Nombre


class RepartitionPiliers(Modele):
    repartition_piliers: list[LignePilier] = Field(min_length=1)


class PartFinanceur(Modele):
    financeur: Texte
    part: Pourcentage


class FinancementDonnees(Modele):
    parts: list[PartFinanceur] = Field(min_length=1)
    note: Texte | None = None


class Financement(Modele):
    financement: FinancementDonnees


class LigneContribution(Modele):
    montant: Montant
    libelle: Texte
    precision: Texte | None = None


class ContributionsDonnees(Modele):
    total: Montant
    lignes: list[LigneContribution] = Field(min_length=1)


class ContributionsCget(Modele):
    contributions_cget: ContributionsDonnees


class LignePorteur(Modele):
    nom: Texte
    projets: Nombre


class PorteursDonnees(Modele):
    titre: Texte
    total: Nombre
    lignes: list[LignePorteur] = Field(min_length=1)


class Porteurs(Modele):
    porteurs: PorteursDonnees


class LigneFondsDeConcours(Modele):
    commune: Texte
    projet: Texte
    montant_operation: Montant
    montant_fdc: Montant
    precision: Texte | None = None


class FondsDeConcoursDonnees(Modele):
    lignes: list[LigneFondsDeConcours] = Field(min_length=1)
    total: Montant


class FondsDeConcours(Modele):
    fonds_de_concours: FondsDeConcoursDonnees


class Orientation(Modele):
    intitule: Texte
    objectifs: list[Texte] = Field(min_length=1)


class PilierOrientations(Modele):
    pilier: Texte
    orientations: list[Orientation] = Field(min_length=1)


class Orientations(Modele):
    orientations: list[PilierOrientations] = Field(min_length=1)


class AxeTransversal(Modele):
    axe: Texte
    enjeux: list[Texte] = Field(min_length=1)


class AxesTransversaux(Modele):
    axes_transversaux: list[AxeTransversal] = Field(min_length=1)


class SelectionActions(Modele):
    thematiques: list[Texte] = Field(min_length=1)


class Actions(Modele):
    actions: SelectionActions


class BilanDonnees(Modele):
    titre: Texte | None = None
    pilier: Pilier | None = None
    thematiques: list[Texte] | None = None
    projets: Nombre
    porteurs: Nombre
    droit_commun: Montant
    specifiques: Montant
    libelle_specifiques: Texte = "Subventions crédits spécifiques Pol Ville"

    @model_validator(mode="after")
    def _one_scope(self) -> BilanDonnees:
        if (self.pilier is None) == (self.thematiques is None):
            raise PydanticCustomError(
                "bilan_portee", "un bilan porte soit sur un « pilier », soit sur des « thematiques » (l'un des deux)"
            )
        return self


class Bilan(Modele):
    bilan: BilanDonnees


BLOCK_KINDS: dict[str, type[Modele]] = {
    "paragraphe": Paragraphe,
    "intertitre": Intertitre,
    "liste": Liste,
    "tableau": Tableau,
    "graphique": Graphique,
    "repartition_piliers": RepartitionPiliers,
    "financement": Financement,
    "contributions_cget": ContributionsCget,
    "porteurs": Porteurs,
    "fonds_de_concours": FondsDeConcours,
    "orientations": Orientations,
    "axes_transversaux": AxesTransversaux,
    "actions": Actions,
    "bilan": Bilan,
}


def _block_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return next(k for k, cls in BLOCK_KINDS.items() if isinstance(value, cls))
    if isinstance(value, dict):
        kinds = [key for key in value if key in BLOCK_KINDS]
        if len(kinds) == 1:
            return kinds[0]
    return None


Bloc = Annotated[
    Annotated[Paragraphe, Tag("paragraphe")]
    | Annotated[Intertitre, Tag("intertitre")]
    | Annotated[Liste, Tag("liste")]
    | Annotated[Tableau, Tag("tableau")]
    | Annotated[Graphique, Tag("graphique")]
    | Annotated[RepartitionPiliers, Tag("repartition_piliers")]
    | Annotated[Financement, Tag("financement")]
    | Annotated[ContributionsCget, Tag("contributions_cget")]
    | Annotated[Porteurs, Tag("porteurs")]
    | Annotated[FondsDeConcours, Tag("fonds_de_concours")]
    | Annotated[Orientations, Tag("orientations")]
    | Annotated[AxesTransversaux, Tag("axes_transversaux")]
    | Annotated[Actions, Tag("actions")]
    | Annotated[Bilan, Tag("bilan")],
    Discriminator(
        _block_kind,
        custom_error_type="bloc_inconnu",
        custom_error_message="bloc sans genre reconnu",
    ),
]


# --- the files --------------------------------------------------------------------


class Section(Modele):
    numero: Code | None = None
    titre: Texte
    contenu: list[Bloc] = []
    sections: list[Section] = []


class Chapitre(Modele):
    """A ``chapitreN.yaml`` file."""

    numero: Annotated[int, Field(ge=1, le=99)]
    titre: Texte
    contenu: list[Bloc] = []
    sections: list[Section] = []


class Partie(Modele):
    titre: Texte
    contenu: list[Bloc] = Field(min_length=1)


class Collectivite(Modele):
    nom: Texte
    sigle: Texte
    couverture: list[Texte] = Field(min_length=1)


class Signature(Modele):
    mention: Texte
    qualite: list[Texte] = Field(min_length=1)
    nom: Texte


class Rapport(Modele):
    """The ``rapport.yaml`` file."""

    collectivite: Collectivite
    titre: Texte
    annee: Annotated[int, Field(ge=2000, le=2100)]
    date_arret: Date
    signature: Signature
    introduction: Partie
    conclusion: Partie


class Action(Modele):
    titre: Texte
    commune: Texte | list[Texte]
    porteur: Texte | None = None
    sous_priorite: Code
    thematique: Texte

    @field_validator("sous_priorite")
    @classmethod
    def _code(cls, value: str) -> str:
        if not CODE_PATTERN.match(value):
            raise PydanticCustomError(
                "code", 'code de sous-priorité « {v} » mal formé ; écrivez par exemple "10.3" ou "6"', {"v": value}
            )
        return value

    @property
    def communes(self) -> list[str]:
        """The communes of the action, as a list (one projet per commune)."""
        return [self.commune] if isinstance(self.commune, str) else list(self.commune)

    @property
    def priorite(self) -> int:
        """The priority number, read from the code ("10.3" → 10)."""
        return int(self.sous_priorite.split(".")[0])


Chiffre = int | float | str


class Programmation(Modele):
    """The ``programmation.yaml`` file."""

    chiffres: dict[str, Chiffre] = {}
    communes: list[Texte] = Field(min_length=1)

    @field_validator("chiffres")
    @classmethod
    def _readable_figures(cls, figures: dict[str, Any]) -> dict[str, Any]:
        for name, value in figures.items():
            if is_to_fill(value):
                continue
            try:
                if isinstance(value, str) and "%" in value:
                    french.parse_percent(value)
                else:
                    french.parse_amount(value)
            except french.ValueFormatError as exc:
                raise PydanticCustomError(
                    "chiffre", "le chiffre « {nom} » est illisible ({raison})", {"nom": name, "raison": str(exc)}
                ) from None
        return figures

    porteurs: list[Texte] | None = None  # when given, every action's porteur must be one of them
    actions: list[Action] = Field(min_length=1)


class SousPriorite(Modele):
    code: Code
    titre: Texte
    description: Texte | None = None
    precisions: list[Texte] = []


class Encadre(Modele):
    titre: Texte
    elements: list[Texte] = Field(min_length=1)


class Priorite(Modele):
    numero: Annotated[int, Field(ge=1, le=99)]
    pilier: Pilier
    titre: Texte
    intitule_protocole: Texte | None = None
    introduction: list[Bloc] = []
    encadres: list[Encadre] = []
    points_de_vigilance: list[Bloc] = []
    sous_priorites: list[SousPriorite] = []
    complements: list[Bloc] = []
    indicateurs: list[Texte] = []


class AxesFeuilleDeRoute(Modele):
    titre: Texte
    axes: list[AxeTransversal] = Field(min_length=1)


class FeuilleDeRoute(Modele):
    """The ``feuille_de_route.yaml`` file."""

    priorites: list[Priorite] = Field(min_length=1)
    axes_transversaux: AxesFeuilleDeRoute | None = None


class Signataire(Modele):
    pour: list[Texte] = Field(min_length=1)
    nom: Texte
    qualite: list[Texte] = []


class SignatureProtocole(Modele):
    lieu_date: Texte
    signataires: list[Signataire] = Field(min_length=1)


class Protocole(Modele):
    """The ``protocole.yaml`` file (annexe 2 of the rapport)."""

    annexe: Texte
    couverture: list[Texte] = Field(min_length=1)
    titre: Texte
    date: Texte
    sections: list[Section] = Field(min_length=1)
    signature: SignatureProtocole
    annexes: list[Partie] = []


SENS_AVIS = ("favorable", "défavorable", "réservé", "prend acte", "approuve")


class Observation(Modele):
    """An observation made in an avis or a contribution, and the suite the EPCI gives it."""

    texte: Texte
    suite: Texte | None = None  # required for a définitif; a projet only warns


class AvisRecu(Modele):
    """A council's avis (or a signatory's contribution), once received: its scan and what it says."""

    fichier: Texte  # inside annexes/<année>/
    seance: Date  # for a contribution: the date of the document
    sens: Literal["favorable", "défavorable", "réservé", "prend acte", "approuve"] | None = None
    recu: Date | None = None
    observations: list[Observation] = []


SIGNATAIRE = "signataire"  # another signatory of the contrat de ville: may send a contribution, is not consulted


class Organisme(Modele):
    """A body consulted on the projet (a commune, a conseil citoyen), or another signatory of the contract."""

    nom: Texte
    type: Literal["commune", "conseil_citoyen", "signataire"]
    avis: AvisRecu | None = None

    @model_validator(mode="after")
    def _sens_of_an_avis(self) -> Organisme:
        if self.avis is not None and self.avis.sens is None and self.type != SIGNATAIRE:
            raise PydanticCustomError(
                "sens_manquant",
                "l'avis de « {nom} » n'a pas de « sens » ; ajoutez sens: favorable, défavorable, réservé, "
                "prend acte ou approuve",
                {"nom": self.nom},
            )
        return self


class Consultation(Modele):
    envoi: Date | None = None  # the day the projet was sent
    delai_mois: Annotated[int, Field(ge=1, le=12)] = 1  # décret n° 2015-1118: at least one month


class Avis(Modele):
    """The ``avis.yaml`` file: who is consulted and what they answered."""

    consultation: Consultation = Consultation()
    organismes: list[Organisme] = Field(min_length=1)


class Classification(Modele):
    """The classification of an act in the @ctes nomenclature."""

    code: Code = "8.5"
    libelle: Texte = "Politique de la ville – habitat – logement"


class ActeSigne(Modele):
    """The signed délibération, recorded by « assembleur deliberation ajouter »."""

    fichier: Texte  # inside annexes/<année>/
    numero: Texte
    seance: Date


class ArticleSuites(Modele):
    """An article that appears only when observations were made (it states their suites)."""

    suites: Texte


class Deliberation(Modele):
    """The ``deliberation.yaml`` file: the words of the conseil communautaire's act, and the signed act."""

    instance: Texte = "Conseil communautaire"
    objet: Texte
    classification: Classification = Classification()
    visas: list[Texte] = Field(min_length=1)
    considerants: list[Texte] = []
    articles: list[Texte | ArticleSuites] = Field(min_length=1)
    acte: ActeSigne | None = None
