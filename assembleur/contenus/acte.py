"""Register the signed délibération of the conseil communautaire (``assembleur deliberation ajouter``).

Built on :func:`assembleur.contenus.registre.register`, like the avis: the scan
(or the PDF of the assemblies software; images are turned into a PDF without
loss) is checked exactly as the scans of a build, stored in ``annexes/<année>/``
under a clear ASCII name that never replaces a file, and recorded under
``acte`` in ``deliberation.yaml`` with its number and the date of the séance,
by a round trip that keeps the file's comments. On any failure nothing is
left changed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from ruamel.yaml.comments import CommentedMap

from ..project import Year
from . import registre

DELIBERATION_FILE = "deliberation.yaml"
# S²LOW's rule, stricter than the ACTES schema's: upper-case letters, digits and « _ », 15 characters at most,
# neither starting nor ending with « _ ».
NUMERO_PATTERN = re.compile(r"^([A-Z0-9][A-Z0-9_]{0,13})?[A-Z0-9]$")
NUMERO_RULE = (
    "les plateformes @ctes (S²LOW) n'acceptent que des majuscules, des chiffres et « _ », "
    "15 caractères au plus, sans « _ » au début ni à la fin"
)


def numero_suggestion(numero: str) -> str:
    """The spelling of ``numero`` the platforms accept (``2020-245`` → ``2020_245``); empty when none is left."""
    plain = unicodedata.normalize("NFKD", numero).encode("ascii", "ignore").decode("ascii").upper()
    plain = re.sub(r"[-\s./]+", "_", plain.strip())
    plain = re.sub(r"_+", "_", re.sub(r"[^A-Z0-9_]", "", plain)).strip("_")
    return plain[:15].rstrip("_")


def numero_refusal(numero: str) -> tuple[str, str] | None:
    """Why @ctes refuses ``numero``, and what to type instead; None when it is accepted."""
    if NUMERO_PATTERN.match(numero):
        return None
    suggestion = numero_suggestion(numero)
    advice = (
        f"Écrivez-le « {suggestion} » (--numero {suggestion}), comme il sera transmis à la Préfecture."
        if suggestion
        else "Donnez le numéro tel que votre service des assemblées l'a attribué (par exemple 2020_245)."
    )
    return f"Le numéro « {numero} » n'est pas accepté : {NUMERO_RULE}.", advice


WHO = "délibération du conseil communautaire"  # the name of what was registered
NAMED = "la délibération signée"  # how messages about its file name it, as the build's check does


def register_deliberation(year: Year, data: bytes, numero: str, seance: str | dt.date) -> registre.Registered:
    """File ``data`` as the signed délibération ``numero`` of the séance ``seance``; record it in deliberation.yaml.

    Raises :class:`~assembleur.contenus.registre.RegistrationError`; nothing is changed then.
    """
    path = year.contents / DELIBERATION_FILE
    shown_yaml = year.shown(path)
    if not path.is_file():
        raise registre.RegistrationError(
            f"L'année {year.annee} n'a pas de fichier {DELIBERATION_FILE}.",
            "Créez-le (objet, visas, articles : voir docs/contenus.md et contenus/2019/), puis recommencez.",
        )
    numero = (numero or "").strip()
    if not numero:
        raise registre.RegistrationError(
            "Le numéro de la délibération est vide.", "Donnez-le avec --numero (par exemple 2020_245).", "numero"
        )
    if refusal := numero_refusal(numero):
        raise registre.RegistrationError(*refusal, "numero")
    seance_date = registre.parse_date(seance, "date de la séance", "seance")
    if seance_date > dt.date.today():
        raise registre.RegistrationError(
            f"La date de la séance ({seance_date:%d/%m/%Y}) est dans le futur : "
            "les plateformes @ctes refusent un acte daté d'après sa transmission.",
            "Donnez la date à laquelle le conseil a délibéré (--seance JJ/MM/AAAA).",
            "seance",
        )

    def unsigned(document: Any) -> CommentedMap:
        if not isinstance(document, CommentedMap):
            raise registre.RegistrationError(f"{shown_yaml} n'est pas une rubrique de clés.", "Corrigez ce fichier.")
        if document.get("acte") is not None:
            acte = document["acte"]
            raise registre.RegistrationError(
                f"Une délibération signée est déjà enregistrée dans {shown_yaml} "
                f"(n° {acte.get('numero', '?')}, {acte.get('fichier', '?')}).",
                f"Pour la remplacer, retirez la rubrique « acte » de {shown_yaml}, puis recommencez.",
                "numero",
            )
        return document

    unsigned(registre.load_round_trip(path, shown_yaml))  # refused before the scan is even read

    def add_act(document: Any, file_name: str) -> None:
        acte = CommentedMap()
        acte["fichier"] = file_name
        acte["numero"] = numero
        acte["seance"] = seance_date.strftime("%d/%m/%Y")
        registre.append_keeping_comments(unsigned(document), "acte", acte)

    stem = f"deliberation-conseil-communautaire-{seance_date.isoformat()}"
    done = registre.register(year, data, WHO, stem, path, add_act, NAMED)
    return registre.Registered(f"délibération n° {numero}", done.scan, done.pages, done.converted_from)
