"""The projet de délibération of the conseil communautaire, built from the content and the consultation.

The conseil communautaire approves the rapport and states the suites it gives
to the observations (décret n° 2015-1118). The words of the act live in the
template (``gabarits/deliberation.docx``: the sentences about the consultation,
the numbering of the articles) and in ``deliberation.yaml`` (objet, visas,
considérants, articles); this module only gathers the facts, French-formatted.
"""

from __future__ import annotations

from typing import Any

from ..contenus import consultation, french, markup
from ..contenus.consultation import Statut
from ..contenus.model import SIGNATAIRE, ArticleSuites
from ..contenus.validate import Content
from ..project import PROJET
from .derive import Builder, Document, common_cover


def build_deliberation(content: Content, statuts: list[Statut], version: str = PROJET, mention: str = "") -> Document:
    """The délibération's data for its template (everything in the cover; no body)."""
    deliberation = content.deliberation
    if deliberation is None:
        raise ValueError("no deliberation.yaml")  # callers check content.deliberation first
    builder = Builder(content)

    def text(raw: str) -> str:
        return markup.plain(builder.text(raw))

    observations = [
        {
            "organisme": made.organisme.nom,
            "texte": text(made.observation.texte),
            "suite": text(made.observation.suite) if made.observation.suite else "",
        }
        for made in consultation.observations(content.avis)
    ]
    articles = [
        text(article.suites) if isinstance(article, ArticleSuites) else text(article)
        for article in deliberation.articles
        if observations or not isinstance(article, ArticleSuites)
    ]
    consulted = [s for s in statuts if s.organisme.type != SIGNATAIRE]
    avis = content.avis
    sent = avis.consultation.envoi if avis else None
    deadline = consultation.deadline(avis.consultation) if avis else None
    months = avis.consultation.delai_mois if avis else 1

    def names(state: str) -> list[str]:
        return [s.organisme.nom for s in consulted if s.etat == state]

    acte = deliberation.acte
    cover: dict[str, Any] = {
        **common_cover(content, version, mention),
        "instance": text(deliberation.instance),
        "objet": text(deliberation.objet),
        "classification_code": deliberation.classification.code,
        "classification_libelle": text(deliberation.classification.libelle),
        "visas": [text(visa) for visa in deliberation.visas],
        "envoi": french.format_long_date(sent) if sent else "",
        "delai": f"{months} mois",
        "echeance": french.format_long_date(deadline) if deadline else "",
        "consultes": len(consulted),
        "avis_recus": [_received(s) for s in consulted if s.etat == consultation.RECU],
        "reputes_favorables": names(consultation.REPUTE_FAVORABLE),
        "sans_avis": names(consultation.SANS_AVIS),
        "en_attente": names(consultation.EN_ATTENTE),
        "contributions": [
            _received(s) for s in statuts if s.organisme.type == SIGNATAIRE and s.etat == consultation.RECU
        ],
        "observations": observations,
        "considerants": [text(considerant) for considerant in deliberation.considerants],
        "articles": articles,
        "numero": acte.numero if acte else "",
        "seance": french.format_long_date(acte.seance) if acte else "",
    }
    return Document(cover, [])


def _received(statut: Statut) -> dict[str, str]:
    """A received avis or contribution, as the template names it."""
    avis = statut.organisme.avis
    return {
        "organisme": statut.organisme.nom,
        "date": statut.seance,
        "sens": statut.sens,
        "recu": french.format_long_date(avis.recu) if avis and avis.recu else "",
    }
