"""Evidence read together (the joined reading) and the verifier's own rerank."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.fakes import FakeEmbedder, InMemoryEvidenceStore
from truthgraph.domain import EvidenceHit, JoinedEvidence, Label, NLIScores
from truthgraph.verify.joined import joined_premise, rerank, with_joined
from truthgraph.verify.options import VerifyOptions
from truthgraph.verify.verifier import Verifier

ENTAILS = NLIScores(0.9, 0.05, 0.05)
NEUTRAL = NLIScores(0.05, 0.9, 0.05)


class NeedsBoth:
    """Entailment only when the premise holds every fact of the claim (a two-hop claim);
    records every premise it reads."""

    name = "needs-both"
    backend = "fake"

    def __init__(self, facts: Sequence[str]) -> None:
        self.facts = [f.lower() for f in facts]
        self.read: list[str] = []

    def predict(
        self, pairs: Sequence[tuple[str, str]], batch_size: int | None = None
    ) -> list[NLIScores]:
        self.read += [premise for premise, _ in pairs]
        return [
            ENTAILS if all(f in premise.lower() for f in self.facts) else NEUTRAL
            for premise, _ in pairs
        ]


def hit(number: int, document: int, text: str, title: str | None, similarity: float = 0.5):  # type: ignore[no-untyped-def]
    return EvidenceHit(number, document, text, 0, len(text), similarity, title=title)


def test_the_joined_premise_groups_sentences_by_document_with_each_title_once() -> None:
    hits = [
        hit(1, 7, "It was released by Fox.", "Soul Food"),
        hit(2, 8, "Fox is a studio.", "Fox"),
        hit(3, 7, " It came out in 1997. ", "Soul Food"),
        hit(4, 9, "No title here.", None),
    ]
    assert joined_premise(hits, "title") == (
        "Soul Food: It was released by Fox. It came out in 1997. Fox: Fox is a studio. "
        "No title here."
    )
    assert joined_premise(hits, "sentence") == (
        "It was released by Fox. It came out in 1997. Fox is a studio. No title here."
    )


@pytest.mark.parametrize(
    ("mode", "want"),
    [
        ("off", ([NEUTRAL, NEUTRAL], [0.8, 0.6])),
        ("alone", ([ENTAILS], [0.8])),
        ("beside", ([NEUTRAL, NEUTRAL, ENTAILS], [0.8, 0.6, 0.8])),
    ],
)
def test_the_joined_reading_decides_alone_or_votes_beside_the_sentences(
    mode: JoinedEvidence, want: tuple[list[NLIScores], list[float]]
) -> None:
    assert with_joined([NEUTRAL, NEUTRAL], [0.8, 0.6], ENTAILS, mode) == want
    assert with_joined([], [], None, mode) == ([], [])


def test_rerank_keeps_the_most_decisive_sentences_in_that_order() -> None:
    hits = [hit(i, i, f"s{i}", None, 1 - i / 10) for i in range(4)]
    scores = [NEUTRAL, NLIScores(0.1, 0.3, 0.6), NEUTRAL, ENTAILS]
    kept, kept_scores = rerank(hits, scores, 2)
    assert [h.evidence_id for h in kept] == [3, 1]
    assert kept_scores == [ENTAILS, scores[1]]
    # ties keep the retrieval order
    assert [h.evidence_id for h in rerank(hits, [NEUTRAL] * 4, 3)[0]] == [0, 1, 2]


def _two_hop(joined: JoinedEvidence) -> tuple[Label, NeedsBoth]:
    embedder = FakeEmbedder()
    sentences = ["Soul Food was released by Fox.", "Soul Food came out in 1997.", "Cats purr."]
    store = InMemoryEvidenceStore("films", sentences, embedder, title="Soul Food")
    nli = NeedsBoth(["fox", "1997"])
    options = VerifyOptions(top_k=2, joined_evidence=joined)
    verdict = Verifier(embedder, nli, store, options).verify(
        "Soul Food was released by Fox in 1997.", "films"
    )
    assert len(verdict.evidence) == 2  # the citations are still the sentences
    return verdict.label, nli


def test_a_two_hop_claim_is_settled_only_when_its_evidence_is_read_together() -> None:
    label, nli = _two_hop("off")
    assert label is Label.NOT_ENOUGH_INFO and len(nli.read) == 2
    for mode in ("alone", "beside"):
        label, nli = _two_hop(mode)
        assert label is Label.SUPPORTED
        assert len(nli.read) == 3  # one more pair: the joined premise
        assert nli.read[-1].startswith("Soul Food: ")
        assert "Fox" in nli.read[-1] and "1997" in nli.read[-1]


def test_against_given_evidence_the_joined_reading_works_the_same() -> None:
    nli = NeedsBoth(["fox", "1997"])
    verifier = Verifier(
        FakeEmbedder(),
        nli,
        InMemoryEvidenceStore("x", ["a"], FakeEmbedder()),
        VerifyOptions(joined_evidence="alone"),
    )
    evidence = ["It was released by Fox.", "It came out in 1997."]
    verdict = verifier.verify_against("Soul Food: Fox, 1997.", evidence)
    assert verdict.label is Label.SUPPORTED
    assert verifier.verify_against("Soul Food: Fox, 1997.", []).label is Label.NOT_ENOUGH_INFO


def test_the_rerank_reads_a_decisive_sentence_the_embedding_ranked_low() -> None:
    embedder = FakeEmbedder()
    # the first two share the claim's words; the third settles it (it names the year)
    sentences = [
        "Soul Food was released by a studio.",
        "Soul Food is a film released by a studio.",
        "The year 1997 saw it in cinemas.",
    ]
    store = InMemoryEvidenceStore("films", sentences, embedder)
    nli = NeedsBoth(["1997"])
    claim = "Soul Food was released in 1997 by a studio."
    plain = Verifier(embedder, nli, store, VerifyOptions(top_k=1)).verify(claim, "films")
    assert plain.label is Label.NOT_ENOUGH_INFO
    assert plain.evidence[0].hit.text != sentences[2]
    options = VerifyOptions(top_k=1, rerank_depth=3)
    reranked = Verifier(embedder, nli, store, options).verify(claim, "films")
    assert reranked.label is Label.SUPPORTED
    assert [e.hit.text for e in reranked.evidence] == [sentences[2]]
