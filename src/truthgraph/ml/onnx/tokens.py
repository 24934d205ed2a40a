"""Tokenisation with the ``tokenizers`` library and length-bucketed batches. Torch-free.

Texts are tokenised once, without padding; batches are then cut from the inputs sorted by
token count and padded only to their own longest row, so short texts never pay for long ones.
Each batch carries the input rows it holds, so results go back in the caller's order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from truthgraph.errors import ModelLoadError


@dataclass(frozen=True, slots=True)
class Batch:
    """Model inputs for some rows of the input: ``feeds[name]`` has shape (len(rows), width)."""

    rows: np.ndarray
    feeds: dict[str, np.ndarray]


def load_tokenizer(path: Path, max_length: int) -> Tokenizer:
    """The fast tokenizer at ``path``, truncating (longest first) at ``max_length`` tokens."""
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises a bare Exception on bad files
        raise ModelLoadError(f"cannot load tokenizer {path}: {exc}") from exc
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
    return tokenizer


MAX_BATCH_TOKENS = 1024
"""Padded tokens per model call at most (``TRUTHGRAPH_MODEL__BATCH_TOKENS``): a batch of long
inputs holds fewer rows, so that the activations of one call (and the runtime's arena, which
keeps its largest) stay bounded whatever the lengths; short inputs still fill ``batch_size``
rows. See docs/decisions/0025."""


def rows_per_run(int8: bool, batch_size: int) -> int:
    """How many inputs one model call holds: ``batch_size``, but one for an int8 graph.

    The int8 exports quantize their activations at run time with one scale for the whole
    input tensor (``DynamicQuantizeLinear``), so a row's result would depend on the other rows
    of its batch and on their padding: up to 0.26 in a probability on the demo pairs. Alone, a
    row is its own tensor, and scores the same whatever else is verified with it, in one process
    or on Ray (decision 0031). fp32 graphs keep their batches: they are batch-independent.
    """
    return 1 if int8 else batch_size


def bucketed_batches(
    encodings: Sequence[Any],
    batch_size: int,
    input_names: Sequence[str],
    pad_id: int = 0,
    max_tokens: int | None = None,
) -> Iterator[Batch]:
    """Batches of ``encodings`` (``tokenizers.Encoding``) sorted by length, padded per batch,
    of at most ``batch_size`` rows and ``max_tokens`` padded tokens (default
    ``MAX_BATCH_TOKENS``; a single row longer than that is a batch of its own).

    Only the inputs the graph takes (``input_names``: ``input_ids``, ``attention_mask``,
    ``token_type_ids``) are built.
    """
    budget = MAX_BATCH_TOKENS if max_tokens is None else max_tokens
    lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
    order = np.argsort(lengths, kind="stable")
    wanted = set(input_names)
    begin = 0
    while begin < len(order):
        end = begin + 1  # sorted ascending: the row at end - 1 sets the batch's width
        while (
            end < len(order)
            and end - begin < batch_size
            and (end + 1 - begin) * int(lengths[order[end]]) <= budget
        ):
            end += 1
        rows = order[begin:end]
        begin = end
        width = max(1, int(lengths[rows].max()))
        ids = np.full((len(rows), width), pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        types = np.zeros((len(rows), width), dtype=np.int64)
        for row, index in enumerate(rows):
            encoding = encodings[int(index)]
            count = len(encoding.ids)
            ids[row, :count] = encoding.ids
            mask[row, :count] = 1
            types[row, :count] = encoding.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        yield Batch(rows, {name: array for name, array in feeds.items() if name in wanted})
