"""``TrainConfig``: every setting of a training run (a leaf: training and its checkpoints
import it, it imports nothing of theirs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TrainConfig:
    """Every setting that shapes a training run; saved next to the weights."""

    base_model: str = "all-MiniLM-L6-v2"
    epochs: int = 3
    batch_size: int = 16
    learning_rate: float = 4e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    max_length: int = 160
    seed: int = 13
    max_train_pairs: int | None = None
    threads: int = 0
    train_split: str = "fit"
    mutation_rate: float = 0.6
    scifact_repeat: int = 2
    title_rate: float = 0.0
    nei_filter_model: str | None = None
    nei_filter_threshold: float = 0.5
    lora_rank: int = 0
    init_adapter: str | None = None
    teacher_model: str | None = None
    distill_weight: float = 0.5
    fm2: bool = False
    snli_pairs: int = 0
    snli_only: bool = False
    nli_extra_pairs: int = 0
    contrast: bool = False
    checkpoint_every: int = 500
    stop_after_steps: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
