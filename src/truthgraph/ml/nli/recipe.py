"""The verifier's training recipe: build pairs, train, evaluate on held-out pairs, write a card.

``truthgraph train-verifier`` runs this; the shipped model was produced by it.
"""

from __future__ import annotations

import json
import platform
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, cast

from truthgraph.data.datasets import Split
from truthgraph.errors import InvalidInputError
from truthgraph.measures.revision import git_sha
from truthgraph.ml.embedder import SentenceTransformerEmbedder
from truthgraph.ml.nli.card import write_model_card
from truthgraph.ml.nli.checkpoint import check_config, has_checkpoint, read_pairs, write_pairs
from truthgraph.ml.nli.config import TrainConfig
from truthgraph.ml.nli.dev_pairs import build_pairs, drop_settled_nei, snli_pairs
from truthgraph.ml.nli.model import CrossEncoderNLI
from truthgraph.ml.nli.pair import Pair
from truthgraph.ml.nli.training import pair_metrics, train_verifier
from truthgraph.ml.registry import resolve_model
from truthgraph.ml.resolved import ResolvedModel
from truthgraph.ports import NLIModel

SHIPPED_VERIFIER = "truthgraph-verifier-minilm"
Progress = Callable[[str, int, int, float], None]


def _teacher_labels(
    teacher: NLIModel, pairs: Sequence[Pair], with_title: bool, progress: Progress | None
) -> list[tuple[float, float, float]]:
    """The teacher's entailment / neutral / contradiction probabilities for each pair."""
    labels: list[tuple[float, float, float]] = []
    chunk = 256
    for start in range(0, len(pairs), chunk):
        part = pairs[start : start + chunk]
        scores = teacher.predict([(p.text(with_title), p.hypothesis) for p in part])
        labels += [(s.entailment, s.neutral, s.contradiction) for s in scores]
        if progress is not None:
            progress("teacher", len(labels), len(pairs), 0.0)
    return labels


def _training_pairs(
    data_dir: Path, models_dir: Path, config: TrainConfig, embedder: SentenceTransformerEmbedder
) -> tuple[list[Pair], int]:
    """The run's training pairs, and how many near-miss NEI pairs the filter left out."""
    if config.snli_only:  # a first stage: general NLI only
        return snli_pairs(data_dir, config.snli_pairs or 10**9, random.Random(config.seed)), 0
    pairs = build_pairs(
        data_dir,
        embedder,
        cast(Split, config.train_split),
        seed=config.seed,
        mutation_rate=config.mutation_rate,
        scifact_repeat=config.scifact_repeat,
        fm2=config.fm2,
        snli=config.snli_pairs,
        nli_extra=config.nli_extra_pairs,
        contrast=config.contrast,
    )
    if config.contrast:  # same-subject pairs the shipped verifier reads as supported: left out
        from truthgraph.ml.nli.contrast import drop_entailing

        shipped = CrossEncoderNLI(resolve_model(SHIPPED_VERIFIER, models_dir), max_length=256)
        pairs = drop_entailing(pairs, shipped)
    if not config.nei_filter_model:
        return pairs, 0
    judge = CrossEncoderNLI(resolve_model(config.nei_filter_model, models_dir), max_length=256)
    return drop_settled_nei(pairs, judge, config.nei_filter_threshold)


def run_recipe(
    data_dir: Path,
    out_dir: Path,
    models_dir: Path,
    config: TrainConfig | None = None,
    progress: Progress | None = None,
    teacher: NLIModel | None = None,
    resume: bool = False,
) -> dict[str, Any]:
    """Train a verifier on the train split of ``data_dir`` and measure it on the held-out split.

    With a ``teacher`` (a trained verifier; ``config.teacher_model`` names it), the student also
    learns the teacher's probabilities for each training pair (see ``train_verifier``).
    The training pairs (and the teacher's probabilities) are kept beside the checkpoint;
    ``resume`` reads them back and goes on from the checkpoint in ``out_dir``. A run that stops
    early (``stop_after_steps``) returns its summary without a held-out measure.
    """
    config = config or TrainConfig()
    started = time.perf_counter()
    embedder = SentenceTransformerEmbedder(resolve_model("all-MiniLM-L6-v2", models_dir))
    soft_labels: list[tuple[float, float, float]] | list[list[float]] | None = None
    dropped = 0
    if resume:
        if not has_checkpoint(out_dir):
            raise InvalidInputError(f"{out_dir}: no checkpoint to resume from")
        check_config(out_dir, asdict(config))
        train_pairs, soft_labels = read_pairs(out_dir)
    else:
        train_pairs, dropped = _training_pairs(data_dir, models_dir, config, embedder)
        if config.max_train_pairs is not None:
            train_pairs = train_pairs[: config.max_train_pairs]
        if teacher is not None:
            soft_labels = _teacher_labels(teacher, train_pairs, config.title_rate > 0, progress)
        write_pairs(out_dir, train_pairs, soft_labels)
    heldout_pairs = build_pairs(
        data_dir, embedder, "heldout", seed=config.seed, mutation_rate=config.mutation_rate
    )
    base = resolve_model(config.base_model, models_dir)
    config = replace(config, extra={**config.extra, "base_model_path": base.name})

    def on_step(step: int, total: int, loss: float) -> None:
        if progress is not None:
            progress("train", step, total, loss)

    summary = train_verifier(
        train_pairs, base, config, out_dir, progress=on_step, soft_labels=soft_labels, resume=resume
    )
    if not summary["complete"]:
        return summary
    model = CrossEncoderNLI(ResolvedModel("trained", out_dir), max_length=256)
    with_title = config.title_rate > 0
    texts = [(p.text(with_title), p.hypothesis) for p in heldout_pairs]
    predicted = [s.label for s in model.predict(texts)]
    metrics = pair_metrics(heldout_pairs, predicted)
    summary["heldout_pairs"] = metrics
    summary["nei_pairs_dropped"] = dropped
    summary["machine"] = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }
    summary["git_sha"] = git_sha(short=False)
    summary["total_seconds"] = round(time.perf_counter() - started, 1)
    (out_dir / "training_config.json").write_text(json.dumps(summary, indent=2) + "\n")
    write_model_card(out_dir, summary)
    return summary
