"""A verdict does not depend on its batch-mates (issue 34, item 4): the shipped int8 exports (both
verifiers and the embedder) give the same scores and embeddings for an input alone, in a batch
of 2 and in a batch of 64 of mixed lengths, and on one inference thread or on every core (a Ray
worker's session has the cores its actor was given)."""

from __future__ import annotations

import numpy as np
import pytest

from truthgraph.ml.onnx.embedding import OnnxEmbedder
from truthgraph.ml.onnx.nli import OnnxNLI
from truthgraph.ml.onnx.samples import demo_pairs, demo_sentences
from truthgraph.ml.onnx.shipped import shipped_export
from truthgraph.ml.onnx.tokens import rows_per_run

pytestmark = pytest.mark.models

TOLERANCE = 1e-5


def _mixed(items: list[str] | list[tuple[str, str]], count: int) -> list[int]:
    """``count`` indices of ``items``, shortest and longest alternating (mixed lengths)."""
    order = sorted(range(len(items)), key=lambda i: len(str(items[i])))
    mixed: list[int] = []
    while order and len(mixed) < count:
        mixed.append(order.pop(0))
        if order and len(mixed) < count:
            mixed.append(order.pop())
    return mixed


VERIFIERS = ("truthgraph-verifier-minilm", "truthgraph-verifier-mpnet")


@pytest.fixture(scope="module", params=VERIFIERS)
def nli(request: pytest.FixtureRequest) -> OnnxNLI:
    """Each shipped verifier: the fast one (dynamic int8) and the accurate one (weight-only
    blockwise int8, activations quantized per block of each row)."""
    folder = shipped_export(request.param)
    assert folder is not None
    return OnnxNLI(folder)


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    folder = shipped_export("all-MiniLM-L6-v2")
    assert folder is not None
    return OnnxEmbedder(folder)


def _scores(nli: OnnxNLI, pairs: list[tuple[str, str]], batch_size: int = 32) -> np.ndarray:
    scores = nli.predict(pairs, batch_size=batch_size)
    return np.array([[s.entailment, s.neutral, s.contradiction] for s in scores])


def test_a_claim_scores_the_same_alone_in_a_batch_of_2_and_in_a_batch_of_64(nli: OnnxNLI) -> None:
    pairs = [(p.premise, p.hypothesis) for p in demo_pairs()]
    batch = [pairs[i] for i in _mixed(pairs, 64)]
    together = _scores(nli, batch)
    for index in (0, 1, 31, 32, 63):  # shortest, longest, and rows that meet other batch-mates
        alone = _scores(nli, [batch[index]])[0]
        with_one = _scores(nli, [batch[index], batch[(index + 1) % 64]])[0]
        np.testing.assert_allclose(together[index], alone, atol=TOLERANCE, rtol=0)
        np.testing.assert_allclose(with_one, alone, atol=TOLERANCE, rtol=0)
    big = _scores(nli, batch, batch_size=64)  # one batch of 64, padded to its longest row
    np.testing.assert_allclose(big, together, atol=TOLERANCE, rtol=0)
    folder = shipped_export(nli.name)
    assert folder is not None
    one_thread = _scores(OnnxNLI(folder, threads=1), batch[::-1])[::-1]
    np.testing.assert_allclose(one_thread, together, atol=TOLERANCE, rtol=0)


def test_a_text_embeds_the_same_alone_in_a_batch_of_2_and_in_a_batch_of_64(
    embedder: OnnxEmbedder,
) -> None:
    sentences = demo_sentences()
    batch = [sentences[i] for i in _mixed(sentences, 64)]
    together = embedder.embed(batch)
    for index in (0, 1, 31, 32, 63):
        alone = embedder.embed([batch[index]])[0]
        with_one = embedder.embed([batch[index], batch[(index + 1) % 64]])[0]
        np.testing.assert_allclose(together[index], alone, atol=TOLERANCE, rtol=0)
        np.testing.assert_allclose(with_one, alone, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(
        embedder.embed(batch, batch_size=64), together, atol=TOLERANCE, rtol=0
    )
    folder = shipped_export("all-MiniLM-L6-v2")
    assert folder is not None
    one_thread = OnnxEmbedder(folder, threads=1).embed(batch[::-1])[::-1]
    np.testing.assert_allclose(one_thread, together, atol=TOLERANCE, rtol=0)


def test_only_int8_graphs_run_one_row_a_call() -> None:
    """fp32 graphs are batch-independent as they are, and keep their batches."""
    assert rows_per_run(int8=True, batch_size=32) == 1
    assert rows_per_run(int8=False, batch_size=32) == 32
