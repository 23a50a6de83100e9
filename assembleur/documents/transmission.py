"""What the @ctes package says of the act, taken from the content and checked as the platforms check it.

The collectivité's SIREN and département (``contrat.yaml › territoire › pilote``) and
the act's number and date (``deliberation.yaml › acte``) make the ACTES file
names; the classification (``deliberation.yaml › classification``) gives the
matières, and, when the Préfecture's classification file is named there, its
date and the piece types it accepts. Everything is checked before any
conversion: a mistake costs nothing and is named with its file and line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..contenus import acte as acte_module
from ..contenus import classification as classification_file
from ..contenus import markup
from ..contenus.model import MAX_OBJET, Classification
from ..contenus.validate import Content
from ..errors import ActesProblems, Problem
from ..pdf import actes
from ..project import ANNEXES, Year
from .derive import Builder

NATURE_DELIBERATION = 1  # the ACTES code of a délibération's nature; its abbreviation is DE
ABREGE_DELIBERATION = "DE"


def _at(content: Content, stem: str, loc: tuple, message: str) -> Problem:
    source = content.sources[stem]
    line, column = source.position(loc)
    return Problem(source.path, message, line, column, " › ".join(str(step) for step in loc))


def inputs(year: Year, content: Content) -> list[Path]:
    """The Préfecture's classification file, when named and filed: an input of the build, for its manifest."""
    deliberation = content.deliberation
    if deliberation is None or deliberation.classification.fichier is None:
        return []
    path = year.root / ANNEXES / str(year.annee) / deliberation.classification.fichier
    return [path] if path.is_file() else []


def _retour(year: Year, content: Content) -> tuple[classification_file.Retour | None, list[Problem]]:
    """The Préfecture's classification file when one is named, and what it refuses of the content."""
    deliberation = content.deliberation
    if deliberation is None or deliberation.classification.fichier is None:
        return None, []
    classification = deliberation.classification
    folder = year.root / ANNEXES / str(year.annee)
    path, shown = folder / classification.fichier, year.shown(folder / classification.fichier)
    named = ("classification", "fichier")
    if not path.resolve().is_relative_to(folder.resolve()):
        where = year.shown(folder)
        return None, [
            _at(content, "deliberation", named, f"le fichier de classification doit se trouver dans {where}/.")
        ]
    if not path.is_file():
        message = f"le fichier de classification {shown} est introuvable ; déposez-le dans {year.shown(folder)}/."
        return None, [_at(content, "deliberation", named, message)]
    try:
        retour = classification_file.read(path, shown)
    except ActesProblems as exc:
        return None, exc.problems
    problems = []
    if classification.code not in retour.matieres:
        closest = ", ".join(retour.closest(classification.code)) or "aucun"
        problems.append(
            _at(
                content,
                "deliberation",
                ("classification", "code"),
                f"la classification « {classification.code} » n'est pas dans le fichier de la Préfecture ({shown}) ; "
                f"codes les plus proches : {closest}.",
            )
        )
    accepted = retour.types_pieces.get(NATURE_DELIBERATION, {})
    for key in ("type_piece_acte", "type_piece_annexe"):
        value = getattr(classification, key)
        if value not in accepted:
            listed = ", ".join(f"{code} ({libelle})" for code, libelle in accepted.items()) or "aucun"
            problems.append(
                _at(
                    content,
                    "deliberation",
                    ("classification", key) if key in classification.model_fields_set else ("classification",),
                    f"le type de pièce « {value} » ({'acte' if key.endswith('acte') else 'annexes'}) n'est pas dans la "
                    f"liste de la Préfecture pour les délibérations ({shown}) ; types acceptés : {listed}. "
                    f"Choisissez-en un avec « {key}: » sous « classification ».",
                )
            )
    return retour, problems


def _required(content: Content, today: dt.date) -> list[Problem]:
    """What the ACTES names and message need once the act is registered: identity, number, date, objet."""
    problems = []
    identity = content.pilote.identity
    # the line to add as it is typed, then what it holds (outside the quotes: the line stays valid YAML)
    for key, example in (("siren", '"123456789" » (ses 9 chiffres)'), ("departement", '"062" » (3 caractères)')):
        if identity[key] is None:
            problems.append(
                _at(
                    content,
                    "contrat",
                    ("territoire", "pilote"),
                    f"le {'SIREN' if key == 'siren' else 'département'} de la collectivité manque : le dossier @ctes "
                    f"le porte dans le nom de chaque fichier ; ajoutez « {key}: {example} sous "
                    "« territoire › pilote ».",
                )
            )
    deliberation = content.deliberation
    acte = deliberation.acte if deliberation else None
    if deliberation is None or acte is None:
        return problems
    if refusal := acte_module.numero_refusal(acte.numero):
        problems.append(_at(content, "deliberation", ("acte", "numero"), " ".join(refusal)))
    if acte.seance > today:
        problems.append(
            _at(content, "deliberation", ("acte", "seance"), "la date de la séance est dans le futur ; corrigez-la.")
        )
    objet = markup.plain(Builder(content).text(deliberation.objet))
    if len(objet) > MAX_OBJET:
        problems.append(
            _at(
                content,
                "deliberation",
                ("objet",),
                f"l'objet compte {len(objet)} caractères une fois écrit ; "
                f"les plateformes @ctes en acceptent {MAX_OBJET} au plus : raccourcissez-le.",
            )
        )
    return problems


def check(year: Year, content: Content, registered: bool) -> list[Problem]:
    """Refuse (:class:`ActesProblems`) what the @ctes package cannot carry; return its warnings.

    The Préfecture's classification file is always checked when named; the
    identity, number, date and objet once the act is ``registered``.
    """
    retour, problems = _retour(year, content)
    if registered:
        problems += _required(content, dt.date.today())
    if problems:
        raise ActesProblems(problems)
    deliberation = content.deliberation
    if registered and deliberation and not _classification_date(retour, deliberation.classification):
        return [_at(content, "deliberation", ("classification",), f"le message ACTES n'est pas écrit : {NO_DATE}.")]
    return []


def _classification_date(retour: classification_file.Retour | None, classification: Classification) -> dt.date | None:
    """The date every act repeats (``ClassificationDateVersion``): the Préfecture's file's, else the one typed."""
    return retour.date if retour else classification.date_version


def transmission(year: Year, content: Content) -> actes.Transmission:
    """The act as the bordereau and the ACTES message say it (content already checked by :func:`check`)."""
    deliberation = content.deliberation
    builder = Builder(content)

    def text(raw: str) -> str:
        return markup.plain(builder.text(raw))

    identity = {key: value or "" for key, value in content.pilote.identity.items()}
    if deliberation is None:  # a projet's package without an act: the rapport stands first
        return actes.Transmission(
            nature="",
            classification_code=Classification().code,
            classification_libelle=text(Classification().libelle),
            objet=text(content.rapport.titre),
            sans_message=NO_ACT,
            **identity,
        )
    classification, acte = deliberation.classification, deliberation.acte
    retour, _ = _retour(year, content)
    date = _classification_date(retour, classification)
    sans_message = "" if date else NO_DATE
    return actes.Transmission(
        nature=text(deliberation.nature),
        classification_code=classification.code,
        classification_libelle=(retour.matieres.get(classification.code) if retour else None)
        or text(classification.libelle),
        objet=text(deliberation.objet),
        numero=acte.numero if acte else "",
        date=acte.seance.isoformat() if acte else "",
        nature_code=NATURE_DELIBERATION,
        nature_abrege=ABREGE_DELIBERATION,  # national, whatever a Préfecture's file spells: never taken from it
        classification_date=date.isoformat() if date else "",
        type_piece_acte=classification.type_piece_acte,
        type_piece_annexe=classification.type_piece_annexe,
        sans_message=sans_message if acte else NO_ACT,
        **identity,
    )


NO_ACT = (
    "aucune délibération signée n'est enregistrée, or le message porte son numéro et sa date, "
    "comme les noms des fichiers ACTES (assembleur deliberation ajouter)"
)
NO_DATE = (
    "la date de la classification de la Préfecture n'est pas connue (donnez dans deliberation.yaml "
    "son fichier, classification › fichier, ou sa date, classification › date_version)"
)
