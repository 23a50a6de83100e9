"""The consultation of the communes and conseils citoyens on the projet.

Décret n° 2015-1118 du 3 septembre 2015: the bodies consulted have at least
one month to answer; a body that has not answered when the delay has passed
is deemed to have given a favourable avis (« réputé favorable »).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Problem
from . import french
from .model import SIGNATAIRE, Avis, Consultation, Observation, Organisme

RECU = "reçu"
EN_ATTENTE = "en attente"
REPUTE_FAVORABLE = "réputé favorable"
SANS_AVIS = "sans avis"
SANS_CONTRIBUTION = "pas de contribution"  # a signatory is not consulted: no delay, never « réputé favorable »


def today() -> dt.date:
    """Today's date (one place, so that tests can set it)."""
    return dt.date.today()


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` later; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deadline(consultation: Consultation) -> dt.date | None:
    """The last day to answer, when the date the projet was sent is known."""
    if consultation.envoi is None:
        return None
    return add_months(consultation.envoi, consultation.delai_mois)


def sending(consultation: Consultation) -> str:
    """The sentence about when the projet was sent and until when answers are awaited."""
    end = deadline(consultation)
    if consultation.envoi is None or end is None:
        return "Date d'envoi du projet : non renseignée (consultation.envoi dans avis.yaml)."
    return (
        f"Projet envoyé le {french.format_long_date(consultation.envoi)} ; réponses attendues jusqu'au "
        f"{french.format_long_date(end)} inclus."
    )


@dataclass(frozen=True)
class Statut:
    """Where one consulted body's avis stands."""

    organisme: Organisme
    etat: str  # RECU, EN_ATTENTE, REPUTE_FAVORABLE, SANS_AVIS or SANS_CONTRIBUTION
    echeance: dt.date | None = None
    jours_restants: int | None = None

    @property
    def seance(self) -> str:
        avis = self.organisme.avis
        return french.format_long_date(avis.seance) if avis else "—"

    @property
    def sens(self) -> str:
        """What the summary table says in its « avis » column."""
        if self.organisme.avis:
            return self.organisme.avis.sens or "contribution reçue"
        if self.etat == SANS_CONTRIBUTION:
            return "pas de contribution"
        if self.etat == REPUTE_FAVORABLE:
            return f"réputé favorable (pas de réponse au {french.format_long_date(self.echeance)})"
        if self.etat == SANS_AVIS:
            return "joint sans avis (décision de la collectivité)"
        if self.jours_restants is not None:
            plural = "s" if self.jours_restants > 1 else ""
            return f"en attente ({self.jours_restants} jour{plural} restant{plural})"
        return "en attente"

    @property
    def recu(self) -> str:
        avis = self.organisme.avis
        return french.format_long_date(avis.recu) if avis and avis.recu else "—"


def statut(
    organisme: Organisme, consultation: Consultation, on: dt.date, excused: frozenset[str] = frozenset()
) -> Statut:
    """The status of ``organisme`` on the day ``on``."""
    if organisme.avis is not None:
        return Statut(organisme, RECU)
    if organisme.type == SIGNATAIRE:
        return Statut(organisme, SANS_CONTRIBUTION)
    if organisme.nom in excused:
        return Statut(organisme, SANS_AVIS)
    end = deadline(consultation)
    if end is not None and on > end:
        return Statut(organisme, REPUTE_FAVORABLE, end)
    return Statut(organisme, EN_ATTENTE, end, (end - on).days if end else None)


@dataclass(frozen=True)
class ObservationFaite:
    """An observation, with the body that made it and its key path in avis.yaml."""

    organisme: Organisme
    observation: Observation
    loc: tuple[Any, ...]


def observations(avis: Avis | None) -> list[ObservationFaite]:
    """Every observation of the received avis and contributions, in the order of avis.yaml."""
    if avis is None:
        return []
    return [
        ObservationFaite(organisme, observation, ("organismes", i, "avis", "observations", j))
        for i, organisme in enumerate(avis.organismes)
        if organisme.avis is not None
        for j, observation in enumerate(organisme.avis.observations)
    ]


def missing_suites(avis: Avis | None, path: Path | None, position: Any) -> list[Problem]:
    """One problem per observation without a suite (a warning for a projet, an error for a définitif).

    ``position`` gives the line and column of a key path (``SourceFile.position``).
    """
    problems = []
    for made in observations(avis):
        if made.observation.suite is None:
            line, column = position(made.loc)
            problems.append(
                Problem(
                    path,
                    f"l'observation de « {made.organisme.nom} » n'a pas de suite "
                    f"(« {_short(made.observation.texte)} ») ; ajoutez « suite: … » sous son texte.",
                    line,
                    column,
                )
            )
    return problems


def _short(text: str, size: int = 80) -> str:
    return text if len(text) <= size else f"{text[: size - 1]}…"
