"""Charts for method sections and talks: the saturation curve and a co-occurrence heat map."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FormatStrFormatter, MaxNLocator  # noqa: E402

from challenge_graph.export.visual import KIND_COLOURS  # noqa: E402
from challenge_graph.graph.errors import ChallengeGraphError  # noqa: E402

__all__ = ["saturation_curve", "heat_map"]

# text stays text (editable, searchable) and is drawn as written, never as TeX math
_TEXT = {"svg.fonttype": "none", "pdf.fonttype": 42, "text.parse_math": False}


def saturation_curve(
    labels: Sequence[str],
    codes: Sequence[int],
    challenges: Sequence[int],
    new_codes: Sequence[int],
    out: Path,
    title: str = "Code saturation",
) -> None:
    """Cumulative distinct codes and challenges over interviews, with new codes as bars."""
    _check(out)
    with plt.rc_context(_TEXT):
        _saturation(labels, codes, challenges, new_codes, out, title)


def _saturation(labels, codes, challenges, new_codes, out: Path, title: str) -> None:
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=150)
    x = list(range(1, len(labels) + 1))
    few = len(x) <= 40  # markers (and bars) while they can be told apart
    if few:
        ax.bar(x, new_codes, color="#cccccc", label="new codes in the interview")
    else:  # one outline instead of a bar each: 1,000 bars took 5 s to draw
        edges = [i + 0.5 for i in range(len(x) + 1)]
        ax.stairs(new_codes, edges, fill=True, color="#cccccc", label="new codes in the interview")
    ax.plot(x, codes, marker="o" if few else None, color=KIND_COLOURS["Stage"], label="distinct codes so far")
    ax.plot(
        x, challenges, marker="s" if few else None, color=KIND_COLOURS["Challenge"], label="distinct challenges so far"
    )
    if len(labels) <= 20:
        ax.set_xticks(x, [str(label) for label in labels], rotation=30, ha="right", fontsize=8)
    else:  # names would crowd each other out: count the interviews instead
        ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
        ax.set_xlabel("interviews coded, in order")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("codes")
    ax.set_title(title, loc="left", fontweight="bold")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def heat_map(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float]],
    out: Path,
    title: str = "",
    label: str = "",
) -> None:
    """A labelled heat map (co-occurrence, matrices) sized to its number of rows and columns."""
    _check(out)
    with plt.rc_context(_TEXT):
        _heat_map(rows, columns, values, out, title, label)


def _heat_map(rows, columns, values, out: Path, title: str, label: str) -> None:
    width = min(16, 2.5 + 0.32 * len(columns))
    height = min(16, 1.8 + 0.28 * len(rows))
    fig, ax = plt.subplots(figsize=(width, height), dpi=150)
    image = ax.imshow(values, cmap="Oranges", aspect="auto")
    ax.set_xticks(range(len(columns)), columns, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(rows)), rows, fontsize=7)
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if value:
                ax.text(j, i, f"{value:g}", ha="center", va="center", fontsize=6)
    bar = fig.colorbar(image, ax=ax, label=label, shrink=0.8)
    if all(float(v).is_integer() for row in values for v in row):
        bar.locator = MaxNLocator(integer=True)  # counts: whole-number ticks
        bar.formatter = FormatStrFormatter("%d")
        bar.update_ticks()
    ax.set_title(title, loc="left", fontweight="bold", fontsize=10)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def _check(out: Path) -> None:
    if Path(out).suffix.lower() not in (".png", ".svg", ".pdf"):
        raise ChallengeGraphError(f"{out}: charts are .png, .svg or .pdf")
