"""What the ONNX embedder and verifier share: the graph file (int8 or fp32) of an export, its
session, its tokenizer, the names of its inputs and output, and how its batches are run.

An int8 graph runs one row a call (``tokens.rows_per_run``: its scores must not depend on
its batch-mates). A short row gains little from a second intra-op thread, so on the CPU an
int8 graph gets a single-threaded session and runs its rows side by side on a pool of one
thread per core instead (ONNX Runtime releases the GIL in ``run``). Embedding 186 sentences
of SciFact abstracts on 2 cores (``python scripts/row_threads.py``, AMD EPYC with VNNI):
0.51 s, against 0.80 s one row after another with two intra-op threads, and 0.48 s in
batches of 64 (which int8 may not use). Each row is still computed alone by one thread, so
its result is the same whatever runs beside it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from truthgraph.ml.device import clamp_batch_size
from truthgraph.ml.onnx.cache import FP32_FILE, INT8_FILE, TOKENIZER_FILE, Manifest
from truthgraph.ml.onnx.session import available_cores, create_session
from truthgraph.ml.onnx.tokens import Batch, load_tokenizer, rows_per_run


class OnnxGraph:
    """One exported graph, loaded: ``folder`` holds it in fp32 and int8 (``int8`` picks),
    with the tokenizer (truncating at ``max_length`` tokens) and the ``manifest`` of its
    export."""

    def __init__(
        self,
        folder: Path,
        manifest: Manifest,
        int8: bool,
        device: str,
        batch_size: int,
        batch_tokens: int,
        max_length: int,
        threads: int | None,
        optimized_dir: Path | None,
    ) -> None:
        self.name = manifest.name
        self.backend = "onnx-int8" if int8 else "onnx"
        self.device = device
        self.batch_size = clamp_batch_size(batch_size, device)
        self.batch_tokens = batch_tokens
        self.path = folder / (INT8_FILE if int8 else FP32_FILE)
        self._int8 = int8
        # int8 on the CPU: rows side by side, one thread each (see the module's docstring)
        self._row_threads = (threads or available_cores()) if int8 and device == "cpu" else 1
        session_threads = 1 if self._row_threads > 1 else threads
        self._session = create_session(self.path, device, session_threads, optimized_dir)
        self._pool: ThreadPoolExecutor | None = None
        self._tokenizer = load_tokenizer(folder / TOKENIZER_FILE, max_length)
        self._inputs = tuple(i.name for i in self._session.get_inputs())
        self._output = self._session.get_outputs()[0].name
        self._pad_id = manifest.pad_id

    @property
    def memory_mb(self) -> float:
        """Size of the model graph and weights, in MiB."""
        return self.path.stat().st_size / 1024 / 1024

    def _rows_per_call(self, batch_size: int | None) -> int:
        """Rows a ``session.run`` takes: the batch size asked (or the model's), one on the int8
        graph (``tokens.rows_per_run``: a row's scores do not depend on its batch-mates)."""
        return rows_per_run(
            self._int8, clamp_batch_size(batch_size or self.batch_size, self.device)
        )

    def _outputs(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, np.ndarray]]:
        """Each batch with the graph's output for it; rows of an int8 graph run side by side."""
        todo = list(batches)
        if self._row_threads <= 1 or len(todo) < 2:
            for batch in todo:
                yield batch, self._run(batch)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._row_threads, thread_name_prefix="onnx-rows")
        yield from zip(todo, self._pool.map(self._run, todo), strict=True)

    def _run(self, batch: Batch) -> Any:
        (output,) = self._session.run([self._output], batch.feeds)
        return output
