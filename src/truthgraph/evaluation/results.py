"""The accuracy table of ``scripts/eval_results.py``: benchmarks/ACCURACY.md and the section
of docs/accuracy.md between ``<!-- accuracy-table:start -->`` and ``<!-- accuracy-table:end -->``.

Pure functions over the ``report.json`` objects that ``truthgraph eval`` writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from truthgraph.errors import TruthGraphError

START = "<!-- accuracy-table:start -->"
END = "<!-- accuracy-table:end -->"
COLUMNS = (
    "dataset",
    "mode",
    "split",
    "n",
    "accuracy",
    "macro-F1",
    "strict",
    "evidence recall@k",
    "ECE",
    "p50 ms",
    "model",
    "machine",
)


_CLI = "from truthgraph.cli.main import main; main()"


def run_eval(
    dataset: str,
    data_dir: Path,
    out: Path,
    limit: int | None = None,
    split: str = "heldout",
    extra: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One ``truthgraph eval --dataset`` run in a fresh process; its report.json object."""
    command = [sys.executable, "-c", _CLI, "eval", "--dataset", dataset, "--data-dir"]
    command += [str(data_dir), "--split", split, "--out", str(out), *extra]
    if limit is not None:
        command += ["--limit", str(limit)]
    done = subprocess.run(
        command, stdout=subprocess.DEVNULL, check=False, env={**os.environ, **(env or {})}
    )
    if done.returncode != 0:
        raise TruthGraphError(
            f"truthgraph eval --dataset {dataset} failed (exit {done.returncode})"
        )
    report: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def table_row(report: dict[str, Any]) -> list[str]:
    """One row of the accuracy table from a ``report.json`` object."""
    config = report["config"]
    evidence = report["evidence"]
    recall = (
        f"{_pct(evidence['recall_at_k'])} (k={evidence['k']})"
        if evidence["recall_at_k"] is not None
        else "n/a"
    )
    backend = f" ({config['nli_backend']})" if config.get("nli_backend") else ""
    if second := config.get("second_opinion"):
        backend += (
            f"; second opinion {second['nli_model']} below {second['below']} "
            f"(asked on {report.get('second_opinion_share', 0.0):.0%} of claims, "
            f"its verdict given on {report.get('second_opinion_given', 0.0):.0%})"
        )
    machine = config.get("machine") or {}
    return [
        str(report["dataset"]),
        str(config["mode"]),
        str(config["split"] or "-"),
        str(report["n"]),
        _pct(report["accuracy"]),
        f"{report['macro_f1']:.3f}",
        _pct(report["strict"]["score"]),
        recall,
        f"{report['calibration']['ece']:.3f}",
        f"{report['latency_ms']['p50']:.0f}",
        f"{config['nli_model']}{backend}",
        str(machine.get("line", "n/a")),
    ]


def accuracy_table(reports: Sequence[dict[str, Any]]) -> str:
    """The Markdown table, one row per report."""
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    lines += ["| " + " | ".join(table_row(r)) + " |" for r in reports]
    return "\n".join(lines) + "\n"


def replace_section(text: str, body: str) -> str:
    """``text`` with everything between the START and END markers replaced by ``body``."""
    begin, end = text.find(START), text.find(END)
    if begin < 0 or end < begin:
        raise ValueError(f"the text has no {START} ... {END} section")
    return text[: begin + len(START)] + "\n" + body.strip("\n") + "\n" + text[end:]
