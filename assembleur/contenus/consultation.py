"""The consultation of the communes and conseils citoyens on the projet.

Décret n° 2015-1118 du 3 septembre 2015: the bodies consulted have at least
one month to answer; a body that has not answered when the delay has passed
is deemed to have given a favourable avis (« réputé favorable »).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from . import french
from .model import Consultation, Organisme

RECU = "reçu"
EN_ATTENTE = "en attente"
REPUTE_FAVORABLE = "réputé favorable"
SANS_AVIS = "sans avis"


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


@dataclass(frozen=True)
class Statut:
    """Where one consulted body's avis stands."""

    organisme: Organisme
    etat: str  # RECU, EN_ATTENTE, REPUTE_FAVORABLE or SANS_AVIS
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
            return self.organisme.avis.sens
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
    if organisme.nom in excused:
        return Statut(organisme, SANS_AVIS)
    end = deadline(consultation)
    if end is not None and on > end:
        return Statut(organisme, REPUTE_FAVORABLE, end)
    return Statut(organisme, EN_ATTENTE, end, (end - on).days if end else None)
