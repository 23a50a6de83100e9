"""Register the signed délibération of the conseil communautaire (``assembleur deliberation ajouter``).

Built on :mod:`assembleur.contenus.registre`, like the avis: the scan (or the
PDF of the assemblies software; images are turned into a PDF without loss) is
checked exactly as the scans of a build, stored in ``annexes/<année>/`` under a
clear ASCII name that never replaces a file, and recorded under ``acte`` in
``deliberation.yaml`` with its number and the date of the séance, by a
round trip that keeps the file's comments. On any failure nothing is left changed.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from ..errors import AnnexError, ContentError
from ..files import reason
from ..project import ANNEXES, Year
from . import load, registre, validate

DELIBERATION_FILE = "deliberation.yaml"
WHO = "délibération du conseil communautaire"  # how messages about the file name it


def register_deliberation(year: Year, data: bytes, numero: str, seance: str | dt.date) -> registre.Registered:
    """File ``data`` as the signed délibération ``numero`` of the séance ``seance``; record it in deliberation.yaml.

    Raises :class:`~assembleur.contenus.registre.RegistrationError` or the scans'
    :class:`~assembleur.errors.AnnexError`; nothing is changed then.
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
            "Le numéro de la délibération est vide.", "Donnez-le avec --numero (par exemple 2020-123).", "numero"
        )
    seance_date = registre._parse_date(seance, "date de la séance", "seance")

    original = path.read_text(encoding="utf-8")
    yaml = registre._yaml()
    document = yaml.load(original)
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

    pdf, kind = registre.to_pdf(data, WHO)
    folder = year.root / ANNEXES / str(year.annee)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise registre.RegistrationError(
            f"Le dossier {year.shown(folder)} ne peut pas être créé ({reason(exc)})."
        ) from exc
    if not folder.resolve().is_relative_to(year.root.resolve()):
        raise registre.RegistrationError(
            f"Le dossier {year.shown(folder)} sort du dossier du projet (par un lien).",
            "Faites-en un vrai dossier dans le projet.",
            "fichier",
        )
    from ..pdf import assemble

    scan = registre._store(pdf, folder, f"deliberation-conseil-communautaire-{seance_date.isoformat()}")
    try:
        try:
            pages = assemble.check_scan(scan, WHO, year.shown(scan))
        except AnnexError as exc:
            message = exc.problems[0].message
            raise registre.RegistrationError(
                message[:1].upper() + message[1:],
                "Aucun fichier n'a été enregistré ; envoyez un autre scan.",
                "fichier",
            ) from None
        acte = CommentedMap()
        acte["fichier"] = scan.name
        acte["numero"] = numero
        acte["seance"] = seance_date.strftime("%d/%m/%Y")
        registre._append_keeping_comments(document, "acte", acte)
        out = io.StringIO()
        yaml.dump(document, out)
        text = out.getvalue()
        if not registre._only_added(original, text):
            raise registre.RegistrationError(
                f"{shown_yaml} ne peut pas être complété sans changer sa mise en page.",
                "Ajoutez à la main, à la fin du fichier, la rubrique « acte » (fichier, numero, seance).",
            )
        registre._write_text(path, text)
        try:
            validate.validate(load.load_year(year.contents, base=year.root))
        except ContentError as exc:
            mine = [p for p in exc.problems if p.file is not None and Path(p.file).name == DELIBERATION_FILE]
            if mine:
                registre._write_text(path, original)
                raise registre.RegistrationError(
                    f"Avec cette délibération, {shown_yaml} n'est pas valide : {mine[0]}",
                    "Rien n'a été modifié. Corrigez ce fichier, puis recommencez.",
                ) from None
    except BaseException:
        scan.unlink(missing_ok=True)
        raise
    return registre.Registered(f"délibération n° {numero}", scan, pages, kind.upper())
