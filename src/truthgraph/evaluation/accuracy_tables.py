"""The tables of ``scripts/eval_results.py``: benchmarks/ACCURACY.md and the sections of
docs/accuracy.md between ``<!-- accuracy-table:start -->`` and ``<!-- accuracy-table:end -->``
(the development datasets), ``<!-- kinds-table:start -->`` ... ``:end -->`` (the kinds set)
and ``<!-- check-table:start -->`` ... ``:end -->`` (checking whole texts).

Pure functions over the ``report.json`` objects that ``truthgraph eval`` and
``truthgraph eval-check`` write, and the runs that produce them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from truthgraph.domain import Label
from truthgraph.errors import TruthGraphError

START = "<!-- accuracy-table:start -->"
END = "<!-- accuracy-table:end -->"
KINDS_START = "<!-- kinds-table:start -->"
KINDS_END = "<!-- kinds-table:end -->"
CHECK_START = "<!-- check-table:start -->"
CHECK_END = "<!-- check-table:end -->"
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


def _run_cli(
    args: Sequence[str], out: Path, what: str, env: Mapping[str, str] | None
) -> dict[str, Any]:
    """``truthgraph ARGS --out OUT`` in a fresh process; the report.json object it wrote."""
    command = [sys.executable, "-c", _CLI, *args, "--out", str(out)]
    done = subprocess.run(
        command, stdout=subprocess.DEVNULL, check=False, env={**os.environ, **(env or {})}
    )
    if done.returncode != 0:
        raise TruthGraphError(f"truthgraph {what} failed (exit {done.returncode})")
    report: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report


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
    args = ["eval", "--dataset", dataset, "--data-dir", str(data_dir), "--split", split, *extra]
    if limit is not None:
        args += ["--limit", str(limit)]
    return _run_cli(args, out, f"eval --dataset {dataset}", env)


def run_kinds_eval(
    out: Path,
    limit: int | None = None,
    extra: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``truthgraph eval --dataset kinds`` (the hand-written set shipped in the package: no
    --data-dir, no --split) in a fresh process; its report.json object."""
    args = ["eval", "--dataset", "kinds", *extra]
    if limit is not None:
        args += ["--limit", str(limit)]
    return _run_cli(args, out, "eval --dataset kinds", env)


def run_check_eval(
    dataset: str,
    data_dir: Path,
    out: Path,
    limit: int | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``truthgraph eval-check --dataset`` (wice or grounding, their dev splits) in a fresh
    process; its report.json object."""
    args = ["eval-check", "--dataset", dataset, "--data-dir", str(data_dir)]
    if limit is not None:
        args += ["--limit", str(limit)]
    return _run_cli(args, out, f"eval-check --dataset {dataset}", env)


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


def _markdown_table(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table: the header of ``columns``, then one line a row."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def accuracy_table(reports: Sequence[dict[str, Any]]) -> str:
    """The Markdown table, one row per report."""
    return _markdown_table(COLUMNS, (table_row(r) for r in reports))


def kinds_table(report: dict[str, Any]) -> str:
    """The kinds set's tables from its ``report.json`` object: one row per kind (claims,
    correct, accuracy) and the overall row, then the confusion of gold and predicted labels
    over all claims."""
    per_kind: dict[str, dict[str, Any]] = report.get("per_kind") or {}
    if not per_kind:
        raise ValueError(f"the report of {report.get('dataset')} has no per-kind figures")
    lines = ["| kind | n | correct | accuracy |", "|---|---|---|---|"]
    for kind, row in per_kind.items():
        lines.append(f"| {kind} | {row['n']} | {row['correct']} | {_pct(row['accuracy'])} |")
    correct = sum(int(row["correct"]) for row in per_kind.values())
    lines.append(
        f"| **all** | **{report['n']}** | **{correct}** | **{_pct(report['accuracy'])}** |"
    )
    labels = [label.value for label in Label]
    lines += [
        "",
        "Confusion over all kinds (rows gold, columns predicted):",
        "",
        "| gold \\ predicted | " + " | ".join(labels) + " |",
        "|---|" + "---|" * len(labels),
    ]
    for gold in labels:
        row = report["confusion"][gold]
        lines.append(f"| {gold} | " + " | ".join(str(row[p]) for p in labels) + " |")
    return "\n".join(lines) + "\n"


CHECK_COLUMNS = (
    "set",
    "labels",
    "n",
    "accuracy",
    "macro-F1",
    "balanced accuracy",
    "balanced accuracy per source",
    "mean s per text",
    "extractor",
    "model",
    "machine",
)


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def check_row(report: dict[str, Any]) -> list[str]:
    """One row of the checking table from an ``eval-check`` ``report.json`` object. Where
    the items name their source set (grounding), the balanced accuracy is the mean of the
    per-source figures, each of which is listed."""
    by_source: dict[str, dict[str, Any]] = report.get("by_dataset") or {}
    if by_source:
        balanced = f"{_num(report.get('balanced_accuracy_mean'))} (mean of {len(by_source)})"
        sources = "; ".join(
            f"{name} {_num(row['balanced_accuracy'])} (n={row['n']})"
            for name, row in by_source.items()
        )
    else:
        balanced, sources = _num(report.get("balanced_accuracy")), "-"
    n = str(report["n"])
    if report.get("errors"):
        n += f" ({report['errors']} not checked)"
    total = report.get("n_total", report["n"])
    wall = report.get("wall_s")
    per_text = f"{wall / total:.2f}" if wall is not None and total else "n/a"
    return [
        str(report["dataset"]),
        str(report.get("labels", "three-way")),
        n,
        _pct(report["accuracy"]),
        f"{report['macro_f1']:.3f}",
        balanced,
        sources,
        per_text,
        str(report.get("extractor", "n/a")),
        str(report.get("nli_model", "n/a")),
        str(report.get("machine") or "n/a"),
    ]


def check_table(reports: Sequence[dict[str, Any]]) -> str:
    """The Markdown table of checking whole texts, one row per ``eval-check`` report."""
    return _markdown_table(CHECK_COLUMNS, (check_row(r) for r in reports))


def _trial(limit: int | None, what: str) -> list[str]:
    if limit is None:
        return []
    return [
        f"\n**Trial run: only the first {limit} {what} (`--limit`); "
        "these are not accuracy figures.**"
    ]


def kinds_section(report: dict[str, Any], produced: str, folder: str, limit: int | None) -> str:
    """The kinds set's section of ACCURACY.md and docs/accuracy.md: its tables, then
    ``produced`` (the command, date and commit) and what the set is."""
    config = report["config"]
    lines = [
        kinds_table(report),
        f"{produced}. The kinds set is hand-written for TruthGraph and ships in the package "
        "(`truthgraph eval --dataset kinds`, "
        f"{config['mode']} mode over its own documents): claims of the kinds users write, on "
        "invented subjects, so none can be answered from memory. It is kept out of training, "
        "calibration and any fitted threshold, so these figures measure the verifier on claims "
        "it was never fit to; what each kind tests is in `benchmarks/kinds/README.md`. "
        f"The full report (per-kind confusion, per-class figures) is in `{folder}/`.",
        *_trial(limit, "claims of the set"),
    ]
    return "\n".join(lines) + "\n"


def check_section(
    reports: Sequence[dict[str, Any]], produced: str, folder: str, limit: int | None
) -> str:
    """The section of checking whole texts: its table, then ``produced`` and how each set is
    scored."""
    lines = [
        check_table(reports),
        f"{produced}. `truthgraph eval-check --dataset wice|grounding`: each text is split into "
        "claims and checked against its own evidence, held in memory. WiCE is three-way "
        "(supported / partially supported / not supported), scored by accuracy and macro-F1; "
        "the grounding set (summaries and RAG answers with their documents) is binary "
        "(supported / not supported), scored by balanced accuracy per source set and the mean "
        "of those, as the LLM-AggreFact family is. **These are dev splits, the only splits "
        "these sets have**, and they were used while building the checker: development figures, "
        "not held-out ones. Mean s per text: the run's wall time over its texts, on the machine "
        f"named. Each set's full report (per-class figures, confusion) is in `{folder}/<set>/`.",
        *_trial(limit, "texts of each set"),
    ]
    return "\n".join(lines) + "\n"


def section_body(text: str, start: str, end: str) -> str | None:
    """What lies between the ``start`` and ``end`` markers of ``text`` (None without them)."""
    begin, finish = text.find(start), text.find(end)
    if begin < 0 or finish < begin:
        return None
    return text[begin + len(start) : finish].strip("\n") + "\n"


def replace_section(text: str, body: str, start: str = START, end: str = END) -> str:
    """``text`` with everything between the ``start`` and ``end`` markers replaced by
    ``body`` (by default the accuracy table's)."""
    begin, finish = text.find(start), text.find(end)
    if begin < 0 or finish < begin:
        raise ValueError(f"the text has no {start} ... {end} section")
    return text[: begin + len(start)] + "\n" + body.strip("\n") + "\n" + text[finish:]
