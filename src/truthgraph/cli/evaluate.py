"""truthgraph eval: accuracy of the verifier on labelled claims, written as a report."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.progress import progress_bar
from truthgraph.cli.ray_flags import RAY, RAY_CPUS, RAY_GPUS, RAY_WORKERS, ray_options
from truthgraph.cli.state import AppState, state
from truthgraph.data.datasets import Split
from truthgraph.distributed.ray_setup import RayOptions
from truthgraph.domain import Strategy
from truthgraph.errors import InvalidInputError
from truthgraph.evaluation.dataset import (
    Corpus,
    EvalSet,
    Mode,
    claims_jsonl,
    collection_name,
    export,
    kinds_set,
    pooled_corpus,
    read_claims,
    read_corpus,
)


class DatasetName(StrEnum):
    SCIFACT = "scifact"
    FEVER = "fever"
    FEVER_SYMMETRIC = "fever-symmetric"
    VITAMINC = "vitaminc"
    FM2 = "fm2"
    KINDS = "kinds"


class SplitName(StrEnum):
    HELDOUT = "heldout"
    TRAIN = "train"
    DEV = "dev"
    FIT = "fit"
    ALL = "all"


class ModeName(StrEnum):
    RETRIEVAL = "retrieval"
    ORACLE = "oracle"


SPLITS: dict[SplitName, Split] = {
    SplitName.HELDOUT: "heldout",
    SplitName.TRAIN: "train",
    SplitName.DEV: "dev",
    SplitName.FIT: "fit",
    SplitName.ALL: "all",
}
MODES: dict[ModeName, Mode] = {ModeName.RETRIEVAL: "retrieval", ModeName.ORACLE: "oracle"}


def load_eval_set(
    claims: Path | None,
    corpus: Path | None,
    dataset: DatasetName | None,
    data_dir: Path | None,
    split: SplitName | None,
) -> EvalSet:
    """The claims (and corpus) to evaluate, read and checked whole; nothing is written."""
    if dataset is DatasetName.KINDS and claims is None:
        if corpus is not None or data_dir is not None or split is not None:
            raise InvalidInputError(
                "--dataset kinds ships with TruthGraph: it takes no --corpus, --data-dir or "
                "--split (every claim is held out)"
            )
        return kinds_set()
    if dataset is not None and claims is None:
        from truthgraph.evaluation.convert import convert

        if data_dir is None:
            raise InvalidInputError("--dataset needs --data-dir (e.g. ../shared/data)")
        if corpus is not None:
            raise InvalidInputError("--corpus is for a CLAIMS file; a --dataset brings its own")
        return convert(dataset.value, data_dir, SPLITS[split or SplitName.HELDOUT])
    if claims is None or dataset is not None:
        raise InvalidInputError("give either a CLAIMS file or --dataset, not both or neither")
    if split is not None or data_dir is not None:
        raise InvalidInputError("--split and --data-dir go with --dataset, not a CLAIMS file")
    return EvalSet(
        name=claims.stem,
        claims=read_claims(claims),
        corpus=read_corpus(corpus) if corpus is not None else None,
        default_mode="retrieval" if corpus is not None else "oracle",
        source=str(claims),
    )


def retrieval_corpus(eval_set: EvalSet) -> Corpus:
    """The corpus retrieval mode searches: the set's own, else its pooled gold evidence."""
    if eval_set.corpus is not None:
        return eval_set.corpus
    return pooled_corpus(eval_set.claims, eval_set.name)


def _configure(app: AppState, nli_model: str | None) -> None:
    if nli_model is not None:
        model = app.settings.model.model_copy(update={"nli_model": nli_model})
        app.settings = app.settings.model_copy(update={"model": model})


def _machine() -> dict[str, Any]:
    from truthgraph.bench.machine import describe_machine, machine_line

    machine = describe_machine()
    machine["line"] = machine_line(machine)
    return machine


def _command_line(options: dict[str, object]) -> str:
    """The command that reproduces a run (its options that were given)."""
    parts = ["truthgraph eval"]
    for name, value in options.items():
        if value is None:
            continue
        text = value.value if isinstance(value, StrEnum) else str(value)
        parts.append(text if name == "CLAIMS" else f"{name} {text}")
    return " ".join(parts)


@exits_cleanly
def eval_command(
    ctx: typer.Context,
    claims: Annotated[
        Path | None,
        typer.Argument(
            metavar="CLAIMS",
            help='Claims .jsonl: {"id", "claim", "label", "evidence"?, "kind"?} per line.',
        ),
    ] = None,
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus", help='Corpus .jsonl ({"id", "text", "title"?}) to retrieve from.'),
    ] = None,
    dataset: Annotated[
        DatasetName | None,
        typer.Option(
            "--dataset",
            help="A development dataset instead (kinds: the hand-written set that ships with "
            "TruthGraph, reported per kind of claim; it needs no --data-dir).",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Folder of the datasets (../shared/data).")
    ] = None,
    split: Annotated[
        SplitName | None,
        typer.Option(
            "--split",
            help="Split of --dataset (default: heldout, never trained on; dev and fit divide "
            "train).",
        ),
    ] = None,
    mode: Annotated[
        ModeName | None,
        typer.Option(
            "--mode",
            help="retrieval: the whole pipeline over the corpus; oracle: each claim against "
            "its own gold evidence only (default: the dataset's; for a CLAIMS file, "
            "retrieval with --corpus, else oracle).",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Only the first N claims.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Report folder (default: ./eval-<dataset or file stem>)."),
    ] = None,
    export_dir: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="Write the --dataset as claims.jsonl and corpus.jsonl here and stop.",
        ),
    ] = None,
    top_k: Annotated[
        int | None, typer.Option("--top-k", "-k", min=1, max=200, help="Evidence sentences.")
    ] = None,
    strategy: Annotated[
        Strategy | None, typer.Option("--strategy", "-s", help="Aggregation strategy.")
    ] = None,
    nli_model: Annotated[
        str | None,
        typer.Option("--nli-model", help="Verifier to evaluate: a model folder or name."),
    ] = None,
    ray: Annotated[str | None, RAY] = None,
    ray_workers: Annotated[int, RAY_WORKERS] = 1,
    ray_cpus: Annotated[float | None, RAY_CPUS] = None,
    ray_gpus: Annotated[float, RAY_GPUS] = 0.0,
) -> None:
    """Measure accuracy on labelled claims and write a report.

    Writes report.json, report.md, predictions.jsonl, confusion.png and
    reliability.png into --out: accuracy, macro-F1, per-class P/R/F1, confusion,
    evidence recall@k, FEVER-style strict score, calibration error (ECE), latency
    per claim, the accuracy per kind of claim where claims have a "kind" (as in
    --dataset kinds), and the configuration. The last line printed is one JSON object.

    Retrieval mode ingests the corpus into a collection of its own,
    eval-<12 hex of the corpus sha256>-<embedding model>, never yours; a rerun on
    the same corpus reuses it, since ingestion skips documents already stored.
    Verdicts are not saved and no cache is used, so the latency is the models'.
    With --ray the corpus is ingested and the claims verified by Ray workers
    (docs/scale.md): the same verdicts; the latency is then each stage's share of
    its batch.
    """
    on_ray = ray_options(ray, ray_workers, ray_cpus, ray_gpus)
    eval_set = load_eval_set(claims, corpus, dataset, data_dir, split).first(limit)
    if export_dir is not None:
        if dataset is None:
            raise InvalidInputError("--export converts a --dataset; a CLAIMS file is generic")
        written = export(eval_set, export_dir)
        rerun = f"truthgraph eval {written['claims']}"
        if "corpus" in written:
            rerun += f" --corpus {written['corpus']}"
        rerun += f" --mode {eval_set.default_mode}"
        line: dict[str, object] = {k: str(v) for k, v in written.items()}
        line.update({"n": len(eval_set.claims), "rerun": rerun})
        sys.stdout.write(json.dumps(line) + "\n")
        return
    run_mode = MODES[mode] if mode is not None else eval_set.default_mode
    if run_mode == "oracle" and not any(c.evidence for c in eval_set.claims):
        raise InvalidInputError(
            'oracle mode needs gold "evidence" in the claims; give --corpus to retrieve instead'
        )
    search = retrieval_corpus(eval_set) if run_mode == "retrieval" else None
    target = out or Path(f"eval-{eval_set.name}")
    if target.exists() and not target.is_dir():
        raise InvalidInputError(f"{target}: exists and is not a folder")
    app = state(ctx)
    _configure(app, nli_model)
    command = _command_line(
        {
            "CLAIMS": claims,
            "--corpus": corpus,
            "--dataset": dataset,
            "--data-dir": data_dir,
            "--split": split,
            "--mode": mode,
            "--limit": limit,
            "--top-k": top_k,
            "--strategy": strategy,
            "--nli-model": nli_model,
            "--out": out,
        }
    )
    if on_ray is not None:
        from truthgraph.distributed.ray_setup import check_database, ray_runtime

        check_database(app.settings, on_ray)
        with ray_runtime(on_ray):
            report = _run(app, eval_set, run_mode, search, top_k, strategy, target, command, on_ray)
    else:
        report = _run(app, eval_set, run_mode, search, top_k, strategy, target, command)
    Console(soft_wrap=True, highlight=False).print(
        f"{report['dataset']} ({run_mode}): {report['n']} claims, accuracy "
        f"{100 * report['accuracy']:.1f}%, macro-F1 {report['macro_f1']:.3f} → {target}/",
        markup=False,
    )
    from truthgraph.evaluation.report_files import summary

    sys.stdout.write(json.dumps(summary(report)) + "\n")


def _run(
    app: AppState,
    eval_set: EvalSet,
    mode: Mode,
    search: Corpus | None,
    top_k: int | None,
    strategy: Strategy | None,
    out: Path,
    command: str,
    on_ray: RayOptions | None = None,
) -> dict[str, Any]:
    from truthgraph.evaluation.evaluate import ClaimVerifier, evaluate, measure
    from truthgraph.evaluation.report_files import write_report
    from truthgraph.ingest.pipeline import ingest
    from truthgraph.ml.registry import resolve_model
    from truthgraph.wiring import build_verifier

    settings = app.settings
    store, embedder, nli = app.store(), app.embedder(), app.nli()
    local = build_verifier(settings, store, embedder, nli, caches=False)
    options = local.options_with(top_k=top_k, strategy=strategy, persist=False)
    verifier: ClaimVerifier = local
    if on_ray is not None:
        from truthgraph.distributed.verify import RayVerifier

        verifier = RayVerifier(settings, on_ray, options, store.url, embedder.name, caches=False)
    collection = None
    ingested: dict[str, Any] | None = None
    if search is not None:
        collection = collection_name(search, embedder.name)
        target = store.ensure_collection(
            collection, embedder.name, embedder.dimension, settings.retrieval
        )
        with progress_bar(f"ingest → {collection}") as update:
            if on_ray is None:
                done = ingest(search.documents, target, store, embedder, progress=update)
            else:
                from truthgraph.distributed.ingest import ingest_on_ray

                done = ingest_on_ray(search.documents, collection, settings, on_ray, 0, update)
        ingested = {
            "documents_added": done.documents_added,
            "documents_present": done.documents_skipped,
            "sentences_added": done.sentences_added,
            "seconds": round(done.seconds, 2),
        }
    started = time.perf_counter()
    with progress_bar(f"verify ({mode})") as update:
        predictions = evaluate(
            verifier, eval_set.claims, mode, collection, options, update, warmup=on_ray is None
        )
    wall_s = time.perf_counter() - started
    report: dict[str, Any] = {
        "dataset": eval_set.name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "out": str(out),
        **measure(predictions, mode, options.top_k),
        "wall_s": wall_s,
        "claims_per_s": len(predictions) / wall_s if wall_s > 0 else None,
    }
    machine = _machine()
    report["config"] = {
        "mode": mode,
        "split": eval_set.split,
        "source": eval_set.source,
        "claims_sha256": hashlib.sha256(claims_jsonl(eval_set.claims).encode()).hexdigest(),
        "nli_model": settings.model.nli_model,
        "nli_model_path": resolve_model(settings.model.nli_model, settings.models_dir).location,
        "nli_backend": nli.backend,
        "second_opinion": None
        if local.second is None
        else {"nli_model": local.second.name, "below": local.second.below},
        "embedding_model": settings.model.embedding_model,
        "embedding_backend": embedder.backend,
        "strategy": options.strategy.value,
        "top_k": options.top_k,
        "evidence_context": options.evidence_context,
        "hybrid": options.hybrid,
        "ray": None
        if on_ray is None
        else {"address": on_ray.address or "local", "workers": on_ray.workers},
        "threshold": options.threshold,
        "collection": collection,
        "corpus": search.description if search is not None else None,
        "corpus_sha256": search.sha256 if search is not None else None,
        "ingest": ingested,
        "git_sha": machine.get("truthgraph_git_sha"),
        "machine": machine,
    }
    notes = list(eval_set.notes)
    if mode == "oracle":
        notes.append(
            "oracle mode: each claim is verified against its own gold evidence (a claim "
            "without any gets NOT_ENOUGH_INFO); the cited evidence is the gold evidence, so "
            "the strict score is the accuracy and there is no evidence recall"
        )
    report["notes"] = notes
    write_report(out, report, predictions)
    return report
