import pytest

from tests.fakes import FakeEmbedder, FakeNLI, InMemoryEvidenceStore
from truthgraph.domain import Label, Strategy
from truthgraph.errors import InvalidInputError, NotFoundError
from truthgraph.verify.verifier import Verifier, VerifyOptions

SENTENCES = ["Soul Food was released by Fox.", "Paris lies on the Seine.", "Cats purr."]


def make_verifier(top_k: int = 2) -> tuple[Verifier, InMemoryEvidenceStore]:
    embedder = FakeEmbedder()
    store = InMemoryEvidenceStore("films", SENTENCES, embedder)
    return Verifier(embedder, FakeNLI(), store, VerifyOptions(top_k=top_k)), store


def test_verify_cites_the_evidence_that_carries_the_verdict() -> None:
    verifier, store = make_verifier()
    verdict = verifier.verify("Soul Food was released by Fox.", "films")
    assert verdict.label is Label.SUPPORTED
    assert verdict.evidence[0].hit.text == SENTENCES[0]
    assert set(verdict.timings_ms) >= {"embedding", "retrieval", "nli", "aggregation", "total"}
    assert store.saved == [verdict]


def test_claims_are_validated_before_any_work() -> None:
    verifier, store = make_verifier()
    with pytest.raises(InvalidInputError, match="empty"):
        verifier.verify_many(["Cats purr.", "   "], "films")
    with pytest.raises(InvalidInputError, match="limit"):
        verifier.verify("x" * 5000, "films")
    assert store.saved == []


def test_unknown_collection_is_not_found() -> None:
    verifier, _ = make_verifier()
    with pytest.raises(NotFoundError):
        verifier.verify("Cats purr.", "nope")


def test_overrides_apply_to_one_call() -> None:
    verifier, _ = make_verifier(top_k=3)
    options = verifier.options_with(top_k=1, strategy="majority_vote")
    verdict = verifier.verify("Cats purr.", "films", options)
    assert len(verdict.evidence) == 1
    assert verdict.strategy is Strategy.MAJORITY_VOTE
    assert verifier.options.top_k == 3
    with pytest.raises(InvalidInputError, match="unknown strategy"):
        verifier.options_with(strategy="coin_flip")
