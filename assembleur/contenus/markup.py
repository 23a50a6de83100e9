"""The light inline markup of the YAML texts: ``**gras**``, ``*italique*``, ``^{exposant}``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|\*(?=[^\s*])(.+?)(?<=[^\s*])\*|\^\{([^{}]*)\}")


@dataclass(frozen=True)
class Segment:
    """A run of text with one formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    superscript: bool = False


def parse(text: str, bold: bool = False) -> list[Segment]:
    """Split ``text`` into formatted segments; unpaired markers stay as typed."""
    segments: list[Segment] = []
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            segments.append(Segment(text[position : match.start()], bold=bold))
        if match[1] is not None:
            segments.extend(
                Segment(s.text, bold=True, italic=s.italic, superscript=s.superscript)
                for s in parse(match[1], bold=True)
            )
        elif match[2] is not None:
            segments.append(Segment(match[2], bold=bold, italic=True))
        else:
            segments.append(Segment(match[3], bold=bold, superscript=True))
        position = match.end()
    if position < len(text):
        segments.append(Segment(text[position:], bold=bold))
    return segments


def plain(text: str) -> str:
    """The text without its markup (what a reader sees)."""
    return "".join(segment.text for segment in parse(text))
