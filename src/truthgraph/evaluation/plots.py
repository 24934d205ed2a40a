"""PNG plots of an evaluation: the confusion matrix and the reliability diagram.

Drawn on matplotlib's Agg canvas directly (no pyplot, no global figure state, no display).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from truthgraph.domain import Label

NAMES = {"SUPPORTED": "SUPPORTED", "REFUTED": "REFUTED", "NOT_ENOUGH_INFO": "NEI"}


def plot_confusion(
    matrix: Mapping[str, Mapping[str, int]],
    path: Path,
    title: str = "",
    labels: Sequence[str] | None = None,
    names: Mapping[str, str] | None = None,
) -> None:
    """``matrix[gold][predicted]`` as a heat map with the counts, rows normalised for colour
    (``labels``: the classes in order, default the verdict labels; ``names``: short names)."""
    labels = list(labels) if labels is not None else [label.value for label in Label]
    names = names or NAMES
    counts = [[matrix[g][p] for p in labels] for g in labels]
    shares = [[c / (sum(row) or 1) for c in row] for row in counts]
    figure = Figure(figsize=(5.2, 4.4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    image = axes.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    for i, row in enumerate(counts):
        for j, count in enumerate(row):
            axes.text(
                j,
                i,
                f"{count}\n{100 * shares[i][j]:.0f}%",
                ha="center",
                va="center",
                color="white" if shares[i][j] > 0.6 else "black",
            )
    ticks = list(range(len(labels)))
    axes.set_xticks(ticks, [names.get(x, x) for x in labels])
    axes.set_yticks(ticks, [names.get(x, x) for x in labels])
    axes.set_xlabel("predicted")
    axes.set_ylabel("gold")
    axes.set_title(f"Confusion matrix\n{title}".strip(), fontsize=10)
    figure.colorbar(image, ax=axes, label="share of the gold row")
    figure.tight_layout()
    figure.savefig(path)


def plot_reliability(
    bins: Sequence[Mapping[str, Any]], ece: float, path: Path, title: str = ""
) -> None:
    """Accuracy against mean confidence per bin, the diagonal, and the claims per bin."""
    figure = Figure(figsize=(5.2, 5.2), dpi=100)
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    width = float(bins[0]["upper"]) - float(bins[0]["lower"]) if bins else 0.1
    lefts = [float(b["lower"]) for b in bins]
    filled = [b for b in bins if b["count"]]
    top.bar(
        [float(b["lower"]) for b in filled],
        [float(b["accuracy"]) for b in filled],
        width=width,
        align="edge",
        edgecolor="black",
        color="#4c72b0",
        label="accuracy",
    )
    top.plot(
        [float(b["confidence"]) for b in filled],
        [float(b["accuracy"]) for b in filled],
        "o",
        color="#dd8452",
        label="mean confidence",
    )
    top.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    top.set_ylim(0, 1)
    top.set_ylabel("accuracy")
    top.legend(loc="upper left", fontsize=8)
    top.set_title(f"Reliability (ECE {ece:.3f})\n{title}".strip(), fontsize=10)
    bottom.bar(lefts, [int(b["count"]) for b in bins], width=width, align="edge", color="grey")
    bottom.set_xlim(0, 1)
    bottom.set_xlabel("confidence of the verdict")
    bottom.set_ylabel("claims")
    figure.tight_layout()
    figure.savefig(path)
