"""Training and held-out (premise, hypothesis, label) pairs built from the development data.

Sources (see ``evaluation.benchmarks``): FEVER paper_dev gold evidence (SUPPORTS/REFUTES),
NOT_ENOUGH_INFO pairs from retrieved near-miss sentences on other pages, negation
counterfactuals of FEVER claims, SciFact rationales and non-rationale sentences of the cited
abstracts, FEVER-Symmetric, the VitaminC / MNLI samples, and counterfactual mutations of
supported FEVER pairs (``augment``).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from truthgraph.data.datasets import (
    LabeledClaim,
    Split,
    load_fever,
    load_fever_symmetric,
    load_fm2,
    load_nli_sample,
    load_scifact,
    load_snli,
    page_title,
)
from truthgraph.domain import Label
from truthgraph.ml.nli.augment import entity_pool, mutate, overlapping
from truthgraph.ml.nli.pair import Pair
from truthgraph.ports import Embedder, NLIModel
from truthgraph.reading.sentences import split_sentences

_NEGATABLE = re.compile(r"\b(is|was|are|were|has|had|can|could|will|would|does|did)\b")
_ALREADY_NEGATED = re.compile(r"\b(not|never|no|n't|only)\b", re.IGNORECASE)


NEAR_MISS_SOURCES = frozenset({"fever-nei", "scifact-nei", "fm2-nei"})


def negate(claim: str) -> str | None:
    """Insert "not" after the claim's single auxiliary verb, or None when that is unsafe.

    >>> negate("Telemundo is an English-language network.")
    'Telemundo is not an English-language network.'
    """
    if _ALREADY_NEGATED.search(claim):
        return None
    matches = list(_NEGATABLE.finditer(claim))
    if len(matches) != 1:
        return None
    match = matches[0]
    return f"{claim[: match.end()]} not{claim[match.end() :]}"


def _flip(label: Label) -> Label:
    return Label.REFUTED if label is Label.SUPPORTED else Label.SUPPORTED


def fever_pairs(
    claims: Sequence[LabeledClaim],
    embedder: Embedder,
    rng: random.Random,
    negation_rate: float = 0.3,
    nei_rate_for_labelled: float = 0.5,
) -> list[Pair]:
    """Gold pairs, negation counterfactuals, and NEI pairs from retrieved near misses.

    NEI premises come from the pool of all gold sentences of ``claims``: for an NEI claim, one
    of its three nearest sentences; for a SUPPORTS/REFUTES claim, one of its three nearest
    sentences *from other pages*, so the sentence is related but cannot settle the claim
    (for a ``nei_rate_for_labelled`` share of them, which keeps the classes near balance).
    """
    pairs: list[Pair] = []
    pool: list[str] = []
    pool_pages: list[frozenset[str]] = []
    pool_titles: list[str | None] = []
    for claim in claims:
        title = page_title(claim.pages)
        for evidence in claim.evidence:
            pairs.append(Pair(evidence, claim.claim, claim.label, "fever", title))
            if rng.random() < negation_rate and (negated := negate(claim.claim)):
                pairs.append(Pair(evidence, negated, _flip(claim.label), "fever-negation", title))
            for sentence in split_sentences(evidence):
                pool.append(sentence.text)
                pool_pages.append(frozenset(claim.pages))
                pool_titles.append(title)
    if not pool:
        return pairs
    pool_vectors = embedder.embed(pool)
    claim_vectors = embedder.embed([c.claim for c in claims])
    similarities = claim_vectors @ pool_vectors.T
    for row, claim in enumerate(claims):
        ranked = np.argsort(-similarities[row])[:200]
        pages = frozenset(claim.pages)
        candidates = [int(i) for i in ranked if not (pool_pages[int(i)] & pages)][:3]
        wanted = claim.label is Label.NOT_ENOUGH_INFO or rng.random() < nei_rate_for_labelled
        if candidates and wanted:
            index = rng.choice(candidates)
            pairs.append(
                Pair(
                    pool[index],
                    claim.claim,
                    Label.NOT_ENOUGH_INFO,
                    "fever-nei",
                    title=pool_titles[index],
                )
            )
    return pairs


def entity_neighbours(texts: Sequence[str], embedder: Embedder, k: int = 8) -> dict[str, list[str]]:
    """Each named entity of ``texts`` with its ``k`` nearest other entities by embedding."""
    pool = entity_pool(texts)
    if len(pool) < 2:
        return {}
    vectors = embedder.embed(pool)
    neighbours: dict[str, list[str]] = {}
    for begin in range(0, len(pool), 1024):
        similarities = vectors[begin : begin + 1024] @ vectors.T
        for row, ranked in enumerate(np.argsort(-similarities, axis=1)[:, : 4 * k]):
            entity = pool[begin + row]
            neighbours[entity] = [
                pool[int(i)] for i in ranked if not overlapping(entity, pool[int(i)])
            ][:k]
    return neighbours


def mutation_pairs(
    claims: Sequence[LabeledClaim], embedder: Embedder, rng: random.Random, rate: float = 0.6
) -> list[Pair]:
    """Counterfactual triples (see ``augment``) for a ``rate`` share of supported gold pairs."""
    supported = [
        (evidence, claim.claim, page_title(claim.pages))
        for claim in claims
        if claim.label is Label.SUPPORTED
        for evidence in claim.evidence
    ]
    neighbours = entity_neighbours([evidence for evidence, _, _ in supported], embedder)
    pairs: list[Pair] = []
    for evidence, claim, title in supported:
        if rng.random() >= rate or (edit := mutate(claim, evidence, neighbours, rng)) is None:
            continue
        pairs += [
            Pair(evidence, edit.claim, Label.REFUTED, "mutation-claim", title),
            Pair(edit.evidence, claim, Label.REFUTED, "mutation-evidence", title),
            Pair(edit.evidence, edit.claim, Label.SUPPORTED, "mutation-both", title),
        ]
    return pairs


def scifact_pairs(
    claims: Sequence[LabeledClaim], embedder: Embedder, rng: random.Random
) -> list[Pair]:
    """Rationale pairs, plus NEI pairs from the cited abstracts' non-rationale sentences."""
    pairs: list[Pair] = []
    for claim in claims:
        pairs.extend(Pair(e, claim.claim, claim.label, "scifact") for e in claim.evidence if e)
        if not claim.context:
            continue
        vectors = embedder.embed([claim.claim, *claim.context])
        ranked = np.argsort(-(vectors[1:] @ vectors[0]))
        count = 2 if claim.label is Label.NOT_ENOUGH_INFO else 1
        for index in rng.sample(list(ranked[:3]), k=min(count, len(ranked))):
            pairs.append(
                Pair(claim.context[int(index)], claim.claim, Label.NOT_ENOUGH_INFO, "scifact-nei")
            )
    return pairs


def fm2_pairs(claims: Sequence[LabeledClaim], embedder: Embedder, rng: random.Random) -> list[Pair]:
    """FM2's gold pairs (SUPPORTED / REFUTED, with the page title), and for each claim one
    NOT_ENOUGH_INFO pair from one of its three nearest near-miss sentences of the same page.

    The near misses come from the page the claim was written against, so some do settle it:
    leave out the settled ones with ``drop_settled_nei`` (``--nei-filter-model``).
    """
    pairs: list[Pair] = []
    for claim in claims:
        title = page_title(claim.pages)
        pairs.extend(Pair(e, claim.claim, claim.label, "fm2", title) for e in claim.evidence)
        if not claim.context:
            continue
        vectors = embedder.embed([claim.claim, *claim.context])
        ranked = np.argsort(-(vectors[1:] @ vectors[0]))[:3]
        index = int(rng.choice(list(ranked)))
        pairs.append(
            Pair(claim.context[index], claim.claim, Label.NOT_ENOUGH_INFO, "fm2-nei", title)
        )
    return pairs


def snli_pairs(data_dir: Path, count: int, rng: random.Random) -> list[Pair]:
    """``count`` SNLI pairs (all for a count past its size), drawn reproducibly."""
    claims = load_snli(data_dir)
    picked = claims if count >= len(claims) else rng.sample(claims, count)
    return single_evidence_pairs(picked)


def single_evidence_pairs(claims: Sequence[LabeledClaim]) -> list[Pair]:
    """One pair per claim for datasets that come as (claim, evidence) pairs already."""
    return [Pair(c.evidence[0], c.claim, c.label, c.dataset) for c in claims if c.evidence]


def drop_settled_nei(
    pairs: Sequence[Pair], judge: NLIModel, threshold: float = 0.5
) -> tuple[list[Pair], int]:
    """``pairs`` without the near-miss NOT_ENOUGH_INFO pairs that ``judge`` reads as settling
    the claim (entailment or contradiction above ``threshold``), and how many were dropped.

    A sentence retrieved near a claim sometimes does settle it (another page about the same
    film), and such a pair labelled NOT_ENOUGH_INFO teaches the model to call refuting
    evidence NEI.
    """
    near_misses = [i for i, p in enumerate(pairs) if p.source in NEAR_MISS_SOURCES]
    scores = judge.predict([(pairs[i].premise, pairs[i].hypothesis) for i in near_misses])
    settled = {
        i
        for i, score in zip(near_misses, scores, strict=True)
        if max(score.entailment, score.contradiction) > threshold
    }
    return [p for i, p in enumerate(pairs) if i not in settled], len(settled)


def build_pairs(
    data_dir: Path,
    embedder: Embedder,
    split: Split,
    seed: int = 13,
    mutation_rate: float = 0.0,
    scifact_repeat: int = 1,
    fm2: bool = False,
    snli: int = 0,
    nli_extra: int = 0,
    contrast: bool = False,
) -> list[Pair]:
    """All pairs of one split of the development data, shuffled reproducibly.

    ``mutation_rate`` adds counterfactual triples for that share of supported FEVER pairs;
    ``scifact_repeat`` repeats SciFact's rationale pairs (its scarce SUPPORTS/REFUTES data);
    ``fm2`` adds Fool Me Twice's pairs of the split (``fm2_pairs``); ``snli`` that many SNLI
    pairs (SNLI has no split of ours: it is general NLI, never evaluated on as claims).
    ``nli_extra`` adds that many general NLI pairs of ``nli-extra`` and ``contrast`` the
    same-subject NOT_ENOUGH_INFO and pronoun-context pairs of FEVER (``ml.nli.contrast``).
    All are added after the other sources, so those stay the same pairs for a given seed.
    """
    rng = random.Random(seed)
    pairs: list[Pair] = []
    fever = load_fever(data_dir, split)
    pairs += fever_pairs(fever, embedder, rng)
    scifact = scifact_pairs(load_scifact(data_dir, split), embedder, rng)
    pairs += scifact
    pairs += single_evidence_pairs(load_fever_symmetric(data_dir, split))
    if split == "heldout":
        files: tuple[str, ...] = ("test.jsonl",)
    else:
        files = tuple(f"train_{i}.jsonl" for i in range(5))
    pairs += single_evidence_pairs(load_nli_sample(data_dir, "vitaminc", files))
    pairs += single_evidence_pairs(load_nli_sample(data_dir, "mnli", files))
    if mutation_rate > 0:
        pairs += mutation_pairs(fever, embedder, random.Random(seed + 1), mutation_rate)
    pairs += [p for p in scifact if p.source == "scifact"] * (scifact_repeat - 1)
    if fm2:
        pairs += fm2_pairs(load_fm2(data_dir, split), embedder, random.Random(seed + 3))
    if snli:
        pairs += snli_pairs(data_dir, snli, random.Random(seed + 4))
    if nli_extra or contrast:
        from truthgraph.ml.nli.contrast import context_pairs, general_nli_pairs, same_subject_pairs

        if nli_extra:
            pairs += general_nli_pairs(data_dir, nli_extra, random.Random(seed + 5))
        if contrast:
            pairs += same_subject_pairs(fever, random.Random(seed + 6))
            pairs += context_pairs(fever, random.Random(seed + 7))
    rng.shuffle(pairs)
    return pairs
