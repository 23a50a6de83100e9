"""JSON Schemas of the content files, with French descriptions, for editors that complete YAML.

Each kind of file has its schema (``schemas/rapport.schema.json`` …); each
YAML file names its schema in a first-line comment that the YAML extension of
VS Code (and other editors using yaml-language-server) reads:
``# yaml-language-server: $schema=../schemas/rapport.schema.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..files import atomic_output
from .blocs import KINDS
from .contrat import Contrat
from .libelles import DESCRIPTIONS as LIBELLES
from .model import Avis, Chapitre, Deliberation, FeuilleDeRoute, Programmation, Protocole, Rapport

SCHEMAS: dict[str, type[BaseModel]] = {
    "contrat": Contrat,
    "rapport": Rapport,
    "chapitre": Chapitre,
    "programmation": Programmation,
    "feuille_de_route": FeuilleDeRoute,
    "protocole": Protocole,
    "avis": Avis,
    "deliberation": Deliberation,
}
FOLDER = "schemas"

# One French description per key staff type (the same key means the same thing everywhere);
# the keys proper to a kind of block are described in its module (blocs/).
KEYS = {
    "collectivite": "Le bandeau de couverture (le nom et le sigle de la collectivité sont dans contrat.yaml).",
    "nom": "Nom, tel qu'il doit apparaître.",
    "sigle": "Sigle de la collectivité, tel qu'il doit apparaître.",
    "contrat": "Le contrat de ville : nom, génération (2015 ou 2024), période, signataires, avenants.",
    "generation": "2015 (contrats 2015-2023) ou 2024 (contrats « Engagements Quartiers 2030 »).",
    "periode": "Première et dernière année du contrat.",
    "debut": "Première année.",
    "fin": "Dernière année.",
    "avenants": "Les avenants au contrat (titre, date).",
    "territoire": "La collectivité pilote, les communes, les quartiers prioritaires et les autres zones.",
    "pilote": "La collectivité qui pilote le contrat et publie le rapport.",
    "insee": 'Code INSEE de la commune ("62119").',
    "dsu": "La commune reçoit-elle la dotation de solidarité urbaine (oui/non) ?",
    "quartiers": (
        "Dans contrat.yaml : les quartiers prioritaires. Dans une action : codes des quartiers, "
        "« intercommunal » ou « hors QPV »."
    ),
    "population": "Population du quartier.",
    "autres_zones": "Autres zones : quartier_veille_active, quartier_vecu, secteur_attention_particuliere, autre.",
    "strategie": (
        "Dans contrat.yaml : la stratégie (niveaux nommés par le contrat, éléments). "
        "Dans une action : le code de l'élément qu'elle sert."
    ),
    "niveaux": "Les noms des niveaux de la stratégie, du plus haut au plus fin (1 à 4).",
    "parent": "Code de l'élément du niveau au-dessus (aucun pour le premier niveau).",
    "projets_de_quartier": "Contrats 2024 : les projets de quartier, sous le code de leur quartier.",
    "financeurs": "Les financeurs : code, nom, type.",
    "financeur": (
        "Le financeur : dans un bloc « financement », tel que le rapport le nomme ; dans un bloc "
        "« montants », son code dans contrat.yaml."
    ),
    "couverture": "Lignes du bandeau de couverture, dans l'ordre.",
    "siren": 'SIREN de la collectivité pilote (9 chiffres, "200072460") : il nomme les fichiers du dossier @ctes.',
    "departement": 'Département sur 3 caractères, entre guillemets ("062", "02A", "974") : pour @ctes.',
    "titre": "Titre, tel qu'il doit apparaître.",
    "annee": "Année de référence du rapport (2019), ou d'une donnée.",
    "date_arret": "Date à laquelle la version projet est arrêtée.",
    "signature": "Bloc de signature.",
    "mention": "Mention au-dessus de la signature (« Par délégation du Président, »).",
    "qualite": "Qualité du signataire, ligne par ligne.",
    "introduction": "Introduction du rapport : un titre et des blocs.",
    "conclusion": "Conclusion du rapport : un titre et des blocs.",
    "numero": "Numéro (chapitre, section, priorité).",
    "contenu": "Les blocs de texte, dans l'ordre : paragraphe, intertitre, liste, tableau, graphique…",
    "seulement_si_dsu": "oui : ce chapitre ne s'imprime que si une commune de contrat.yaml reçoit la DSU.",
    "sections": "Les sections, dans l'ordre ; chacune a un titre, des blocs et d'éventuelles sous-sections.",
    "entetes": "La ligne d'en-tête du tableau (répétée en haut de chaque page).",
    "lignes": "Les lignes, dans l'ordre.",
    "note": "Note sous le tableau.",
    "libelle": "Libellé, tel qu'il doit apparaître.",
    "projets": "Nombre de projets (comparé à la liste des actions).",
    "total": "Le total tapé dans le rapport (comparé à la somme des lignes).",
    "precision": "Précision entre parenthèses.",
    "commune": "Commune (« Interco » pour une action intercommunale ; une liste si plusieurs).",
    "thematiques": "Thématiques des actions concernées.",
    "chiffres": "Chiffres clés cités dans le texte par {nom} ; un chiffre tapé une seule fois.",
    "communes": "Les communes (du territoire, d'un quartier, d'une zone).",
    "thematique": "Thématique de l'action (chapitre 3).",
    "porteur": "Porteur de l'action, tel que le rapport le nomme.",
    "priorites": "Les priorités détaillées par la feuille de route (numero : code d'un élément de la stratégie).",
    "intitule_protocole": "Libellé de la priorité dans le protocole, s'il diffère de celui de la grille.",
    "encadres": "Cadres « ► … » (publics cibles, lieux…).",
    "elements": "Éléments du cadre, un par ligne.",
    "points_de_vigilance": "Points de vigilance (blocs).",
    "sous_priorites": "Le détail des éléments sous la priorité : code, description, précisions.",
    "code": 'Code ("1.1").',
    "description": "Texte qui suit le titre de la sous-priorité.",
    "precisions": "Liste qui suit la description.",
    "complements": "Texte après les sous-priorités.",
    "indicateurs": "Indicateurs d'évaluation, un par ligne.",
    "axes": "Les axes transversaux.",
    "annexe": "Titre de l'annexe dans le dossier.",
    "date": "Date telle qu'imprimée (« Juillet 2019 »).",
    "lieu_date": "Lieu et date de signature (« Fait à Arras le … »).",
    "signataires": "Signataires, dans l'ordre.",
    "pour": "Pour qui signe, ligne par ligne.",
    "annexes": "Annexes du protocole.",
    "consultation": "Date d'envoi du projet et délai de réponse.",
    "envoi": "Date d'envoi du projet aux communes et conseils citoyens.",
    "delai_mois": "Délai de réponse, en mois (un mois au minimum).",
    "organismes": "Communes et conseils citoyens consultés, et autres signataires du contrat de ville.",
    "type": (
        "Dans avis.yaml : commune, conseil_citoyen ou signataire (non consulté). Pour un financeur : "
        "etat_credits_specifiques (P147), etat_droit_commun, epci, commune, departement, region, caf, bailleurs "
        "(abattement TFPB), europe (FSE+, FEDER), banque_des_territoires ou autre. Pour une zone : son type."
    ),
    "avis": "L'avis (ou la contribution) reçu : fichier scanné, séance, sens, date de réception, observations.",
    "fichier": "Nom du fichier dans annexes/<année>/ (le scan ; pour la classification, le fichier de la Préfecture).",
    "seance": "Date de la séance du conseil (pour une contribution : date du document).",
    "sens": "Sens de l'avis : favorable, défavorable, réservé, prend acte, approuve (facultatif pour un signataire).",
    "recu": "Date de réception de l'avis.",
    "observations": "Observations de l'avis, chacune avec la suite que la collectivité lui donne.",
    "texte": "Texte de l'observation.",
    "suite": "Suite donnée à l'observation (obligatoire pour la version définitive).",
    "instance": "L'assemblée qui délibère (« Conseil communautaire »).",
    "nature": (
        "Dans deliberation.yaml : la nature de l'acte (« Délibération »). "
        "Dans une action : fonctionnement ou investissement."
    ),
    "objet": "Objet de la délibération, tel qu'il est transmis à la Préfecture.",
    "classification": (
        "Classification de l'acte pour @ctes : code (8.5) et libellé ; le fichier de classification de la "
        "Préfecture s'il est fourni, sinon sa date ; les types de pièces."
    ),
    "date_version": "Date de la classification de la Préfecture (ClassificationDateVersion), sans son fichier.",
    "type_piece_acte": "Type de pièce de l'acte pour @ctes (99_DE, délibération).",
    "type_piece_annexe": "Type de pièce des annexes pour @ctes (99_AU, autre document, par défaut).",
    "visas": "Les visas de la délibération (« Vu … ; »), dans l'ordre.",
    "considerants": "Considérants ajoutés après ceux tirés de la consultation.",
    "articles": (
        "Les articles, dans l'ordre (numérotés par le gabarit) ; "
        "sous « suites: », un article écrit seulement s'il y a des observations."
    ),
    "suites": "Article qui arrête les suites données aux observations (absent s'il n'y en a pas).",
    "acte": "La délibération signée, enregistrée par « assembleur deliberation ajouter ».",
}


def descriptions() -> dict[str, str]:
    """Every key's French description: the common keys, those of each kind of block, the libellés."""
    return KEYS | {key: text for kind in KINDS.values() for key, text in kind.descriptions.items()} | LIBELLES


def _frenchify(node: Any, keys: dict[str, str]) -> None:
    """Replace pydantic's English titles and docstrings by the French descriptions."""
    if isinstance(node, dict):
        node.pop("title", None)
        if "properties" in node:
            node.pop("description", None)
            for key, value in node["properties"].items():
                if key in keys and isinstance(value, dict):
                    value["description"] = keys[key]
        for value in node.values():
            _frenchify(value, keys)
    elif isinstance(node, list):
        for value in node:
            _frenchify(value, keys)


def schema_of(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind of content file."""
    schema = SCHEMAS[kind].model_json_schema()
    _frenchify(schema, descriptions())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"assembleur : {kind}.yaml"
    return schema


def kind_of(stem: str) -> str | None:
    """Which schema a content file follows, by its name."""
    if stem.startswith("chapitre"):
        return "chapitre"
    return stem if stem in SCHEMAS else None


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into ``folder``; return the files written."""
    written = []
    for kind in SCHEMAS:
        target = folder / f"{kind}.schema.json"
        with atomic_output(target) as temporary:
            temporary.write_text(json.dumps(schema_of(kind), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(target)
    return written


def modeline(kind: str) -> str:
    """The first-line comment that points a YAML file to its schema."""
    return f"# yaml-language-server: $schema=../../{FOLDER}/{kind}.schema.json"
