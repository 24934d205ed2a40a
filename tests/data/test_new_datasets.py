"""The FM2 and SNLI loaders, the FM2 eval set and their training pairs, on vendored samples
(tests/data, with attribution) so that no test needs ../shared/data."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from truthgraph.data.datasets import detokenise, in_split, load_fm2, load_snli
from truthgraph.domain import Label
from truthgraph.evaluation.convert import DATASETS, convert
from truthgraph.ml.nli.dev_pairs import NEAR_MISS_SOURCES, fm2_pairs, snli_pairs

SAMPLES = Path(__file__).resolve().parent.parent / "data"


class WordCounter:
    """A deterministic stand-in embedder: bag of hashed words (no model needed here)."""

    name = "words"
    dimension = 64

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, sum(map(ord, word)) % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: np.ndarray = vectors / np.maximum(norms, 1e-9)
        return normalised


def test_fm2_claims_carry_gold_sentences_page_and_near_misses_apart() -> None:
    claims = load_fm2(SAMPLES)
    assert len(claims) == 10
    assert {c.label for c in claims} == {Label.SUPPORTED, Label.REFUTED}
    gandhi = next(c for c in claims if c.id == "01EICaMMy6uOPHdoEGAf")
    assert gandhi.claim.startswith("Filming for the movie Gandhi")
    assert gandhi.pages == ("Gandhi (film)",)
    assert gandhi.evidence == (
        "Then prime minister Indira Gandhi declared a state of emergency in India and "
        "shooting would be impossible.",
    )
    # FM2's retrieved sentences include the gold one: the near misses never do
    assert len(gandhi.context) >= 5
    assert all(not set(c.context) & set(c.evidence) for c in claims)
    assert all(c.evidence and c.dataset == "fm2" for c in claims)


def test_fm2_splits_are_the_fixed_hash_split_by_claim() -> None:
    splits = {s: load_fm2(SAMPLES, s) for s in ("heldout", "dev", "fit", "train")}
    ids = {s: {c.id for c in claims} for s, claims in splits.items()}
    assert ids["heldout"] and ids["dev"] and ids["fit"]
    assert ids["train"] == ids["dev"] | ids["fit"]
    assert not ids["heldout"] & ids["train"] and not ids["dev"] & ids["fit"]
    assert all(in_split("fm2", i, "dev") for i in ids["dev"])


def test_fm2_converts_to_retrieval_over_its_pages_sentences_with_titles() -> None:
    assert "fm2" in DATASETS
    eval_set = convert("fm2", SAMPLES, "all")
    assert eval_set.default_mode == "retrieval" and eval_set.split == "all"
    assert eval_set.corpus is not None
    texts = {d.text: d.title for d in eval_set.corpus.documents}
    for claim in eval_set.claims:
        for sentence in (*claim.evidence, *claim.context):
            assert sentence in texts
    assert texts[eval_set.claims[0].evidence[0]] == eval_set.claims[0].pages[0]
    assert len(texts) == len(eval_set.corpus.documents)  # each sentence once
    dev = convert("fm2", SAMPLES, "dev")
    assert dev.corpus is not None and len(dev.corpus.documents) < len(texts)


def test_snli_is_detokenised_and_read_as_single_evidence_claims() -> None:
    assert detokenise("A man , reading `` HELP ME '' , is n't here .") == (
        'A man, reading "HELP ME", isn\'t here.'
    )
    claims = load_snli(SAMPLES, ("dev.jsonl",))
    assert len(claims) == 9
    assert [c.label for c in claims[:3]] == [
        Label.NOT_ENOUGH_INFO,
        Label.SUPPORTED,
        Label.REFUTED,
    ]
    assert claims[0].evidence == ("Two women are embracing while holding to go packages.",)
    assert claims[1].claim == "Two woman are holding packages."
    assert not any(" ." in c.claim or " ," in c.evidence[0] or "``" in c.claim for c in claims)


def test_fm2_pairs_are_gold_pairs_and_one_same_page_near_miss_each() -> None:
    claims = load_fm2(SAMPLES)
    pairs = fm2_pairs(claims, WordCounter(), random.Random(1))  # type: ignore[arg-type]
    gold = [p for p in pairs if p.source == "fm2"]
    near = [p for p in pairs if p.source == "fm2-nei"]
    assert len(gold) == sum(len(c.evidence) for c in claims)
    assert len(near) == len(claims)
    assert "fm2-nei" in NEAR_MISS_SOURCES  # so --nei-filter-model judges them
    by_claim = {c.claim: c for c in claims}
    for pair in near:
        assert pair.label is Label.NOT_ENOUGH_INFO
        assert pair.premise in by_claim[pair.hypothesis].context
        assert pair.title == by_claim[pair.hypothesis].pages[0]
    again = fm2_pairs(claims, WordCounter(), random.Random(1))  # type: ignore[arg-type]
    assert again == pairs


def test_snli_pairs_are_a_reproducible_sample() -> None:
    first = snli_pairs(SAMPLES, 4, random.Random(3))
    assert len(first) == 4 and first == snli_pairs(SAMPLES, 4, random.Random(3))
    assert all(p.source == "snli" for p in first)
    assert len(snli_pairs(SAMPLES, 100, random.Random(3))) == 9
