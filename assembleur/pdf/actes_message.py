"""The ACTES message (``…_0.xml``): the XML that describes the act to the Préfecture.

It follows ``actesv1_1.xsd`` (namespace ``http://www.interieur.gouv.fr/ACTES#v1.1-20040216``,
attributes qualified, hence written ``actes:Date``): the act's date, number and
nature, its matières (« 8.5 » is ``CodeMatiere1`` 8 and ``CodeMatiere2`` 5), its
objet, the date of the Préfecture's classification, the act's file, each annex's
file and ``DocumentPapier`` (N: nothing is sent on paper). The file is written in
ISO-8859-1, as the platforms read it: the few characters of French typography
outside that encoding are written as their nearest Latin-1 spelling.
"""

from __future__ import annotations

from pathlib import Path

from ..files import atomic_output

NAMESPACE = "http://www.interieur.gouv.fr/ACTES#v1.1-20040216"
INSEE = "http://xml.insee.fr/schema"
ENCODING = "ISO-8859-1"
# the characters of French typing outside ISO-8859-1, as the platforms' forms would take them
_LATIN1 = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "\u202f": " ",
        "\u2009": " ",
        "€": "EUR",
    }
)


def latin1(text: str) -> str:
    """``text`` with the usual French characters outside ISO-8859-1 replaced (others stay, as character references)."""
    return text.translate(_LATIN1)


def message(
    *,
    date: str,
    numero: str,
    nature_code: int,
    classification_code: str,
    objet: str,
    classification_date: str,
    act: str,
    annexes: list[str],
) -> bytes:
    """The ACTES message, as bytes in ISO-8859-1; dates are ``AAAA-MM-JJ``, ``act`` and ``annexes`` file names."""
    from lxml import etree

    def name(local: str) -> str:
        return f"{{{NAMESPACE}}}{local}"

    root = etree.Element(name("Acte"), nsmap={"actes": NAMESPACE, "insee": INSEE})
    root.set(name("Date"), date)
    root.set(name("NumeroInterne"), numero)
    root.set(name("CodeNatureActe"), str(nature_code))
    for level, code in enumerate(classification_code.split("."), start=1):
        etree.SubElement(root, name(f"CodeMatiere{level}")).set(name("CodeMatiere"), str(int(code)))
    etree.SubElement(root, name("Objet")).text = latin1(objet)
    etree.SubElement(root, name("ClassificationDateVersion")).text = classification_date
    etree.SubElement(etree.SubElement(root, name("Document")), name("NomFichier")).text = act
    listed = etree.SubElement(root, name("Annexes"))
    listed.set(name("Nombre"), str(len(annexes)))
    for annexe in annexes:
        etree.SubElement(etree.SubElement(listed, name("Annexe")), name("NomFichier")).text = annexe
    etree.SubElement(root, name("DocumentPapier")).text = "N"
    declaration = f'<?xml version="1.0" encoding="{ENCODING}"?>\n'.encode("ascii")  # as the platforms write it
    return declaration + etree.tostring(root, xml_declaration=False, encoding=ENCODING, pretty_print=True)


def write(target: Path, data: bytes) -> Path:
    """Write the message ``data`` to ``target`` (atomically); return it."""
    with atomic_output(target) as temporary:
        temporary.write_bytes(data)
    return target
