"""Finishing touches of every PDF written: stable dates and IDs, the PROJET watermark, PDF/A.

Reproducible: LibreOffice stamps each PDF with the clock (creation date, file
ID). Every PDF assembleur delivers is rewritten with dates taken from the
content (the date d'arrêt) and an ID derived from the pages, so that the same
inputs give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf

from ..files import atomic_output

WATERMARK = "PROJET"
PRODUCER = "assembleur (pikepdf)"
ARTIFACT_WATERMARK = "/Artifact <</Type /Pagination /Subtype /Watermark>> BDC"
ARTIFACT_PAGINATION = "/Artifact <</Type /Pagination>> BDC"
# the outlines of the letters of the watermark (made by outils/fabriquer_lettres.py)
LETTERS = Path(__file__).with_name("lettres.json")


@dataclass(frozen=True)
class Metadata:
    """A PDF's document information, written both in the Info dictionary and, for PDF/A, in XMP."""

    title: str
    author: str
    subject: str
    keywords: str
    date: dt.date
    language: str = "fr-FR"


def pdf_date(day: dt.date) -> str:
    """``2020-09-29`` → ``D:20200929120000+00'00'`` (noon, so that no time zone moves the day)."""
    return f"D:{day:%Y%m%d}120000+00'00'"


WATERMARK_STATE = "/GSWm"  # the graphics state of the watermark's transparency, in the page's resources
WATERMARK_OPACITY = 0.22


def watermark_operators(width: float, height: float, state: str, note: str = "") -> str:
    """The content operators of the watermark (and ``note`` at the bottom right), ``state`` naming its transparency.

    Both are artifacts, drawn as the outlines of a bold font's letters: no
    font is needed, so none is left unembedded (PDF/UA, PDF/A).
    """
    size = min(width, height) / 4.2
    word, text_width = outlines(WATERMARK)
    text_width *= size / 1000
    angle = math.atan2(height, width)
    cos, sin = math.cos(angle), math.sin(angle)
    # start so that the middle of the word sits at the middle of the page
    x = width / 2 - cos * text_width / 2 + sin * size * 0.35
    y = height / 2 - sin * text_width / 2 - cos * size * 0.35
    k = size / 1000
    # artifacts, not content: assistive technologies do not read them, and a tagged PDF stays whole
    content = (
        f"{ARTIFACT_WATERMARK} q {state} gs 0.75 0.08 0.08 rg "
        f"{cos * k:.5f} {sin * k:.5f} {-sin * k:.5f} {cos * k:.5f} {x:.1f} {y:.1f} cm {word} Q EMC"
    )
    if note:  # the build's number, bottom right, where a reader looks for it
        drawn, note_width = outlines(note)
        content += (
            f" {ARTIFACT_PAGINATION} q 0.75 0.08 0.08 rg "
            f"0.008 0 0 0.008 {width - 36 - note_width * 0.008:.1f} 14 cm {drawn} Q EMC"
        )
    return content


@cache
def _letters() -> dict[str, list]:
    return json.loads(LETTERS.read_text(encoding="utf-8"))["lettres"]


def outlines(text: str) -> tuple[str, float]:
    """``text`` as path operators (1000 units to the em) and its width; a letter not drawn counts as a space."""
    letters = _letters()
    operators, width = [], 0.0
    for letter in text:
        advance, drawing = letters.get(letter, letters[" "])
        if drawing:
            operators.append(f"q 1 0 0 1 {width:.0f} 0 cm {drawing} f Q")
        width += advance
    return " ".join(operators), width


class Stamp:
    """The PROJET watermark (and ``note``) drawn over pages of ``pdf``, all sharing one transparency.

    The page's own content is put between ``q`` and ``Q``, the watermark added
    after it as one more stream: nothing of the page is parsed nor rewritten.
    """

    def __init__(self, pdf: pikepdf.Pdf, note: str = "") -> None:
        self.state = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=WATERMARK_OPACITY, CA=WATERMARK_OPACITY)
        )
        self.note = note

    def draw(self, page: pikepdf.Page) -> None:
        """Draw the watermark over ``page``, under a graphics-state name the page does not use yet."""
        name = page.add_resource(self.state, pikepdf.Name.ExtGState, name=_free_name(page, WATERMARK_STATE))
        box = page.mediabox
        width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
        page.contents_add(b"q\n", prepend=True)  # the page's own state is closed before the watermark
        page.contents_add(b"\nQ\n" + watermark_operators(width, height, str(name), self.note).encode("latin-1"))


def finish_pdf(path: Path, day: dt.date, watermark: bool, pdfa: bool = False, note: str = "") -> Path:
    """Rewrite a PDF made by LibreOffice: stable dates and ID, and the watermark on every page if asked.

    Every part goes through here at every build (the watermark and the version
    number are not cached), so this is done with qpdf (pikepdf), which copies a
    tagged part's thousands of objects untouched in milliseconds. The XMP
    metadata is written anew to match the new dates.
    """
    with pikepdf.open(path) as pdf:
        info = pdf.docinfo
        metadata = Metadata(
            title=str(info.get("/Title", "")),
            author=str(info.get("/Author", "")),
            subject=str(info.get("/Subject", "")),
            keywords=str(info.get("/Keywords", "")),
            date=day,
        )
        if watermark:
            stamp = Stamp(pdf, note)
            for page in pdf.pages:
                stamp.draw(page)
        set_metadata(pdf, metadata, pdfa)
        with atomic_output(path) as temporary:
            pdf.save(temporary, deterministic_id=True)  # an ID from the content: same inputs, same bytes
            temporary.chmod(0o644)
    return path


def set_metadata(pdf: pikepdf.Pdf, metadata: Metadata, pdfa: bool = False) -> None:
    """The Info dictionary (dates from the content, no trace of the clock), the language and the XMP packet."""
    day = pdf_date(metadata.date)
    info = {
        "/Title": metadata.title,
        "/Author": metadata.author,
        "/Subject": metadata.subject,
        "/Keywords": metadata.keywords,
        "/Creator": "assembleur",
        "/Producer": PRODUCER,
        "/CreationDate": day,
        "/ModDate": day,
    }
    for key, value in info.items():
        pdf.docinfo[key] = value
    pdf.Root.Lang = pikepdf.String(metadata.language)
    pdf.Root.Metadata = pdf.make_stream(
        xmp_packet(metadata, pdfa).encode("utf-8"), Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML
    )


# PDF/A-2 accepts only the XMP schemas it knows, or those the file describes: pdfuaid is described
_PDFUA_EXTENSION = (
    '<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
    'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    "<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>"
    "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>"
    "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>"
    '<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    "<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>"
    "<pdfaProperty:category>internal</pdfaProperty:category>"
    "<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>"
    "</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>\n"
)


def xmp_packet(metadata: Metadata, pdfa: bool = True) -> str:
    """The XMP metadata of a PDF/UA-1 file (and PDF/A-2b when ``pdfa``), matching its Info dictionary."""
    moment = f"{metadata.date:%Y-%m-%d}T12:00:00+00:00"
    pdfa_part = (
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
        "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>\n" + _PDFUA_EXTENSION
        if pdfa
        else ""
    )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        + pdfa_part
        + '<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
        "<pdfuaid:part>1</pdfuaid:part></rdf:Description>\n"
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:format>application/pdf</dc:format>"
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(metadata.title)}</rdf:li></rdf:Alt></dc:title>'
        f"<dc:creator><rdf:Seq><rdf:li>{escape(metadata.author)}</rdf:li></rdf:Seq></dc:creator>"
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(metadata.subject)}</rdf:li></rdf:Alt>'
        f"</dc:description><dc:language><rdf:Bag><rdf:li>{metadata.language}</rdf:li></rdf:Bag></dc:language>"
        "</rdf:Description>\n"
        '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
        f"<pdf:Keywords>{escape(metadata.keywords)}</pdf:Keywords><pdf:Producer>{PRODUCER}</pdf:Producer>"
        "</rdf:Description>\n"
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        f"<xmp:CreateDate>{moment}</xmp:CreateDate><xmp:ModifyDate>{moment}</xmp:ModifyDate>"
        "<xmp:CreatorTool>assembleur</xmp:CreatorTool></rdf:Description>\n"
        "</rdf:RDF>\n</x:xmpmeta>\n" + " " * 200 + '\n<?xpacket end="w"?>'
    )


def _free_name(page: pikepdf.Page, wanted: str) -> pikepdf.Name:
    """``wanted``, or ``wanted`` with the first free number, among the page's graphics states.

    pikepdf's own ``prefix`` draws a random name: the same inputs would give other bytes at each build.
    """
    taken = set(page.resources.get("/ExtGState", {}).keys())
    candidates = (wanted if n == 0 else f"{wanted}{n}" for n in range(len(taken) + 1))
    return pikepdf.Name(next(c for c in candidates if c not in taken))
