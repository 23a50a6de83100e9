"""Finishing touches of every PDF written: stable dates and IDs, the PROJET watermark, PDF/A.

Reproducible: LibreOffice stamps each PDF with the clock (creation date, file
ID). Every PDF assembleur delivers is rewritten with dates taken from the
content (the date d'arrêt) and an ID derived from the pages, so that the same
inputs give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    StreamObject,
    TextStringObject,
)

from ..files import atomic_output

if TYPE_CHECKING:
    import pikepdf

WATERMARK = "PROJET"
PRODUCER = "assembleur (pypdf)"
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


def watermark_page(width: float, height: float, note: str = "") -> PageObject:
    """A transparent page with « PROJET » across its diagonal (and ``note`` at the bottom), to merge over a page."""
    page = PageObject.create_blank_page(width=width, height=height)
    state = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/ExtGState"),
            NameObject("/ca"): FloatObject(WATERMARK_OPACITY),
            NameObject("/CA"): FloatObject(WATERMARK_OPACITY),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/ExtGState"): DictionaryObject({NameObject(WATERMARK_STATE): state})}
    )
    stream = DecodedStreamObject()
    stream.set_data(watermark_operators(width, height, WATERMARK_STATE, note).encode("latin-1"))
    page[NameObject("/Contents")] = stream
    return page


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


def stamp(page: PageObject, note: str = "") -> None:
    """Draw the PROJET watermark (and ``note``) over ``page`` (a page of a writer); its images are untouched.

    As :func:`finish_pdf` does it: the page's own content is put between ``q`` and ``Q``, the watermark
    added after it as one more stream; nothing of the page is parsed nor rewritten (a merge would).
    """
    from . import structure

    resources = page["/Resources"].get_object() if "/Resources" in page else DictionaryObject()
    page[NameObject("/Resources")] = resources
    states = resources["/ExtGState"].get_object() if "/ExtGState" in resources else DictionaryObject()
    resources[NameObject("/ExtGState")] = states
    name, number = WATERMARK_STATE, 0
    while name in states and states[name].get("/ca") != WATERMARK_OPACITY:  # the scan's own, or not ours
        name, number = f"{WATERMARK_STATE}{number}", number + 1
    states[NameObject(name)] = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/ExtGState"),
            NameObject("/ca"): FloatObject(WATERMARK_OPACITY),
            NameObject("/CA"): FloatObject(WATERMARK_OPACITY),
        }
    )
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    drawn = watermark_operators(width, height, name, note).encode("latin-1")
    structure.wrap_content(page, b"", b"\n" + drawn)


def set_identity(writer: PdfWriter, metadata: Metadata | None, day: dt.date) -> None:
    """Dates from the content, an ID from the pages, our producer name: no trace of the clock."""
    digest = hashlib.md5(usedforsecurity=False)
    for page in writer.pages:
        contents = page.get_contents()
        digest.update(contents.get_data() if contents is not None else b"")
    if metadata is not None:
        digest.update(metadata.title.encode())
    identifier = ByteStringObject(digest.digest())
    writer._ID = ArrayObject([identifier, identifier])  # pypdf has no public setter for the file ID
    if metadata is not None:
        writer._root_object[NameObject("/Lang")] = TextStringObject(metadata.language)
    writer.add_metadata(_info(metadata, day))


def write(writer: PdfWriter, output: Path, then: Callable[[Path], None] | None = None) -> Path:
    """Write ``writer`` atomically to ``output``; ``then`` may rework the written file before it takes its name."""
    with atomic_output(output) as temporary:
        with temporary.open("wb") as handle:
            writer.write(handle)
        if then is not None:
            then(temporary)
        temporary.chmod(0o644)
    return output


def finish_pdf(path: Path, day: dt.date, watermark: bool, pdfa: bool = False, note: str = "") -> Path:
    """Rewrite a PDF made by LibreOffice: stable dates and ID, and the watermark on every page if asked.

    Every part goes through here at every build (the watermark and the version
    number are not cached), so this is done with qpdf (pikepdf), which copies a
    tagged part's thousands of objects untouched in milliseconds: the
    watermark is added as one more content stream on each page, never parsing
    the page's own. The XMP metadata is written anew to match the new dates.
    """
    import pikepdf

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
            state = pdf.make_indirect(
                pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=WATERMARK_OPACITY, CA=WATERMARK_OPACITY)
            )
            for page in pdf.pages:
                name = page.add_resource(state, pikepdf.Name.ExtGState, name=_free_name(page, WATERMARK_STATE))
                box = page.mediabox
                width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
                page.contents_add(b"q\n", prepend=True)  # the page's own state is closed before the watermark
                page.contents_add(b"\nQ\n" + watermark_operators(width, height, str(name), note).encode("latin-1"))
        for key, value in _info(metadata, day).items():
            info[key] = value
        pdf.Root.Lang = pikepdf.String(metadata.language)
        pdf.Root.Metadata = pdf.make_stream(
            xmp_packet(metadata, pdfa).encode("utf-8"), Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML
        )
        with atomic_output(path) as temporary:
            pdf.save(temporary, deterministic_id=True)  # an ID from the content: same inputs, same bytes
            temporary.chmod(0o644)
    return path


def _info(metadata: Metadata | None, day: dt.date) -> dict[str, str]:
    """The Info dictionary: dates from the content, our producer name, no trace of the clock."""
    info = {"/Producer": PRODUCER, "/CreationDate": pdf_date(day), "/ModDate": pdf_date(day)}
    if metadata is not None:
        info.update(
            {
                "/Title": metadata.title,
                "/Author": metadata.author,
                "/Subject": metadata.subject,
                "/Keywords": metadata.keywords,
                "/Creator": "assembleur",
            }
        )
    return info


def make_pdfa(writer: PdfWriter, source_with_intent: Path, metadata: Metadata) -> None:
    """Put back what PDF/A-2b needs and a merge drops: the output intent and the XMP metadata.

    The output intent (an sRGB ICC profile) is copied from a part LibreOffice
    exported as PDF/A-2b; the XMP packet repeats the Info dictionary, as
    PDF/A requires.
    """
    intents = PdfReader(source_with_intent).trailer["/Root"].get("/OutputIntents")
    if intents is None:
        raise ValueError(f"{source_with_intent} has no /OutputIntents: was it exported as PDF/A?")
    writer._root_object[NameObject("/OutputIntents")] = intents.clone(writer)
    set_xmp(writer, metadata, pdfa=True)


def set_xmp(writer: PdfWriter, metadata: Metadata, pdfa: bool = False) -> None:
    """Write the XMP metadata: title and PDF/UA-1 identification, and PDF/A-2b's when ``pdfa``."""
    stream = StreamObject()
    stream.set_data(xmp_packet(metadata, pdfa).encode("utf-8"))
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)


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
    import pikepdf

    return pikepdf.Name(next(c for c in candidates if c not in taken))
