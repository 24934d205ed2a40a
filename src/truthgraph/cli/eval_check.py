"""truthgraph eval-check: accuracy of ``check`` on whole sentences with their own evidence."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from truthgraph.cli.check import ExtractorName
from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.progress import progress_bar
from truthgraph.cli.state import state
from truthgraph.errors import InvalidInputError


class CheckDataset(StrEnum):
    WICE = "wice"
    GROUNDING = "grounding"


class EvalLabels(StrEnum):
    AUTO = "auto"
    THREE_WAY = "three-way"
    BINARY = "binary"


@exits_cleanly
def eval_check_command(
    ctx: typer.Context,
    items_file: Annotated[
        Path | None,
        typer.Argument(
            metavar="ITEMS",
            help='Items .jsonl: {"id", "text", "evidence": [...], "label"} per line.',
        ),
    ] = None,
    dataset: Annotated[
        CheckDataset | None,
        typer.Option(
            "--dataset",
            help="A named dataset instead: wice (WiCE dev) or grounding (grounding/dev.jsonl: "
            "summaries and RAG answers with their documents; balanced accuracy per source).",
        ),
    ] = None,
    labels: Annotated[
        EvalLabels,
        typer.Option(
            "--labels",
            help="three-way (supported / partially / not), binary (supported / not), or auto: "
            "binary where every gold label is supported or not_supported.",
        ),
    ] = EvalLabels.AUTO,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Folder of the datasets (../shared/data).")
    ] = None,
    extractor: Annotated[
        ExtractorName,
        typer.Option("--extractor", "-e", help="builtin, sentence (no decomposition) or llm."),
    ] = ExtractorName.BUILTIN,
    no_decompose: Annotated[
        bool, typer.Option("--no-decompose", help="The same as --extractor sentence.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Only the first N items.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Report folder (default: ./eval-check-<name>)."),
    ] = None,
    top_k: Annotated[
        int | None, typer.Option("--top-k", "-k", min=1, max=200, help="Evidence per claim.")
    ] = None,
) -> None:
    """Measure ``check`` on labelled texts (supported / partially_supported / not_supported).

    Each item's evidence is split and embedded in memory and the text is checked against
    it (as ``check --against``): no database, nothing stored. An item that cannot be read (a
    control character, empty evidence) is reported and counted, and the run goes on. Writes
    report.json, report.md, predictions.jsonl and confusion.png into --out: accuracy,
    balanced accuracy (per source set and their mean where items name a ``dataset``),
    macro-F1, per-class P/R/F1, confusion, claims per text and claims dropped by the span
    check. The last line printed is JSON {"accuracy", "balanced_accuracy", "macro_f1", "n",
    "errors", ...}.
    """
    from truthgraph.evaluation.check_eval import (
        evaluate_check,
        load_grounding,
        load_wice,
        measure_check,
        read_items,
        write_check_report,
    )
    from truthgraph.wiring import build_extractor, build_grounding_verifier

    if (items_file is None) == (dataset is None):
        raise InvalidInputError("give either an ITEMS file or --dataset, not both or neither")
    if dataset is not None and data_dir is None:
        raise InvalidInputError("--dataset needs --data-dir (e.g. ../shared/data)")
    if items_file is not None and data_dir is not None:
        raise InvalidInputError("--data-dir goes with --dataset, not an ITEMS file")
    if no_decompose:
        extractor = ExtractorName.SENTENCE
    if items_file is not None:
        items, name = read_items(items_file), items_file.stem
    else:
        assert data_dir is not None and dataset is not None
        loader = load_grounding if dataset is CheckDataset.GROUNDING else load_wice
        items, name = loader(data_dir), f"{dataset.value}-dev"
    items = items[:limit] if limit else items
    chosen_labels = labels.value
    if labels is EvalLabels.AUTO:
        two = all(i.label in ("supported", "not_supported") for i in items)
        chosen_labels = "binary" if two else "three-way"
    target = out or Path(f"eval-check-{name}-{extractor.value}")
    if target.exists() and not target.is_dir():
        raise InvalidInputError(f"{target}: exists and is not a folder")
    app = state(ctx)
    chosen = build_extractor(app.settings, extractor.value)
    embedder, nli = app.embedder(), app.nli()
    verifier = build_grounding_verifier(app.settings, None, embedder, nli)
    options = verifier.options_with(top_k=top_k, persist=False)
    started = time.perf_counter()
    with progress_bar(f"eval-check ({extractor.value})") as update:
        predictions = evaluate_check(
            items, verifier, embedder, chosen, options, update, chosen_labels
        )
    wall_s = time.perf_counter() - started
    command = " ".join(["truthgraph", "eval-check", *sys.argv[2:]]) if sys.argv else ""
    from truthgraph.bench.machine import describe_machine, machine_line

    report: dict[str, Any] = {
        "dataset": name,
        "extractor": extractor.value,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine_line(describe_machine()),
        "top_k": options.top_k,
        "nli_model": app.settings.model.nli_model,
        "embedding_model": app.settings.model.embedding_model,
        **measure_check(predictions, chosen_labels),
        "wall_s": wall_s,
    }
    write_check_report(target, report, predictions)
    Console(soft_wrap=True, highlight=False).print(
        f"{name} ({extractor.value}, {chosen_labels}): {report['n']} texts, accuracy "
        f"{100 * report['accuracy']:.1f}%, balanced accuracy "
        f"{_figure(report['balanced_accuracy'])}, macro-F1 {report['macro_f1']:.3f}, "
        f"{report['errors']} could not be checked, "
        f"{report['claims']['per_text_mean']:.2f} claims per text, "
        f"{report['claims']['unmapped']} dropped by the span check → {target}/",
        markup=False,
    )
    for each, row in report["by_dataset"].items():
        Console(soft_wrap=True, highlight=False).print(
            f"  {each}: balanced accuracy {_figure(row['balanced_accuracy'])} (n={row['n']})",
            markup=False,
        )
    if report["by_dataset"]:
        Console(soft_wrap=True, highlight=False).print(
            f"  mean balanced accuracy {_figure(report['balanced_accuracy_mean'])}", markup=False
        )
    line = {
        "accuracy": report["accuracy"],
        "balanced_accuracy": report["balanced_accuracy"],
        "balanced_accuracy_mean": report["balanced_accuracy_mean"],
        "labels": chosen_labels,
        "errors": report["errors"],
        "macro_f1": report["macro_f1"],
        "n": report["n"],
        "extractor": extractor.value,
        "claims_per_text": report["claims"]["per_text_mean"],
        "claims_unmapped": report["claims"]["unmapped"],
        "out": str(target),
    }
    sys.stdout.write(json.dumps(line) + "\n")


def _figure(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "n/a"
