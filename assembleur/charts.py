"""Charts drawn from the YAML data (financing by financeur, CGET by thematic)."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

from . import french

BLUE = "#1F3864"
ORANGE = "#C55A11"


def draw_bars(data: list[tuple[str, Decimal]], kind: str, path: Path) -> Path:
    """Draw a horizontal bar chart of ``data`` into ``path`` (PNG) and return it.

    ``kind`` is ``"pourcentage"`` or ``"montant"``: it decides the value labels.
    Bars, not a pie: the seed's shares do not add up to 100 %, and a pie would
    silently rescale them.
    """
    import matplotlib  # imported here: it takes half a second, and most builds reuse cached parts

    matplotlib.use("Agg")  # no screen on a server; must precede pyplot
    import matplotlib.pyplot as plt

    labels = ["\n".join(textwrap.wrap(label, 34)) or "—" for label, _ in data]
    values = [float(value) for _, value in data]
    show = french.format_percent if kind == "pourcentage" else french.format_amount
    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "svg.hashsalt": "assembleur"})
    figure, axes = plt.subplots(figsize=(7.0, 0.45 * len(data) + 0.8))
    positions = list(range(len(data)))[::-1]
    bars = axes.barh(positions, values, color=BLUE, height=0.6)
    if values:
        bars[values.index(max(values))].set_color(ORANGE)
    axes.set_yticks(positions, labels)
    axes.bar_label(bars, labels=[show(Decimal(str(v))) for v in values], padding=4, fontsize=8.5)
    axes.set_xlim(0, max(values or [1]) * 1.25 or 1)
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    figure.savefig(path, dpi=200, metadata={"Software": None})
    plt.close(figure)
    return path
