"""The typed model of a year's content (what ``contenus/<année>/*.yaml`` hold).

Field names are the YAML keys the staff type, in French. Every model refuses
unknown keys and suggests the nearest known one. Amounts, percentages and
dates accept the French ways of typing them (see :mod:`assembleur.contenus.french`);
an amount may also be a ``{chiffre}`` declared in ``programmation.yaml``.

The values and the base model are in :mod:`.types`; the kinds of block, one
module each, in :mod:`.blocs`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from . import blocs, french
from .contrat import AxeTransversal
from .libelles import Libelles
from .types import (  # noqa: F401  (the names other modules take from the model)
    INTERCO,
    PLACEHOLDER,
    TO_FILL,
    Code,
    Date,
    Modele,
    Montant,
    OuiNon,
    Texte,
    is_to_fill,
)

Bloc = blocs.any_bloc()  # one block of a « contenu »: any registered kind


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
    seulement_si_dsu: OuiNon = False  # printed only when a commune of contrat.yaml receives the DSU


class Partie(Modele):
    titre: Texte
    contenu: list[Bloc] = Field(min_length=1)


class Collectivite(Modele):
    """How the cover names the collectivité (its name and sigle are those of contrat.yaml's pilote)."""

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
    libelles: Libelles = Libelles()  # the words of the annexes and the dossier, when they differ from the default


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str | int | float) and not isinstance(value, bool) else value


class Action(Modele):
    """One action of the year: what it serves in the strategy, where, by whom, and who funds it."""

    titre: Texte
    strategie: Code  # the code of an element of contrat.yaml's strategy, at any level
    commune: Texte | list[Texte] | None = None  # INTERCO for an action of the whole territory
    quartiers: Annotated[list[Texte], BeforeValidator(_as_list)] = []  # codes, « intercommunal » or « hors QPV »
    nature: Literal["fonctionnement", "investissement"] = "fonctionnement"
    porteur: Texte | None = None
    thematique: Texte | None = None
    montants: dict[str, Montant] = {}  # financeur code → amount (a rapport may give counts only)
    dauphin: Texte | None = None  # the State's number of the action (« Numéro de l'action PRJ »), set by an import

    @property
    def communes(self) -> list[str]:
        """The communes of the action, as a list (one projet per commune)."""
        if self.commune is None:
            return []
        return [self.commune] if isinstance(self.commune, str) else list(self.commune)

    @property
    def named_communes(self) -> list[str]:
        """The communes named, without the mark of an intercommunal action."""
        return [c for c in self.communes if c != INTERCO]


Chiffre = int | float | str


class Programmation(Modele):
    """The ``programmation.yaml`` file."""

    chiffres: dict[str, Chiffre] = {}

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

    # the themes of the spreadsheets imported (the ANCT's, a sheet's labels) → an element of the strategy
    correspondances: dict[str, Code] = {}
    porteurs: list[Texte] | None = None  # when given, every action's porteur must be one of them
    actions: list[Action] = Field(min_length=1)


class SousPriorite(Modele):
    """The detail of an element under a priorité (its code and title are in contrat.yaml's strategy)."""

    code: Code
    description: Texte | None = None
    precisions: list[Texte] = []


class Encadre(Modele):
    titre: Texte
    elements: list[Texte] = Field(min_length=1)


class Priorite(Modele):
    numero: Code  # the code of an element of contrat.yaml's strategy
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


ACTES_CODE = re.compile(r"^[1-9]\d?(\.[1-9]\d?){1,4}$")  # two to five levels: « 8.5 », « 8.5.1 »
PIECE_TYPE = re.compile(r"^\d{2}_[A-Z]{2}$")  # a piece type of the ACTES lists: « 99_DE », « 22_AG »
MAX_OBJET = 499  # S²LOW's limit (the ACTES schema allows 500)


def _piece_type(value: str) -> str:
    if not PIECE_TYPE.match(value):
        raise PydanticCustomError(
            "actes",
            "un type de pièce @ctes s'écrit comme « 99_DE » (2 chiffres, _, 2 majuscules) ; trouvé : « {v} »",
            {"v": value},
        )
    return value


TypePiece = Annotated[Texte, AfterValidator(_piece_type)]


class Classification(Modele):
    """The classification of an act in the @ctes nomenclature, and what the Préfecture's file says of it."""

    code: Code = "8.5"
    libelle: Texte = "Politique de la ville – habitat – logement"
    fichier: Texte | None = None  # the Préfecture's RetourClassification XML, inside annexes/<année>/
    date_version: Date | None = None  # ClassificationDateVersion, when no file gives it
    type_piece_acte: TypePiece = "99_DE"
    type_piece_annexe: TypePiece = "99_AU"  # « Autre document »: the Préfecture's list may name another

    @field_validator("code")
    @classmethod
    def _actes_code(cls, value: str) -> str:
        if not ACTES_CODE.match(value):
            raise PydanticCustomError(
                "actes",
                "code de classification @ctes « {v} » mal formé ; écrivez ses niveaux séparés par des points, "
                'entre guillemets : "8.5"',
                {"v": value},
            )
        return value


class ActeSigne(Modele):
    """The signed délibération, recorded by « assembleur deliberation ajouter »."""

    fichier: Texte  # inside annexes/<année>/
    numero: Texte
    seance: Date

    @field_validator("numero", mode="before")
    @classmethod
    def _quoted(cls, value: Any) -> Any:
        # YAML reads 2020_245 as the number 2020245: the underscore would be lost without a word
        if isinstance(value, int) and not isinstance(value, bool):
            raise PydanticCustomError(
                "actes",
                'écrivez le numéro entre guillemets (numero: "2020_245") : sans eux, YAML le lit comme le nombre {v}',
                {"v": value},
            )
        return value


class ArticleSuites(Modele):
    """An article that appears only when observations were made (it states their suites)."""

    suites: Texte


class Deliberation(Modele):
    """The ``deliberation.yaml`` file: the words of the conseil communautaire's act, and the signed act."""

    instance: Texte = "Conseil communautaire"
    nature: Texte = "Délibération"  # the nature of the act, as the @ctes bordereau names it
    objet: Texte
    classification: Classification = Classification()
    visas: list[Texte] = Field(min_length=1)
    considerants: list[Texte] = []
    articles: list[Texte | ArticleSuites] = Field(min_length=1)
    acte: ActeSigne | None = None

    @field_validator("objet")
    @classmethod
    def _short_objet(cls, value: str) -> str:
        if len(value) > MAX_OBJET:
            raise PydanticCustomError(
                "actes",
                "l'objet compte {n} caractères ; les plateformes @ctes en acceptent {m} au plus : raccourcissez-le",
                {"n": len(value), "m": MAX_OBJET},
            )
        return value
