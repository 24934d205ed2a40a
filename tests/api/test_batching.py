"""The micro-batcher on its own (a recording fake stands in for the model)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from truthgraph.api.batching import BatchingEmbedder, MicroBatcher, embedding_batcher
from truthgraph.errors import InvalidInputError, UnavailableError


class Recorder:
    """Doubles numbers; remembers each call's batch; fails on negative inputs."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.calls: list[list[int]] = []
        self.delay_s = delay_s

    def __call__(self, items: list[int]) -> list[int]:
        self.calls.append(list(items))
        time.sleep(self.delay_s)
        if any(i < 0 for i in items):
            raise InvalidInputError("negative")
        return [i * 2 for i in items]


def test_concurrent_submissions_run_as_one_batch_and_get_their_own_outputs() -> None:
    run = Recorder()
    batcher = MicroBatcher("double", run, window_s=0.2, max_items=100)
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: batcher([i, i + 100]), range(8)))
    finally:
        batcher.close()
    assert results == [[2 * i, 2 * (i + 100)] for i in range(8)]
    assert len(run.calls) < 8 and sum(len(c) for c in run.calls) == 16


def test_a_batch_never_exceeds_max_items() -> None:
    run = Recorder(delay_s=0.05)
    batcher = MicroBatcher("double", run, window_s=0.05, max_items=4)
    try:
        futures = [batcher.submit([i, i]) for i in range(6)]
        assert [f.result() for f in futures] == [[2 * i, 2 * i] for i in range(6)]
    finally:
        batcher.close()
    assert max(len(c) for c in run.calls) <= 4


def test_a_request_larger_than_a_batch_is_split_and_reassembled_in_order() -> None:
    run = Recorder()
    batcher = MicroBatcher("double", run, window_s=0.0, max_items=3)
    try:
        assert batcher(list(range(8))) == [2 * i for i in range(8)]
    finally:
        batcher.close()
    assert max(len(c) for c in run.calls) <= 3


def test_one_bad_request_fails_alone() -> None:
    run = Recorder()
    batcher = MicroBatcher("double", run, window_s=0.2, max_items=100)
    try:
        good = batcher.submit([1, 2])
        bad = batcher.submit([-1])
        assert good.result() == [2, 4]
        with pytest.raises(InvalidInputError):
            bad.result()
    finally:
        batcher.close()


def test_models_sharing_a_device_lock_never_run_at_the_same_time() -> None:
    lock = threading.Lock()
    running = 0
    overlap = False

    def run(items: list[int]) -> list[int]:
        nonlocal running, overlap
        running += 1
        overlap = overlap or running > 1
        time.sleep(0.02)
        running -= 1
        return items

    first = MicroBatcher("a", run, window_s=0.0, device_lock=lock)
    second = MicroBatcher("b", run, window_s=0.0, device_lock=lock)
    try:
        futures = [b.submit([i]) for i in range(10) for b in (first, second)]
        for future in futures:
            future.result()
    finally:
        first.close()
        second.close()
    assert not overlap


def test_the_observer_hears_each_batch_and_pending_returns_to_zero() -> None:
    seen: list[tuple[str, int, int]] = []
    batcher = MicroBatcher(
        "double",
        Recorder(),
        window_s=0.1,
        observer=lambda model, items, requests, seconds: seen.append((model, items, requests)),
    )
    try:
        futures = [batcher.submit([1, 2, 3]), batcher.submit([4])]
        [f.result() for f in futures]
        assert batcher.pending == 0
    finally:
        batcher.close()
    assert seen == [("double", 4, 2)]


def test_after_close_submissions_fail_as_unavailable() -> None:
    batcher = MicroBatcher("double", Recorder())
    batcher.close()
    with pytest.raises(UnavailableError):
        batcher.submit([1]).result()


class WordCounter:
    name = "counter"
    dimension = 2

    def embed(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def test_the_batching_embedder_keeps_the_embedder_protocol() -> None:
    inner = WordCounter()
    batcher = embedding_batcher(inner, window_s=0.0, max_items=64, device_lock=threading.Lock())
    embedder = BatchingEmbedder(inner, batcher)
    try:
        assert (embedder.name, embedder.dimension) == ("counter", 2)
        assert embedder.embed(["a", "bbb"]).tolist() == [[1, 1], [3, 1]]
        assert embedder.embed([]).shape == (0, 2)
        with pytest.raises(InvalidInputError):
            embedder.submit("one string")  # a str is a Sequence[str]: caught at run time
    finally:
        batcher.close()
