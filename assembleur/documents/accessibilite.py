"""What in a Word template would make the PDFs inaccessible, found before any build.

Read from the template's XML (the DOCX an ODT template becomes): a picture
without a description, a skipped heading level, a table without a header row,
empty paragraphs used as spacing, comments and tracked changes. Each finding
names the surrounding text, so that the user finds it in Word.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
NS = {"w": W, "wp": WP}
REVISIONS = ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "tblPrChange", "trPrChange", "tcPrChange")
_HEADING_NAME = re.compile(r"^(?:heading|titre)\s*([1-9])$", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One accessibility problem of a template; ``revision`` ones are errors for a définitif."""

    message: str
    revision: bool = False


def check_template(path: Path) -> list[Finding]:
    """The accessibility problems of the Word template ``path`` (a .docx), in reading order."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        body = etree.fromstring(archive.read("word/document.xml"))
        styles = etree.fromstring(archive.read("word/styles.xml")) if "word/styles.xml" in names else None
        comments = etree.fromstring(archive.read("word/comments.xml")) if "word/comments.xml" in names else None
    levels = _heading_levels(styles)
    findings: list[Finding] = []
    paragraphs = body.findall(".//w:body//w:p", NS)
    previous_text, previous_level, empty_run = "", 0, 0
    for paragraph in paragraphs:
        text = _text(paragraph)
        for picture in paragraph.findall(".//wp:docPr", NS):
            if not (picture.get("descr") or "").strip() and not _is_decorative(picture):
                findings.append(Finding(f"une image sans description (texte de remplacement){_near(previous_text)}."))
        style = paragraph.find("w:pPr/w:pStyle", NS)
        level = levels.get(style.get(f"{{{W}}}val", "") if style is not None else "", 0)
        if level:
            if level > previous_level + 1:
                findings.append(
                    Finding(
                        f"le titre de niveau {level} « {_short(text)} » suit un titre de niveau {previous_level} : "
                        f"un niveau est sauté (passez par le niveau {previous_level + 1})."
                    )
                )
            previous_level = level
        if _is_spacing(paragraph, text):
            empty_run += 1
            if empty_run == 2:  # one empty paragraph may be a separator Word needs; two in a row are spacing
                findings.append(
                    Finding(
                        f"des paragraphes vides servent d'espacement{_near(previous_text)} : "
                        "réglez l'espace avant ou après dans le style du paragraphe."
                    )
                )
        else:
            empty_run = 0
        if text.strip():
            previous_text = text
    for table in body.findall(".//w:tbl", NS):
        first_row = table.find("w:tr", NS)
        if first_row is not None and first_row.find("w:trPr/w:tblHeader", NS) is None:
            findings.append(
                Finding(
                    f"un tableau sans ligne d'en-tête{_near(_text(table))} : dans Word, sélectionnez sa première "
                    "ligne, Propriétés du tableau › Ligne › « Répéter en tant que ligne d'en-tête »."
                )
            )
    count = len(comments.findall("w:comment", NS)) if comments is not None else 0
    count = max(count, len(body.findall(".//w:commentReference", NS)))
    if count:
        findings.append(
            Finding(f"{count} commentaire(s) restent dans le gabarit : supprimez-les (Révision › Supprimer).", True)
        )
    revisions = [element for name in REVISIONS for element in body.iter(f"{{{W}}}{name}")]
    if revisions:
        findings.append(
            Finding(
                f"{len(revisions)} modification(s) suivie(s) restent dans le gabarit{_near(_text(revisions[0]))} : "
                "acceptez-les ou refusez-les (Révision › Accepter), puis désactivez le suivi.",
                True,
            )
        )
    return findings


def _heading_levels(styles: etree._Element | None) -> dict[str, int]:
    """Paragraph style id → heading level (1 to 9), by outline level or by the name « Heading N » / « Titre N »."""
    levels: dict[str, int] = {}
    if styles is None:
        return levels
    for style in styles.findall("w:style[@w:type='paragraph']", NS):
        style_id = style.get(f"{{{W}}}styleId", "")
        outline = style.find("w:pPr/w:outlineLvl", NS)
        name = style.find("w:name", NS)
        match = _HEADING_NAME.match(name.get(f"{{{W}}}val", "")) if name is not None else None
        if outline is not None and outline.get(f"{{{W}}}val", "9").isdigit() and int(outline.get(f"{{{W}}}val")) < 9:
            levels[style_id] = int(outline.get(f"{{{W}}}val")) + 1
        elif match:
            levels[style_id] = int(match[1])
    return levels


def _text(element: etree._Element) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _is_spacing(paragraph: etree._Element, text: str) -> bool:
    """A paragraph with nothing in it: no text, picture, field, break, nor the table cell's required paragraph."""
    if text.strip() or paragraph.getparent().tag == f"{{{W}}}tc":
        return False
    return next(paragraph.iter(f"{{{W}}}br", f"{{{W}}}drawing", f"{{{W}}}fldChar", f"{{{W}}}sectPr"), None) is None


def _is_decorative(picture: etree._Element) -> bool:
    return any(element.get("val") in ("1", "true") for element in picture.iter("{*}decorative"))


def _short(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _near(text: str) -> str:
    return f" (près de « {_short(text)} »)" if text.strip() else ""
