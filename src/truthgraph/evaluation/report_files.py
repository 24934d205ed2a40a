"""The files of an evaluation: report.json, report.md, predictions.jsonl and two PNG plots."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from truthgraph.domain import Label
from truthgraph.evaluation.evaluate import Prediction

SHORT = {Label.SUPPORTED: "S", Label.REFUTED: "R", Label.NOT_ENOUGH_INFO: "NEI"}

log = logging.getLogger(__name__)


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The headline figures, printed as the last line of ``truthgraph eval`` (with the
    accuracy per kind of claim where the claims have kinds)."""
    line = {
        "dataset": report["dataset"],
        "mode": report["config"]["mode"],
        "split": report["config"]["split"],
        "n": report["n"],
        "accuracy": report["accuracy"],
        "macro_f1": report["macro_f1"],
        "strict": report["strict"]["score"],
        "evidence_recall_at_k": report["evidence"]["recall_at_k"],
        "k": report["evidence"]["k"],
        "ece": report["calibration"]["ece"],
        "latency_p50_ms": report["latency_ms"]["p50"],
        "latency_p95_ms": report["latency_ms"]["p95"],
        "out": report["out"],
    }
    if report.get("per_kind"):
        line["per_kind"] = {kind: row["accuracy"] for kind, row in report["per_kind"].items()}
    return line


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def per_kind_lines(per_kind: dict[str, dict[str, Any]]) -> list[str]:
    """The per-kind table of report.md: each kind's claims, how many were right, and where
    each gold label went (``S 7 → 3/4/0``: of 7 SUPPORTED claims, 3 predicted SUPPORTED, 4
    REFUTED, 0 NOT_ENOUGH_INFO)."""
    order = "/".join(SHORT[p] for p in Label)
    lines = [
        "| kind | claims | correct | accuracy | gold → predicted " + order + " |",
        "|---|---|---|---|---|",
    ]
    for kind, row in per_kind.items():
        cells = []
        for gold in Label:
            counts = row["confusion"][gold.value]
            total = sum(counts.values())
            if total:
                spread = "/".join(str(counts[p.value]) for p in Label)
                cells.append(f"{SHORT[gold]} {total} → {spread}")
        lines.append(
            f"| {kind} | {row['n']} | {row['correct']} | {_pct(row['accuracy'])} | "
            + "; ".join(cells)
            + " |"
        )
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    """report.md: the figures, the confusion matrix, calibration and the configuration."""
    config = report["config"]
    evidence, strict = report["evidence"], report["strict"]
    lines = [
        f"# Accuracy: {report['dataset']} ({config['mode']} mode"
        + (f", {config['split']} split" if config["split"] else "")
        + ")",
        "",
        f"Written by `{report['command']}`." if report.get("command") else "",
        "",
        "| figure | value |",
        "|---|---|",
        f"| claims | {report['n']} |",
        f"| accuracy | {_pct(report['accuracy'])} |",
        f"| macro-F1 | {_num(report['macro_f1'])} |",
        f"| strict score (label right and, for SUPPORTED/REFUTED, a gold sentence among the "
        f"{strict['cited_k']} cited; over {strict['n']} claims) | {_pct(strict['score'])} |",
        f"| evidence recall@{evidence['k'] or 'k'} (a gold sentence among the retrieved; "
        f"{evidence['claims_with_gold']} claims with gold evidence) "
        f"| {_pct(evidence['recall_at_k'])} |",
        f"| expected calibration error (10 bins) | {_num(report['calibration']['ece'])} |",
        f"| latency per claim p50 / p95 | {report['latency_ms']['p50']:.1f} / "
        f"{report['latency_ms']['p95']:.1f} ms |",
        f"| wall time | {report['wall_s']:.1f} s |",
        "",
        "## Per class",
        "",
        "| class | precision | recall | F1 | support | predicted |",
        "|---|---|---|---|---|---|",
    ]
    for label in Label:
        row = report["per_class"][label.value]
        lines.append(
            f"| {label.value} | {_num(row['precision'])} | {_num(row['recall'])} | "
            f"{_num(row['f1'])} | {int(row['support'])} | "
            f"{report['predicted_counts'][label.value]} |"
        )
    if report.get("per_kind"):
        lines += ["", "## Per kind of claim", "", *per_kind_lines(report["per_kind"])]
    lines += [
        "",
        "## Confusion (rows gold, columns predicted)",
        "",
        "| gold \\ predicted | " + " | ".join(SHORT[p] for p in Label) + " |",
        "|---|" + "---|" * len(Label),
    ]
    for gold in Label:
        cells = " | ".join(str(report["confusion"][gold.value][p.value]) for p in Label)
        lines.append(f"| {gold.value} | {cells} |")
    lines += [
        "",
        "![confusion matrix](confusion.png) ![reliability diagram](reliability.png)",
        "",
        "## Calibration (confidence of the verdict)",
        "",
        "| confidence | claims | mean confidence | accuracy |",
        "|---|---|---|---|",
    ]
    for b in report["calibration"]["bins"]:
        if b["count"]:
            lines.append(
                f"| {b['lower']:.1f}-{b['upper']:.1f} | {b['count']} | "
                f"{_num(b['confidence'])} | {_num(b['accuracy'])} |"
            )
    lines += ["", "## Configuration", ""]
    for key, value in config.items():
        if key == "machine":
            continue
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
        lines.append(f"- {key}: `{shown}`" if value is not None else f"- {key}: n/a")
    if config.get("machine"):
        lines.append(f"- machine: {config['machine']['line']}")
    for note in report.get("notes", []):
        lines.append(f"- note: {note}")
    lines.append("")
    return "\n".join(lines)


def write_report(out: Path, report: dict[str, Any], predictions: Sequence[Prediction]) -> None:
    """Write report.json, report.md, predictions.jsonl, and confusion.png and reliability.png
    where matplotlib is installed (the ``plots`` extra)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out / "report.md").write_text(render_markdown(report), encoding="utf-8")
    with (out / "predictions.jsonl").open("w", encoding="utf-8") as handle:
        for prediction in predictions:
            handle.write(json.dumps(prediction.to_dict(), ensure_ascii=False) + "\n")
    try:
        from truthgraph.evaluation.plots import plot_confusion, plot_reliability
    except ImportError:
        log.warning("plots skipped: matplotlib is not installed (pip install 'truthgraph[plots]')")
        return
    title = f"{report['dataset']} ({report['config']['mode']}, n={report['n']})"
    plot_confusion(report["confusion"], out / "confusion.png", title)
    plot_reliability(
        report["calibration"]["bins"], report["calibration"]["ece"], out / "reliability.png", title
    )
