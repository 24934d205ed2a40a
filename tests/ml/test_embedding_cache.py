import numpy as np

from tests.fakes import FakeEmbedder
from truthgraph.ml.embedding_cache import CachingEmbedder


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts, batch_size=None):  # type: ignore[no-untyped-def]
        self.seen.extend(texts)
        return super().embed(texts, batch_size)


def test_repeated_texts_are_embedded_once() -> None:
    inner = CountingEmbedder()
    cached = CachingEmbedder(inner)
    first = cached.embed(["a b", "c d", "a b"])
    second = cached.embed(["c d", "e f"])
    assert inner.seen == ["a b", "c d", "e f"]
    assert np.allclose(first[0], first[2]) and np.allclose(first[1], second[0])
    assert np.allclose(second, FakeEmbedder().embed(["c d", "e f"]))
    assert (cached.hits, cached.misses) == (
        1,
        3,
    )  # a repeat within one call is a miss, embedded once


def test_cache_is_bounded_least_recently_used_first() -> None:
    inner = CountingEmbedder()
    cached = CachingEmbedder(inner, max_entries=2)
    cached.embed(["a", "b"])
    cached.embed(["a"])  # a is now most recent
    cached.embed(["c"])  # evicts b
    cached.embed(["a", "b"])
    assert inner.seen == ["a", "b", "c", "b"]
