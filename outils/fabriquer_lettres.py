"""Make ``assembleur/pdf/lettres.json``: the outlines of the letters the PROJET watermark and the version mark use.

The watermark is drawn as paths, not as text: a tagged PDF (PDF/UA) and a
PDF/A must embed every font they use, and paths need none. The outlines come
from DejaVu Sans Bold (Debian's fonts-dejavu-core; free licence), taken once
here so that every machine draws the same bytes. Developers run this when
the set of letters changes (``.venv/bin/python outils/fabriquer_lettres.py``;
fontTools comes with matplotlib in the dev extra); the result is committed.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
TARGET = Path(__file__).resolve().parent.parent / "assembleur" / "pdf" / "lettres.json"
LETTERS = string.ascii_letters + string.digits + " .,;:!?'’-–()[]/°«»éèêëàâäçùûüôöîïÉÈÊÀÇ"


class _Pen(BasePen):
    """PDF path operators, in thousandths of the em."""

    def __init__(self, glyphs, scale: float) -> None:
        super().__init__(glyphs)
        self.scale, self.operators = scale, []

    def _point(self, p) -> str:
        return f"{p[0] * self.scale:.0f} {p[1] * self.scale:.0f}"

    def _moveTo(self, p):
        self.operators.append(f"{self._point(p)} m")

    def _lineTo(self, p):
        self.operators.append(f"{self._point(p)} l")

    def _curveToOne(self, p1, p2, p3):
        self.operators.append(f"{self._point(p1)} {self._point(p2)} {self._point(p3)} c")

    def _closePath(self):
        self.operators.append("h")


def main() -> None:
    with TTFont(FONT) as font:
        scale = 1000 / font["head"].unitsPerEm
        glyphs, cmap = font.getGlyphSet(), font.getBestCmap()
        letters = {}
        for letter in LETTERS:
            glyph = glyphs[cmap[ord(letter)]]
            pen = _Pen(glyphs, scale)
            glyph.draw(pen)
            letters[letter] = [round(glyph.width * scale), " ".join(pen.operators)]
    lines = [f"  {json.dumps(letter, ensure_ascii=False)}: {json.dumps(drawn)}" for letter, drawn in letters.items()]
    header = '{\n "police": "DejaVu Sans Bold",\n "unites": "millièmes de cadratin",\n "lettres": {\n'
    TARGET.write_text(header + ",\n".join(lines) + "\n }\n}\n", encoding="utf-8")
    print(f"{TARGET} : {len(letters)} lettres")


if __name__ == "__main__":
    main()
