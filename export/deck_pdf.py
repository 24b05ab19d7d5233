"""The deck as PDF: the same slides as the PowerPoint file, a page each (matplotlib PdfPages),
text kept as text (TrueType fonts embedded) and drawn as written, never as TeX."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from challenge_graph.export.deck import LINE, SLIDE, Box, Deck  # noqa: E402
from challenge_graph.export.image_geometry import FONT  # noqa: E402

__all__ = ["write_pdf"]


def write_pdf(slides: list[list[Box]], deck: Deck, out: Path) -> None:
    style = {"font.family": FONT, "pdf.fonttype": 42, "text.parse_math": False}
    with plt.rc_context(style), PdfPages(out, metadata={"Title": deck.title, "Creator": "challenge-graph"}) as pdf:
        for boxes in slides:
            fig = plt.figure(figsize=SLIDE)
            ax = fig.add_axes((0, 0, 1, 1))
            ax.set_xlim(0, SLIDE[0])
            ax.set_ylim(SLIDE[1], 0)  # inches from the top, as the layout measures
            ax.axis("off")
            for box in boxes:
                if box.kind == "text":
                    ax.text(
                        box.x + 0.1,
                        box.y + 0.05,
                        "\n".join(box.lines),
                        fontsize=box.size,
                        va="top",
                        color=box.colour,
                        fontweight="bold" if box.bold else "normal",
                        style="italic" if box.italic else "normal",
                        linespacing=LINE * 0.95,
                    )
                elif box.kind == "bar":
                    ax.add_patch(Rectangle((box.x, box.y), box.w, box.h, facecolor=box.colour, edgecolor="none"))
                elif box.kind == "chart":
                    _chart(fig, box, deck)
            pdf.savefig(fig)
            plt.close(fig)


def _chart(fig, box: Box, deck: Deck) -> None:
    """Challenges per stage as horizontal bars, the first stage on top, counts at the bars."""
    rows = deck.per_stage[: max(1, int(box.h / 0.42))]
    label_w = 4.2
    ax = fig.add_axes(
        (
            (box.x + label_w) / SLIDE[0],
            1 - (box.y + box.h) / SLIDE[1],
            (box.w - label_w - 0.8) / SLIDE[0],
            box.h / SLIDE[1],
        )
    )
    names = [name for name, _ in rows]
    counts = [count for _, count in rows]
    ax.barh(range(len(rows)), counts, color="#D55E00", height=0.62)
    ax.set_yticks(range(len(rows)), names, fontsize=box.size)
    ax.invert_yaxis()
    ax.set_xticks([])
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    for i, count in enumerate(counts):
        ax.text(count, i, f"  {count}", va="center", fontsize=box.size, color="#1f2933")
    ax.set_xlim(0, max(counts, default=1) * 1.15 or 1)
