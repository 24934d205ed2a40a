"""Micro-batching: concurrent requests share the models through one batched call.

Each model gets a ``MicroBatcher``: callers (request threads, the event loop through
``submit``) hand it a list of items and get a future; one worker thread takes the first waiting
request, keeps collecting for at most ``window_s`` (or until ``max_items``), runs the model
once on everything it collected, and splits the outputs back. The batchers of one device share
a lock, so embedding and NLI never compete for the same cores; while one model runs, work for
the other piles up and is batched all the more.

``BatchingEmbedder`` and ``BatchingNLI`` put a batcher behind the ``Embedder`` and
``NLIModel`` protocols, so the ``Verifier`` runs on them unchanged.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import numpy as np

from truthgraph.domain import NLIScores
from truthgraph.errors import InvalidInputError, UnavailableError
from truthgraph.ports import Embedder, NLIModel

In = TypeVar("In")
Out = TypeVar("Out")


class BatchObserver(Protocol):
    """Told about every model call: how many items, from how many requests, how long."""

    def __call__(self, model: str, items: int, requests: int, seconds: float) -> None: ...


@dataclass(eq=False)
class _Request(Generic[In, Out]):
    items: list[In]
    future: Future[list[Out]] = field(default_factory=Future)


_STOP = object()


class MicroBatcher(Generic[In, Out]):
    """Runs ``run(items) -> outputs`` (same length, same order) on batches of many callers."""

    def __init__(
        self,
        name: str,
        run: Callable[[list[In]], list[Out]],
        *,
        window_s: float = 0.005,
        max_items: int = 256,
        device_lock: threading.Lock | None = None,
        observer: BatchObserver | None = None,
    ) -> None:
        self.name = name
        self._run = run
        self._window_s = window_s
        self._max_items = max_items
        self._device_lock = device_lock or threading.Lock()
        self._observer = observer
        self._queue: queue.Queue[_Request[In, Out] | object] = queue.Queue()
        self._pending_items = 0
        self._count_lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=f"batcher-{name}", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        """Items submitted and not yet answered."""
        return self._pending_items

    def submit(self, items: Sequence[In]) -> Future[list[Out]]:
        """Queue ``items``; the future resolves to their outputs, in order.

        More than ``max_items`` are queued as several requests, so one large caller (an
        upload) takes turns with the others instead of holding the model for its whole run.
        """
        if len(items) > self._max_items:
            parts = [
                self.submit(items[begin : begin + self._max_items])
                for begin in range(0, len(items), self._max_items)
            ]
            return _gather(parts)
        request: _Request[In, Out] = _Request(list(items))
        if not request.items:
            request.future.set_result([])
            return request.future
        if self._closed:
            request.future.set_exception(UnavailableError("the service is shutting down"))
            return request.future
        with self._count_lock:
            self._pending_items += len(request.items)
        self._queue.put(request)
        return request.future

    def __call__(self, items: Sequence[In]) -> list[Out]:
        """Submit and wait (for callers in worker threads, never on the event loop)."""
        return self.submit(items).result()

    def close(self, timeout_s: float = 10.0) -> None:
        """Stop the worker; requests still queued fail with UnavailableError."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout_s)

    # worker --------------------------------------------------------------------------------

    def _loop(self) -> None:
        carry: _Request[In, Out] | None = None
        while True:
            first = carry if carry is not None else self._queue.get()
            carry = None
            if first is _STOP:
                break
            assert isinstance(first, _Request)
            batch: list[_Request[In, Out]] = [first]
            stop, carry = self._collect(batch, time.monotonic() + self._window_s)
            with self._device_lock:
                if not stop and carry is None:
                    stop, carry = self._collect(batch, None)
                self._execute(batch)
            if stop:
                break
        self._drain()

    def _collect(
        self, batch: list[_Request[In, Out]], deadline: float | None
    ) -> tuple[bool, _Request[In, Out] | None]:
        """Add waiting requests to ``batch`` until ``deadline`` (None: only what is queued
        now) or ``max_items``; returns (stop seen, a request that did not fit)."""
        size = sum(len(r.items) for r in batch)
        while size < self._max_items:
            try:
                if deadline is None:
                    nxt = self._queue.get_nowait()
                else:
                    remaining = deadline - time.monotonic()
                    nxt = (
                        self._queue.get(timeout=remaining)
                        if remaining > 0
                        else self._queue.get_nowait()
                    )
            except queue.Empty:
                break
            if nxt is _STOP:
                return True, None
            assert isinstance(nxt, _Request)
            if size + len(nxt.items) > self._max_items:
                return False, nxt
            batch.append(nxt)
            size += len(nxt.items)
        return False, None

    def _execute(self, batch: list[_Request[In, Out]]) -> None:
        flat = [item for request in batch for item in request.items]
        started = time.perf_counter()
        try:
            outputs = self._run(flat)
            if len(outputs) != len(flat):
                raise RuntimeError(f"{self.name}: {len(flat)} inputs gave {len(outputs)} outputs")
        except Exception as exc:  # one request's bad input must not fail the others
            if len(batch) > 1:
                for request in batch:
                    self._execute([request])
                return
            self._finish(batch[0], exc=exc)
            return
        if self._observer is not None:
            self._observer(self.name, len(flat), len(batch), time.perf_counter() - started)
        offset = 0
        for request in batch:
            self._finish(request, outputs[offset : offset + len(request.items)])
            offset += len(request.items)

    def _finish(
        self,
        request: _Request[In, Out],
        outputs: list[Out] | None = None,
        exc: BaseException | None = None,
    ) -> None:
        with self._count_lock:
            self._pending_items -= len(request.items)
        if exc is not None:
            request.future.set_exception(exc)
        else:
            request.future.set_result(outputs or [])

    def _drain(self) -> None:
        while True:
            try:
                leftover = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(leftover, _Request):
                self._finish(leftover, exc=UnavailableError("the service is shutting down"))


def _gather(parts: list[Future[list[Out]]]) -> Future[list[Out]]:
    """One future of the concatenated outputs of ``parts`` (the first error wins)."""
    combined: Future[list[Out]] = Future()
    remaining = [len(parts)]
    lock = threading.Lock()

    def on_done(_: Future[list[Out]]) -> None:
        with lock:
            remaining[0] -= 1
            if remaining[0] or combined.done():
                return
        errors = [e for e in (p.exception() for p in parts) if e is not None]
        if errors:
            combined.set_exception(errors[0])
        else:
            combined.set_result([out for p in parts for out in p.result()])

    for part in parts:
        part.add_done_callback(on_done)
    return combined


class BatchingEmbedder:
    """An ``Embedder`` whose calls go through a micro-batcher."""

    def __init__(self, embedder: Embedder, batcher: MicroBatcher[str, np.ndarray]) -> None:
        self.name = embedder.name
        self.dimension = embedder.dimension
        self.inner = embedder
        self.batcher = batcher

    def submit(self, texts: Sequence[str]) -> Future[list[np.ndarray]]:
        """Embed without blocking: a future of one vector per text."""
        if isinstance(texts, str):
            raise InvalidInputError("embed() takes a list of texts, not one string")
        return self.batcher.submit(texts)

    def embed(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """The ``Embedder`` call: blocks the calling (worker) thread until the batch has run."""
        vectors = self.submit(texts).result()
        if not vectors:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack(vectors).astype(np.float32, copy=False)


class BatchingNLI:
    """An ``NLIModel`` whose calls go through a micro-batcher."""

    def __init__(self, nli: NLIModel, batcher: MicroBatcher[tuple[str, str], NLIScores]) -> None:
        self.name = nli.name
        self.backend = nli.backend
        self.inner = nli
        self.batcher = batcher

    def submit(self, pairs: Sequence[tuple[str, str]]) -> Future[list[NLIScores]]:
        """Score without blocking: a future of the scores, in order."""
        for pair in pairs:
            if len(pair) != 2 or not all(isinstance(t, str) for t in pair):
                raise InvalidInputError("each NLI pair must be two strings")
        return self.batcher.submit(pairs)

    def predict(
        self, pairs: Sequence[tuple[str, str]], batch_size: int | None = None
    ) -> list[NLIScores]:
        """The ``NLIModel`` call: blocks the calling (worker) thread until the batch has run."""
        return self.submit(pairs).result()


def embedding_batcher(
    embedder: Embedder,
    *,
    window_s: float,
    max_items: int,
    device_lock: threading.Lock,
    observer: BatchObserver | None = None,
) -> MicroBatcher[str, np.ndarray]:
    """A batcher that runs ``embedder.embed`` and returns one row per text."""

    def run(texts: list[str]) -> list[np.ndarray]:
        return list(embedder.embed(texts))

    return MicroBatcher(
        "embedding",
        run,
        window_s=window_s,
        max_items=max_items,
        device_lock=device_lock,
        observer=observer,
    )


def nli_batcher(
    nli: NLIModel,
    *,
    window_s: float,
    max_items: int,
    device_lock: threading.Lock,
    observer: BatchObserver | None = None,
) -> MicroBatcher[tuple[str, str], NLIScores]:
    """A batcher that runs ``nli.predict``."""

    def run(pairs: list[tuple[str, str]]) -> list[NLIScores]:
        return nli.predict(pairs)

    return MicroBatcher(
        "nli",
        run,
        window_s=window_s,
        max_items=max_items,
        device_lock=device_lock,
        observer=observer,
    )
