"""Make the sample scanned délibérations in ``annexes/2019/`` from their typed text.

The dossier merges each commune's avis as the mairie sends it back: a scan, that is a
PDF whose pages are pictures of paper, with no text layer to extract. We have the text
of three such avis (``outils/deliberations/*.txt``, copied word for word from the
rapport 2019, which quotes them) but not their scans, so this script types each text out on A4 pages and
makes them look scanned (slight skew, grey paper with noise, soft ink, a signature, a
rubber stamp), then writes one JPEG per page into the PDF, as a copier does. The
assembly and its tests then work on files that behave like the real ones.

Run it from the project folder after changing a text or the look::

    .venv/bin/python outils/fabriquer_scans.py

It rewrites the three PDFs. Each document has its own fixed random seed and the PDFs
carry no creation date, so re-running gives the same files.

The text files hold one paragraph per line, with a blank line between blocks, and
four kinds of marked lines:

- ``# Titre``: a centred bold heading;
- ``< Date de la convocation``: a line of the narrow margin column (convocation dates,
  count of councillors) that the blocks after it are set beside;
- ``> Le Maire,``: a line set in the right-hand column, where signatures go (a
  signature is scribbled under each such line that names the Maire);
- ``[REÇU LE]``: a line of a rubber stamp; consecutive bracketed lines make one stamp.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ROOT / "outils" / "deliberations"
OUTPUT = ROOT / "annexes" / "2019"

# (text file, PDF written, random seed): one fixed seed per document keeps the pixels stable.
DOCUMENTS = [
    ("marles-les-mines-2020-11-18.txt", "avis-marles-les-mines-2020-11-18.pdf", 181120),
    ("bruay-la-buissiere-2020-11-07.txt", "avis-bruay-la-buissiere-2020-11-07.pdf", 71120),
    ("conseil-municipal-2020-11-02.txt", "avis-conseil-municipal-2020-11-02.pdf", 21120),
]

DPI = 150
PAGE_WIDTH = round(210 / 25.4 * DPI)  # A4 in pixels: 1240 x 1754, i.e. 595.2 x 841.9 pt in the PDF
PAGE_HEIGHT = round(297 / 25.4 * DPI)
MARGIN = round(2 / 2.54 * DPI)  # 2 cm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
RIGHT_COLUMN = MARGIN + round(TEXT_WIDTH * 0.55)  # where the Maire signs, as on a typed délibération
JPEG_QUALITY = 50
MAX_SKEW_DEGREES = 0.8

# DejaVu ships inside matplotlib, so the script draws the same glyphs on any machine.
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_SIZE = round(10.5 / 72 * DPI)  # 10.5 pt, a typewriter-sized body
LINE_HEIGHT = round(FONT_SIZE * 1.32)
BLOCK_GAP = round(LINE_HEIGHT * 0.7)
SIGNATURE_SPACE = round(LINE_HEIGHT * 2.4)
SIDE_WIDTH = round(4.2 / 2.54 * DPI)  # the margin column of convocation dates and counts
SIDE_GUTTER = round(0.6 / 2.54 * DPI)
INK = 28  # printed toner is never pure black once scanned


def font(bold: bool = False, size: int = FONT_SIZE) -> ImageFont.FreeTypeFont:
    name = "DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


@dataclass
class Row:
    """One typeset line, or one stamp, with the vertical space it takes."""

    text: str
    x: int
    width: int
    height: int
    bold: bool = False
    centred: bool = False
    justified: bool = False
    signature: bool = False  # scribble a signature in the space under the text
    stamp: list[str] = field(default_factory=list)


def read_blocks(path: Path) -> list[list[str]]:
    """The text's blocks (separated by blank lines), each a list of its lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and face.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def stamp_size(lines: list[str]) -> tuple[int, int]:
    face = font(bold=True, size=round(FONT_SIZE * 1.1))
    width = max(round(face.getlength(line)) for line in lines) + 2 * FONT_SIZE
    return max(width, 9 * FONT_SIZE), (len(lines) + 1) * LINE_HEIGHT


def typeset(block: list[str], left: int) -> list[Row]:
    """Turn one block of marked lines into rows, its text starting at ``left``."""
    width = PAGE_WIDTH - MARGIN - left
    stamp = [line[1:-1] for line in block if line.startswith("[") and line.endswith("]")]
    if stamp:
        stamp_width, stamp_height = stamp_size(stamp)
        return [Row("", left + FONT_SIZE, stamp_width, stamp_height + LINE_HEIGHT // 2, stamp=stamp)]
    rows: list[Row] = []
    for line in block:
        if line.startswith("# "):
            for part in wrap(line[2:], font(bold=True), width):
                rows.append(Row(part, left, width, LINE_HEIGHT, bold=True, centred=True))
        elif line.startswith("> "):
            column = PAGE_WIDTH - MARGIN - RIGHT_COLUMN
            for part in wrap(line[2:], font(), column):
                rows.append(Row(part, RIGHT_COLUMN, column, LINE_HEIGHT))
            if "maire" in line.lower():
                rows[-1].signature = True
                rows[-1].height += SIGNATURE_SPACE
        elif line.startswith("< "):
            for part in wrap(line[2:], font(), SIDE_WIDTH):
                rows.append(Row(part, MARGIN, SIDE_WIDTH, LINE_HEIGHT))
        else:
            parts = wrap(line, font(), width)
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                rows.append(Row(part, left, width, LINE_HEIGHT, justified=not last))
    return rows


def is_side(block: list[str]) -> bool:
    return all(line.startswith("< ") for line in block)


def paginate(blocks: list[list[str]]) -> list[list[tuple[int, Row]]]:
    """Place the rows on pages as (top, row), keeping headings, signatures and short blocks whole.

    Blocks of ``< `` lines stack in a narrow column at the left margin, and the blocks that
    follow are set beside that column, as on délibérations whose margin holds the
    convocation dates and the count of councillors.
    """
    pages: list[list[tuple[int, Row]]] = [[]]
    bottom = PAGE_HEIGHT - MARGIN
    y = MARGIN
    side_bottom = MARGIN  # the margin column's extent on the current page
    for number, block in enumerate(blocks):
        if is_side(block):
            if y >= side_bottom:  # a new margin column starts level with the text that follows
                side_bottom = y
            rows = typeset(block, MARGIN)
            for row in rows:
                pages[-1].append((side_bottom, row))
                side_bottom += row.height
            side_bottom += BLOCK_GAP
            continue
        # text level with the margin column is set to its right, whole blocks at a time
        beside = y < side_bottom
        rows = typeset(block, MARGIN + SIDE_WIDTH + SIDE_GUTTER if beside else MARGIN)
        height = sum(row.height for row in rows)
        keep_whole = len(rows) <= 3 or all(row.bold or row.x == RIGHT_COLUMN for row in rows)
        if all(row.bold for row in rows) and number + 1 < len(blocks):
            # a heading must not be left alone at the foot of a page
            height += BLOCK_GAP + 2 * LINE_HEIGHT
        if keep_whole and pages[-1] and y + height > bottom:
            pages.append([])
            y = side_bottom = MARGIN
        for row in rows:
            if pages[-1] and y + row.height > bottom:
                pages.append([])
                y = side_bottom = MARGIN
            pages[-1].append((y, row))
            y += row.height
        y += BLOCK_GAP
    return pages


def draw_text_row(draw: ImageDraw.ImageDraw, top: int, row: Row) -> None:
    face = font(bold=row.bold)
    if row.centred:
        x = row.x + (row.width - face.getlength(row.text)) / 2
        draw.text((x, top), row.text, font=face, fill=INK)
        return
    words = row.text.split()
    if not row.justified or len(words) < 2:
        draw.text((row.x, top), row.text, font=face, fill=INK)
        return
    # justified like a word processor: the spare width goes into the spaces between words
    spare = row.width - sum(face.getlength(word) for word in words)
    gap = spare / (len(words) - 1)
    x: float = row.x
    for word in words:
        draw.text((x, top), word, font=face, fill=INK)
        x += face.getlength(word) + gap


def draw_signature(draw: ImageDraw.ImageDraw, left: int, top: int, rng: np.random.Generator) -> None:
    """A handwritten-looking scribble: slanted loops of uneven size drifting to the right."""
    width = rng.uniform(150, 220)
    loops = int(rng.integers(4, 8))
    steps = 500
    t = np.linspace(0, 1, steps)
    # each loop gets its own height, so the pen stroke does not look machine-made
    knots = rng.uniform(0.4, 1.3, loops + 2)
    heights = np.interp(t, np.linspace(0, 1, loops + 2), knots) * rng.uniform(12, 18)
    turn = 2 * math.pi * loops * t + rng.uniform(0, 2 * math.pi)
    wobble = rng.normal(0, 1, steps).cumsum()
    wobble = (wobble - np.linspace(wobble[0], wobble[-1], steps)) * 0.4
    xs = left + rng.uniform(0, 40) + width * t + heights * 0.7 * np.cos(turn) + heights * 0.4 * np.sin(turn)
    ys = top + SIGNATURE_SPACE * 0.45 - heights * np.sin(turn) - rng.uniform(5, 20) * t + wobble
    points = list(zip(xs.tolist(), ys.tolist(), strict=True))
    draw.line(points, fill=60, width=3, joint="curve")
    # the final flourish sweeps back under the name
    tail_y = top + SIGNATURE_SPACE * 0.6 + rng.uniform(-6, 6)
    flourish = [(xs[-1], ys[-1]), (left + width * rng.uniform(0.1, 0.3), tail_y), (left + width * 1.05, tail_y - 10)]
    draw.line(flourish, fill=70, width=2, joint="curve")


def stamp_layer(lines: list[str], rng: np.random.Generator) -> Image.Image:
    """A rubber stamp in faded ink, as a mask (the more ink, the higher) to darken the page with."""
    width, height = stamp_size(lines)
    pad = 20
    layer = Image.new("L", (width + 2 * pad, height + 2 * pad), 0)
    draw = ImageDraw.Draw(layer)
    draw.rectangle([pad, pad, pad + width, pad + height], outline=255, width=4)
    draw.rectangle([pad + 7, pad + 7, pad + width - 7, pad + height - 7], outline=255, width=2)
    face = font(bold=True, size=round(FONT_SIZE * 1.1))
    for index, line in enumerate(lines):
        x = pad + (width - face.getlength(line)) / 2
        draw.text((x, pad + LINE_HEIGHT * 0.6 + index * LINE_HEIGHT), line, font=face, fill=255)
    # an inked rubber stamp never prints evenly: knock out specks and fade it overall
    mask = np.asarray(layer, dtype=np.float32) / 255
    coverage = np.clip(rng.normal(0.75, 0.25, mask.shape), 0, 1)
    layer = Image.fromarray((mask * coverage * 150).astype(np.uint8))
    return layer.rotate(rng.uniform(-4, 4), resample=Image.Resampling.BICUBIC, expand=True)


def render_page(placed: list[tuple[int, Row]], rng: np.random.Generator) -> Image.Image:
    """The typed page, white and straight, before it goes through the scanner."""
    page = Image.new("L", (PAGE_WIDTH, PAGE_HEIGHT), 255)
    draw = ImageDraw.Draw(page)
    for top, row in placed:
        if row.stamp:
            layer = stamp_layer(row.stamp, rng)
            ink = Image.new("L", layer.size, 90)
            page.paste(ink, (row.x, top), layer)
            continue
        draw_text_row(draw, top, row)
        if row.signature:
            draw_signature(draw, row.x, top + LINE_HEIGHT, rng)
    return page


def scan(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Make a clean page look like it went through an office scanner."""
    # the sheet never lies quite square on the glass
    angle = rng.uniform(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES)
    shift = (int(rng.integers(-8, 9)), int(rng.integers(-8, 9)))
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, translate=shift, fillcolor=255)
    # toner spreads a little and the scanner's optics are not sharp
    ink = np.asarray(page.filter(ImageFilter.GaussianBlur(0.7)), dtype=np.float32) / 255

    # paper: grey rather than white, with broad uneven shading; fine noise kept light, since
    # noise is what costs most bytes in a JPEG
    level = rng.uniform(222, 232)
    coarse = Image.fromarray(rng.normal(0, 2.5, (4, 3)).astype(np.float32))
    shading = np.asarray(coarse.resize((PAGE_WIDTH, PAGE_HEIGHT), Image.Resampling.BICUBIC))
    # the lid lets a little light in along one edge
    edge = np.linspace(rng.uniform(-6, 0), rng.uniform(0, 3), PAGE_WIDTH, dtype=np.float32)
    paper = level + shading + edge + rng.normal(0, 2.5, (PAGE_HEIGHT, PAGE_WIDTH)).astype(np.float32)
    # the toner takes on the paper's tone, and the sensor adds its own grain to the dark strokes
    pixels = paper * ink + rng.normal(0, 3, ink.shape).astype(np.float32) * (1 - ink)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def make_document(text_name: str, pdf_name: str, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    pages = [scan(render_page(placed, rng), rng) for placed in paginate(read_blocks(TEXTS / text_name))]
    target = OUTPUT / pdf_name
    target.parent.mkdir(parents=True, exist_ok=True)
    # grayscale pages go into the PDF as JPEG (DCTDecode); no dates, so re-runs give the same bytes
    pages[0].save(
        target,
        "PDF",
        resolution=DPI,
        save_all=True,
        append_images=pages[1:],
        quality=JPEG_QUALITY,
        title=target.stem,
        creationDate=None,
        modDate=None,
    )
    return target


def main() -> int:
    for text_name, pdf_name, seed in DOCUMENTS:
        target = make_document(text_name, pdf_name, seed)
        print(f"{target.relative_to(ROOT)} : {target.stat().st_size // 1024} Ko")
    return 0


if __name__ == "__main__":
    sys.exit(main())
