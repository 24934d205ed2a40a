"""Training checkpoints, so that a long fine-tune can stop and go on in a later session.

A checkpoint is the folder ``OUT/checkpoint``:

- ``state.pt``: the model's weights (full precision), the optimizer's and the scheduler's
  state, the step reached, the recent losses, and the random states that decide what comes
  next (the title draws, torch's dropout); written to a temporary file and renamed, so a kill
  mid-write leaves the previous checkpoint whole;
- ``config.json``: the training config it belongs to;
- ``pairs.jsonl``: the training pairs (and a teacher's probabilities), written once at the
  start, so a resumed run trains on exactly the same pairs without rebuilding them.

Resuming from step ``s`` replays the batch order from the seed, skips the first ``s`` batches
and restores the rest, so a run stopped and resumed ends with the same weights as one that
never stopped.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from truthgraph.data.files import atomic_write
from truthgraph.domain import Label
from truthgraph.errors import InvalidInputError
from truthgraph.ml.nli.pair import Pair

CHECKPOINT_DIR = "checkpoint"
STATE_FILE = "state.pt"
PAIRS_FILE = "pairs.jsonl"
CONFIG_FILE = "config.json"
# settings that may change between a run and its resumption without changing its result
FREE_FIELDS = frozenset({"threads", "checkpoint_every", "stop_after_steps"})


def checkpoint_dir(out_dir: Path) -> Path:
    return out_dir / CHECKPOINT_DIR


def has_checkpoint(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds a checkpoint to resume from."""
    return (checkpoint_dir(out_dir) / STATE_FILE).is_file()


def write_pairs(
    out_dir: Path, pairs: Sequence[Pair], soft_labels: Sequence[Sequence[float]] | None
) -> None:
    """Keep the training pairs (and the teacher's probabilities) beside the checkpoint."""
    folder = checkpoint_dir(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for number, pair in enumerate(pairs):
        row: dict[str, Any] = {
            "premise": pair.premise,
            "hypothesis": pair.hypothesis,
            "label": pair.label.value,
            "source": pair.source,
            "title": pair.title,
        }
        if soft_labels is not None:
            row["teacher"] = list(soft_labels[number])
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    atomic_write(folder / PAIRS_FILE, "".join(lines))


def read_pairs(out_dir: Path) -> tuple[list[Pair], list[list[float]] | None]:
    """The pairs a checkpointed run trains on, and its teacher's probabilities if any."""
    path = checkpoint_dir(out_dir) / PAIRS_FILE
    if not path.is_file():
        raise InvalidInputError(f"{path}: no training pairs to resume with")
    pairs: list[Pair] = []
    teacher: list[list[float]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        pairs.append(
            Pair(
                row["premise"], row["hypothesis"], Label(row["label"]), row["source"], row["title"]
            )
        )
        if "teacher" in row:
            teacher.append([float(v) for v in row["teacher"]])
    return pairs, (teacher if teacher else None)


def check_config(out_dir: Path, current: Mapping[str, Any]) -> None:
    """Fail with one line when there is no checkpoint, or it was made with settings other
    than ``current`` (a ``TrainConfig`` as a dict)."""
    if not has_checkpoint(out_dir):
        raise InvalidInputError(f"{out_dir}: no checkpoint to resume from")
    path = checkpoint_dir(out_dir) / CONFIG_FILE
    saved: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    differ = sorted(
        name
        for name in set(saved) | set(current)
        if name not in FREE_FIELDS and name != "extra" and saved.get(name) != current.get(name)
    )
    if differ:
        shown = ", ".join(f"{n} {saved.get(n)!r} (now {current.get(n)!r})" for n in differ[:3])
        raise InvalidInputError(f"{path}: the checkpoint was made with other settings: {shown}")


def save(
    out_dir: Path,
    config: Mapping[str, Any],
    model: Any,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    step: int,
    losses: Sequence[float],
    title_rng: random.Random,
) -> Path:
    """Write the checkpoint of ``step`` (atomically) and its config (a ``TrainConfig`` as a
    dict)."""
    folder = checkpoint_dir(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    state = {
        "step": step,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "losses": list(losses[-100:]),
        "title_rng": title_rng.getstate(),
        "torch_rng": torch.get_rng_state(),
    }
    atomic_write(folder / STATE_FILE, lambda temporary: torch.save(state, temporary))
    (folder / CONFIG_FILE).write_text(json.dumps(dict(config), indent=2) + "\n")
    return folder / STATE_FILE


def restore(
    out_dir: Path,
    model: Any,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    title_rng: random.Random,
) -> tuple[int, list[float]]:
    """Load the checkpoint into the model, optimizer, scheduler and random states; returns
    the step it reached and its recent losses."""
    path = checkpoint_dir(out_dir) / STATE_FILE
    if not path.is_file():
        raise InvalidInputError(f"{out_dir}: no checkpoint to resume from ({path} is missing)")
    state = torch.load(path, weights_only=False)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    title_rng.setstate(state["title_rng"])
    torch.set_rng_state(state["torch_rng"])
    return int(state["step"]), [float(v) for v in state["losses"]]
