"""Fine-tune a 3-class NLI cross-encoder (the TruthGraph verifier) reproducibly on CPU.

The encoder starts from all-MiniLM-L6-v2 (or any BERT-style folder); a classification head
(entailment / neutral / contradiction) is trained with AdamW and a linear schedule. Batches are
bucketed by length so short pairs do not pay for padding. Weights are saved as fp16
safetensors with the tokenizer, the training config and the held-out metrics.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from truthgraph.domain import Label
from truthgraph.errors import ModelLoadError
from truthgraph.measures.metrics import classification_report
from truthgraph.ml.nli import checkpoint
from truthgraph.ml.nli.adapter import ADAPTER_CONFIG
from truthgraph.ml.nli.config import TrainConfig
from truthgraph.ml.nli.labels import HEAD_CONFIG, LABEL_TO_ID
from truthgraph.ml.nli.pair import Pair
from truthgraph.ml.resolved import ResolvedModel

ADAPTER_DIR = "adapter"


def _with_lora(model: Any, rank: int) -> Any:
    """Low-rank adapters on every linear layer of the encoder; the head trains in full.

    Only the adapters and the head change, so they can ship (a few MB) without the base weights.
    """
    from peft import LoraConfig, TaskType, get_peft_model

    lora = LoraConfig(
        r=rank,
        lora_alpha=2 * rank,
        lora_dropout=0.1,
        target_modules="all-linear",
        task_type=TaskType.SEQ_CLS,
    )
    return get_peft_model(model, lora)


def _from_adapter(model: Any, folder: Path, rank: int) -> Any:
    """``model`` with the trained low-rank adapters in ``folder``, to train them further."""
    from peft import PeftModel

    try:
        trained = json.loads((folder / ADAPTER_CONFIG).read_text()).get("r")
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{folder}: not a low-rank adapter folder ({exc})") from exc
    if trained != rank:
        raise ModelLoadError(f"{folder} holds rank-{trained} adapters; --lora-rank is {rank}")
    return PeftModel.from_pretrained(model, str(folder), is_trainable=True).float()


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _length_batches(pairs: Sequence[Pair], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar length, in random order (sort within shuffled chunks of 50 batches)."""
    order = list(range(len(pairs)))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches: list[list[int]] = []
    for begin in range(0, len(order), chunk):
        part = sorted(
            order[begin : begin + chunk],
            key=lambda i: len(pairs[i].premise) + len(pairs[i].hypothesis),
        )
        batches.extend(part[k : k + batch_size] for k in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def train_verifier(
    pairs: Sequence[Pair],
    base: ResolvedModel,
    config: TrainConfig,
    out_dir: Path,
    progress: Callable[[int, int, float], None] | None = None,
    soft_labels: Sequence[Sequence[float]] | None = None,
    resume: bool = False,
) -> dict[str, Any]:
    """Train on ``pairs`` and save the model to ``out_dir``; returns a summary of the run.

    ``soft_labels`` (a teacher's entailment / neutral / contradiction probabilities, one row
    per pair) turn on distillation: the loss becomes ``distill_weight`` times the KL
    divergence from the teacher plus the rest times the cross-entropy on the gold labels.

    Every ``checkpoint_every`` steps (and when it stops) the run saves a checkpoint in
    ``out_dir/checkpoint`` (see ``checkpoint``); ``resume`` goes on from it, to the same
    weights as a run that never stopped. ``stop_after_steps`` ends the run at that step
    with a checkpoint and no model (the summary says ``"complete": false``).
    """
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        get_linear_schedule_with_warmup,
    )

    seed_everything(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    rng = random.Random(config.seed)
    title_rng = random.Random(config.seed + 2)
    if config.max_train_pairs is not None:
        pairs = list(pairs)[: config.max_train_pairs]
    teacher = None if soft_labels is None else torch.tensor(soft_labels, dtype=torch.float32)
    if teacher is not None and teacher.shape[0] < len(pairs):
        raise ValueError(f"{teacher.shape[0]} soft labels for {len(pairs)} pairs")
    tokenizer: Any = AutoTokenizer.from_pretrained(base.location)
    # fp32 whatever the stored weights (the shipped verifier is stored in fp16, and
    # transformers loads a checkpoint in its own dtype): CPU training in fp16 is ~25x slower
    model: Any = AutoModelForSequenceClassification.from_pretrained(
        base.location, dtype=torch.float32, **HEAD_CONFIG
    )
    if config.init_adapter:
        model = _from_adapter(model, Path(config.init_adapter), config.lora_rank)
    elif config.lora_rank:
        model = _with_lora(model, config.lora_rank)
    model.train()
    no_decay = ("bias", "LayerNorm.weight", "LayerNorm.bias")
    groups = [
        {
            "params": [
                p
                for n, p in model.named_parameters()
                if p.requires_grad and not n.endswith(no_decay)
            ],
            "weight_decay": config.weight_decay,
        },
        {
            "params": [
                p for n, p in model.named_parameters() if p.requires_grad and n.endswith(no_decay)
            ],
            "weight_decay": 0.0,
        },
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    steps_per_epoch = math.ceil(len(pairs) / config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    scheduler = get_linear_schedule_with_warmup(  # type: ignore[no-untyped-call]
        optimizer, int(total_steps * config.warmup_ratio), total_steps
    )
    step = 0
    losses: list[float] = []
    if resume:
        checkpoint.check_config(out_dir, asdict(config))
        step, losses = checkpoint.restore(out_dir, model, optimizer, scheduler, title_rng)
    resumed_at = step
    started = time.perf_counter()

    def save() -> None:
        checkpoint.save(
            out_dir, asdict(config), model, optimizer, scheduler, step, losses, title_rng
        )

    position = 0  # batches replayed or trained so far; the first ``resumed_at`` are skipped
    for _epoch in range(config.epochs):
        for batch in _length_batches(pairs, config.batch_size, rng):
            position += 1
            if position <= resumed_at:
                continue
            if config.stop_after_steps is not None and step >= config.stop_after_steps:
                save()
                return {
                    "config": asdict(config),
                    "complete": False,
                    "step": step,
                    "total_steps": total_steps,
                    "train_pairs": len(pairs),
                    "train_seconds": round(time.perf_counter() - started, 1),
                }
            encoded = tokenizer(
                [pairs[i].text(title_rng.random() < config.title_rate) for i in batch],
                [pairs[i].hypothesis for i in batch],
                padding=True,
                truncation="longest_first",
                max_length=config.max_length,
                return_tensors="pt",
            )
            labels = torch.tensor([LABEL_TO_ID[pairs[i].label] for i in batch])
            output = model(**encoded, labels=labels)
            loss = output.loss
            if teacher is not None:
                kl = torch.nn.functional.kl_div(
                    torch.log_softmax(output.logits, dim=-1), teacher[batch], reduction="batchmean"
                )
                loss = config.distill_weight * kl + (1 - config.distill_weight) * loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            losses.append(loss.item())
            step += 1
            if config.checkpoint_every and step % config.checkpoint_every == 0:
                save()
            if progress is not None:
                progress(step, total_steps, float(np.mean(losses[-50:])))
    elapsed = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    if config.lora_rank:
        model.save_pretrained(out_dir / ADAPTER_DIR)
        model = model.merge_and_unload()
    model.half().save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    shutil.rmtree(checkpoint.checkpoint_dir(out_dir), ignore_errors=True)  # done: not shipped
    summary = {
        "config": asdict(config),
        "complete": True,
        "resumed_at_step": resumed_at or None,
        "train_pairs": len(pairs),
        "train_label_counts": dict(Counter(p.label.value for p in pairs)),
        "train_source_counts": dict(Counter(p.source for p in pairs)),
        "train_seconds": round(elapsed, 1),
        "train_pairs_per_second": round(
            len(pairs) * config.epochs * (1 - resumed_at / total_steps) / max(elapsed, 1e-9), 1
        ),
        "final_loss": round(float(np.mean(losses[-100:])), 4) if losses else None,
    }
    (out_dir / "training_config.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def pair_metrics(pairs: Sequence[Pair], predicted: Sequence[Label]) -> dict[str, Any]:
    """Accuracy and macro-F1 over all pairs, and accuracy per source."""
    by_source: dict[str, list[bool]] = defaultdict(list)
    for pair, label in zip(pairs, predicted, strict=True):
        by_source[pair.source].append(pair.label is label)
    report = classification_report([p.label for p in pairs], list(predicted))
    return {
        "n": len(pairs),
        "accuracy": round(report["accuracy"], 4),
        "macro_f1": round(report["macro_f1"], 4),
        "accuracy_by_source": {
            k: {"n": len(v), "accuracy": round(float(np.mean(v)), 4)}
            for k, v in sorted(by_source.items())
        },
    }
