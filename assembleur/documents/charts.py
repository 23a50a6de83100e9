"""Charts drawn from the YAML data (shares of the financing, amounts, counts of projets).

Drawn with Pillow, not matplotlib: importing matplotlib alone cost a third of a
second of every cold build, for two bar charts. The sizes, paddings and margins
below are matplotlib's defaults (and its ``tight_layout``), so the charts look
as they did.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import textwrap
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..contenus import french

if TYPE_CHECKING:  # Pillow itself is imported when drawing: builds that reuse cached parts draw nothing
    from PIL import ImageDraw, ImageFont

    Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

BLUE = "#1F3864"
ORANGE = "#C55A11"
INK, PAPER = 0, 255  # grey levels: black text and lines on white
BLUE_INDEX, ORANGE_INDEX = 1, 2  # palette entries of the bars
_PALETTE = [level for grey in range(256) for level in (grey, grey, grey)]
_PALETTE[3 * BLUE_INDEX : 3 * BLUE_INDEX + 3] = bytes.fromhex(BLUE[1:])
_PALETTE[3 * ORANGE_INDEX : 3 * ORANGE_INDEX + 3] = bytes.fromhex(ORANGE[1:])

DPI = 200
WIDTH_IN = 7.0
ROW_IN = 0.45  # figure height per bar …
BASE_IN = 0.8  # … plus this
PT = DPI / 72  # pixels per typographic point

LABEL_SIZE = 9 * PT
VALUE_SIZE = 8.5 * PT
WRAP = 34  # characters per line of a category label
LINE_PITCH = 1.2 * LABEL_SIZE  # between the lines of a wrapped label
BAR_HEIGHT = 0.6  # of the row pitch
HEADROOM = Decimal("1.25")  # the x axis runs to 1.25 × the largest value: room for its label
Y_MARGIN = 0.05  # of the bars' extent, above the first bar and below the last
MARGIN = 1.08 * 9 * PT  # tight_layout's pad around everything
LINE_WIDTH = 0.8 * PT  # the left spine and its ticks
TICK_LENGTH = 3.5 * PT
TICK_PAD = 3.5 * PT  # between a tick and its label
VALUE_PAD = 4 * PT  # between a bar's end and its value

# DejaVu Sans first (the charts' font ever since matplotlib drew them), then look-alikes
# found on Windows and macOS without any installation.
_FONT_NAMES = ("DejaVuSans.ttf", "Arial.ttf", "arial.ttf", "Verdana.ttf", "verdana.ttf", "LiberationSans-Regular.ttf")

# What to draw instead of a character the font lacks (tried in turn, then the letter without its accent).
_STAND_INS = {
    "\u202f": "\u00a0",
    "\u00a0": " ",
    "œ": "oe",
    "Œ": "OE",
    "æ": "ae",
    "Æ": "AE",
    "€": "EUR",
    "—": "-",
    "–": "-",
    "…": "...",
    "’": "'",
    "«": '"',
    "»": '"',
}


_FORMATS = {"pourcentage": french.format_percent, "montant": french.format_amount, "nombre": french.format_number}


def describe(data: list[tuple[str, Decimal]], kind: str) -> dict[str, str]:
    """The figures of a bar chart's alternative text: every bar with its value, in order, and the largest.

    Built from the same figures as the picture (``kind`` as in :func:`draw_bars`), so that
    a screen reader hears what a sighted reader sees; the sentence around them is a
    libellé of the content (``graphique_description``): e.g. « Graphique en barres : la
    répartition du financement par financeur. État : 35,3 % ; Ville : 20 %. Valeur la
    plus élevée : État. » Empty when there is no bar.
    """
    if not data:
        return {}
    show = _FORMATS.get(kind, french.format_amount)
    bars = " ; ".join(f"{' '.join(label.split()) or '—'} : {show(Decimal(str(float(value))))}" for label, value in data)
    largest = max(range(len(data)), key=lambda i: data[i][1])
    return {"barres": bars, "plus_eleve": " ".join(data[largest][0].split())}


def draw_bars(data: list[tuple[str, Decimal]], kind: str, path: Path) -> Path:
    """Draw a horizontal bar chart of ``data`` into ``path`` (PNG) and return it.

    ``kind`` is ``"pourcentage"`` or ``"montant"``: it decides the value labels.
    Bars, not a pie: the seed's shares do not add up to 100 %, and a pie would
    silently rescale them. The first item is at the top, the largest bar orange;
    the same data always gives the same bytes.
    """
    from PIL import Image, ImageDraw

    label_font, value_font = _font(LABEL_SIZE), _font(VALUE_SIZE)
    show = _FORMATS.get(kind, french.format_amount)
    labels = [[_printable(line, label_font) for line in textwrap.wrap(label, WRAP) or ["—"]] for label, _ in data]
    # through float and back, as matplotlib did: ``35.30`` shows as ``35,3 %``
    values = [_printable(show(Decimal(str(float(value)))), value_font) for _, value in data]
    amounts = [value for _, value in data]
    scale = max(amounts, default=Decimal(0)) * HEADROOM or Decimal(1)
    fractions = [min(max(float(amount / scale), 0.0), 1.0) for amount in amounts]

    width, height = round(WIDTH_IN * DPI), round((ROW_IN * len(data) + BASE_IN) * DPI)
    label_width = max((label_font.getlength(line) for lines in labels for line in lines), default=0.0)
    axis = MARGIN + label_width + TICK_PAD + TICK_LENGTH
    # the axes reach the right margin, unless a value label would then be cut
    room = width - MARGIN - axis
    for fraction, value in zip(fractions, values, strict=True):
        if fraction:
            room = min(room, (width - MARGIN - axis - VALUE_PAD - value_font.getlength(value)) / fraction)
    room = max(room, 1.0)
    top, bottom, centres, pitch = _rows(labels, height)

    # Drawn in greys, then given a palette whose two darkest greys are the bars' colours:
    # a palette PNG encodes five times faster than an RGB one, and is half the size.
    image = Image.new("L", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    for lines, value, fraction, centre in zip(labels, values, fractions, centres, strict=True):
        _line(draw, (axis - TICK_LENGTH, centre), (axis, centre))
        first = centre - (len(lines) - 1) * LINE_PITCH / 2
        for number, line in enumerate(lines):
            draw.text((axis - TICK_LENGTH - TICK_PAD, first + number * LINE_PITCH), line, INK, label_font, "rm")
        draw.text((axis + fraction * room + VALUE_PAD, centre), value, INK, value_font, "lm")
    image = image.point([INK] * (ORANGE_INDEX + 1) + list(range(ORANGE_INDEX + 1, 256)))  # frees those two greys
    draw = ImageDraw.Draw(image)
    largest = amounts.index(max(amounts)) if amounts else -1
    for index, (fraction, centre) in enumerate(zip(fractions, centres, strict=True)):
        end, half = axis + fraction * room, BAR_HEIGHT * pitch / 2
        if round(end) > round(axis):  # a zero shows no bar, as in matplotlib
            colour = ORANGE_INDEX if index == largest else BLUE_INDEX
            draw.rectangle((round(axis), round(centre - half), round(end) - 1, round(centre + half) - 1), colour)
    _line(draw, (axis, top), (axis, bottom))  # the left spine, over the bars' ends
    image.putpalette(_PALETTE)
    image.save(path, format="PNG", dpi=(DPI, DPI))  # Pillow writes no date: same data, same bytes
    return path


def _rows(labels: list[list[str]], height: int) -> tuple[float, float, list[float], float]:
    """The axes' top and bottom, each row's centre and the row pitch, in pixels.

    Rows are one unit apart as in matplotlib's ``barh``, with 5 % margins above the
    first bar and below the last; the axes take the whole height but the margins,
    less what a tall wrapped label at either end needs not to be cut.
    """
    top, bottom = MARGIN, height - MARGIN
    if not labels:
        return top, bottom, [], 0.0
    extent = len(labels) - 1 + BAR_HEIGHT
    units = extent * (1 + 2 * Y_MARGIN)  # row units shown by the axes
    lead = Y_MARGIN * extent + BAR_HEIGHT / 2  # row units from the axes' top to the first centre
    # half a label's height; a line of DejaVu Sans is 1.16 em from ascender to descender
    halves = [(len(lines) - 1) * LINE_PITCH / 2 + 0.6 * LABEL_SIZE for lines in labels]
    for _ in range(20):  # moving an edge moves every row: shrink until all fit
        pitch = (bottom - top) / units
        centres = [top + (lead + row) * pitch for row in range(len(labels))]
        above = max(MARGIN - (centre - half) for centre, half in zip(centres, halves, strict=True))
        below = max(centre + half - (height - MARGIN) for centre, half in zip(centres, halves, strict=True))
        if max(above, below) < 0.5 or bottom - top < 2:
            break
        top, bottom = top + max(above, 0.0), max(bottom - max(below, 0.0), top + 1)
    return top, bottom, centres, pitch


def _line(draw: ImageDraw.ImageDraw, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A horizontal or vertical line ``LINE_WIDTH`` thick, centred on ``start`` → ``end``, on whole pixels."""
    half = LINE_WIDTH / 2
    (x0, y0), (x1, y1) = start, end
    left, right = (x0 - half, x1 + half) if y0 == y1 else (x0 - half, x0 + half)
    top, bottom = (y0 - half, y0 + half) if y0 == y1 else (y0, y1)
    draw.rectangle((round(left), round(top), round(right) - 1, round(bottom) - 1), INK)


@functools.cache
def _font(size: float) -> Font:
    """DejaVu Sans (or a look-alike) at ``size`` pixels; Pillow's own font if the machine has none."""
    from PIL import ImageFont

    for path in _font_files():
        try:
            # the basic layout, not Raqm: same drawing wherever Pillow is installed, and faster to load
            return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)
        except OSError:  # unreadable or not a font: try the next one
            continue
    return ImageFont.load_default(size=size)


def _font_files() -> Iterator[Path]:
    """Font files worth trying, best first: DejaVu Sans wherever it may be, then Arial, Verdana…"""
    home = Path.home()
    folders = [
        Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
        Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
        Path("/usr/share/fonts/dejavu"),
        Path("/usr/share/fonts/TTF"),  # Arch
        Path("/usr/share/fonts/truetype/liberation"),  # Liberation Sans: Arial's metrics
        Path("/usr/local/share/fonts"),
        home / ".local/share/fonts",
        home / ".fonts",
        Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts",
        Path(os.environ.get("LOCALAPPDATA", home / "AppData/Local")) / "Microsoft/Windows/Fonts",  # per-user fonts
        home / "Library/Fonts",  # macOS
        Path("/Library/Fonts"),
        Path("/System/Library/Fonts/Supplemental"),
        Path("/System/Library/Fonts"),
    ]
    for name in _FONT_NAMES:
        for folder in folders:
            if (folder / name).is_file():
                yield folder / name
        if name == "DejaVuSans.ttf":  # matplotlib, where still installed, carries its own (found, not imported)
            spec = importlib.util.find_spec("matplotlib")
            for location in (spec and spec.submodule_search_locations) or []:
                if (Path(location) / "mpl-data/fonts/ttf" / name).is_file():
                    yield Path(location) / "mpl-data/fonts/ttf" / name


def _printable(text: str, font: Font) -> str:
    """``text`` with what ``font`` cannot draw replaced by something close, rather than by empty boxes."""
    return "".join(_stand_in(character, font) for character in text)


@functools.lru_cache(maxsize=4096)
def _stand_in(character: str, font: Font) -> str:
    """``character`` if ``font`` has it, else the nearest thing it has (``é`` → ``e``, fine space → space)."""
    if (" " <= character <= "~") or _has_glyph(font, character):
        return character
    if character in _STAND_INS:
        return "".join(_stand_in(other, font) for other in _STAND_INS[character])
    bare = "".join(c for c in unicodedata.normalize("NFKD", character) if not unicodedata.combining(c))
    if bare and bare != character and all(_has_glyph(font, c) for c in bare):
        return bare
    return "" if unicodedata.category(character).startswith("C") else "?"  # controls are dropped


def _has_glyph(font: Font, character: str) -> bool:
    """Whether ``font`` draws ``character`` otherwise than as its "missing glyph" box."""
    return _ink(font, character) != _ink(font, "\U0010ffff")  # a non-character: no font has it


@functools.lru_cache(maxsize=4096)
def _ink(font: Font, text: str) -> tuple[tuple[int, int], bytes]:
    """The pixels of ``text`` drawn alone, to compare glyphs."""
    from PIL import Image, ImageDraw

    *_, right, bottom = font.getbbox(text)
    image = Image.new("L", (max(int(right), 1) + 1, max(int(bottom), 1) + 1))
    ImageDraw.Draw(image).text((0, 0), text, 255, font)
    return image.size, image.tobytes()
