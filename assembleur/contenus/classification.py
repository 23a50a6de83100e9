"""The Préfecture's classification file (``RetourClassification``): its date, its matières, its piece types.

Each Préfecture sends the collectivités of its département their own
classification, through the tiers de télétransmission: the date of its version
(``DateClassification``, which every act transmitted repeats as
``ClassificationDateVersion``), the natures of acts with the piece types each
accepts (``NaturesActes/NatureActe/TypePJNatureActe``) and the tree of matières
(``Matieres/Matiere1…5``: ``8`` → ``8.5`` → …). Named in
``deliberation.yaml › classification › fichier`` and filed in
``annexes/<année>/``, it is read here as any file from outside: size-limited,
without DTD, entities or network.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path

from .. import limites
from ..errors import ActesProblems, Problem
from ..pdf.actes_message import NAMESPACE  # one home for the ACTES namespace: the message writer

ROOT = "RetourClassification"


@dataclass(frozen=True)
class Retour:
    """What a classification file says: its date, the libellé of each matière, the piece types of each nature."""

    date: dt.date
    matieres: dict[str, str]  # "8.5" → "Politique de la ville-habitat-logement"
    types_pieces: dict[int, dict[str, str]]  # code of the nature → {"99_DE": "Délibération", …}
    abreges: dict[int, str]  # code of the nature → "DE"

    def closest(self, code: str, count: int = 3) -> list[str]:
        """The codes of the file nearest to ``code``, written « 8.5 (libellé) »: the same first level first."""
        same = [c for c in self.matieres if c.split(".")[0] == code.split(".")[0]]
        near = difflib.get_close_matches(code, same, n=count, cutoff=0) if same else []
        near += [c for c in difflib.get_close_matches(code, list(self.matieres), n=count, cutoff=0) if c not in near]
        return [f"{c} ({self.matieres[c]})" for c in near[:count]]


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _attribute(element, name: str) -> str:
    """An attribute, qualified as the schema wants it (``actes:CodeMatiere``) or, leniently, not."""
    return (element.get(_tag(name)) or element.get(name) or "").strip()


def read(path: Path, shown: Path) -> Retour:
    """Read the classification file ``path`` (``shown`` in messages); raise :class:`ActesProblems` if unusable."""
    from lxml import etree

    def refuse(message: str, line: int | None = None) -> ActesProblems:
        return ActesProblems([Problem(shown, message, line)])

    advice = "redemandez-le à votre tiers de télétransmission (ou à la Préfecture), sans le modifier."
    with path.open("rb") as handle:
        data = handle.read(limites.MAX_CLASSIFICATION_BYTES + 1)
    size = path.stat().st_size
    if len(data) > limites.MAX_CLASSIFICATION_BYTES:
        weight = f"{size / 1e6:.1f}".replace(".", ",")  # a French decimal comma
        raise refuse(
            f"le fichier de classification pèse {weight} Mo, bien plus qu'une classification "
            f"(au plus {limites.MAX_CLASSIFICATION_BYTES / 1e6:g} Mo) ; {advice}"
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True
    )
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise refuse(
            f"le fichier de classification n'est pas un XML lisible ({exc.msg}) ; {advice}", exc.lineno
        ) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise refuse(f"le fichier de classification déclare un DOCTYPE, ce qu'aucune classification ne fait ; {advice}")
    root = tree.getroot()
    if root.tag != _tag(ROOT):
        raise refuse(
            f"ce n'est pas un fichier de classification @ctes (RetourClassification) ; {advice}", root.sourceline
        )
    for elements, _ in enumerate(root.iter(), start=1):
        if elements > limites.MAX_CLASSIFICATION_ELEMENTS:
            raise refuse(
                f"le fichier de classification a plus de {limites.MAX_CLASSIFICATION_ELEMENTS} éléments ; {advice}"
            )
    date_element = root.find(_tag("DateClassification"))
    try:
        date = dt.date.fromisoformat((date_element.text or "").strip()) if date_element is not None else None
    except ValueError:
        date = None
    if date is None:
        line = date_element.sourceline if date_element is not None else root.sourceline
        raise refuse(f"le fichier de classification n'a pas de date lisible (DateClassification) ; {advice}", line)
    matieres: dict[str, str] = {}

    def walk(element, prefix: str, level: int) -> None:
        for child in element.findall(_tag(f"Matiere{level}")):
            code = f"{prefix}{_attribute(child, 'CodeMatiere')}"
            matieres[code] = _attribute(child, "Libelle")
            if level < 5:
                walk(child, f"{code}.", level + 1)

    walk(root.find(_tag("Matieres")) if root.find(_tag("Matieres")) is not None else root, "", 1)
    types: dict[int, dict[str, str]] = {}
    abreges: dict[int, str] = {}
    for nature in root.iterfind(f"{_tag('NaturesActes')}/{_tag('NatureActe')}"):
        try:
            code = int(_attribute(nature, "CodeNatureActe"))
        except ValueError:
            continue  # a nature without a code cannot be the act's
        abreges[code] = _attribute(nature, "TypeAbrege")
        types[code] = {
            _attribute(piece, "CodeTypePJ"): _attribute(piece, "Libelle")
            for piece in nature.findall(_tag("TypePJNatureActe"))
        }
    return Retour(date, matieres, types, abreges)
