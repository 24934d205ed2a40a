import pytest

from tests.fakes import FakeEmbedder, FakeNLI, InMemoryEvidenceStore
from truthgraph.domain import EvidenceContext, Label, Strategy
from truthgraph.errors import InvalidInputError, NotFoundError
from truthgraph.verify.calibration import Calibration
from truthgraph.verify.options import VerifyOptions
from truthgraph.verify.verifier import GIVEN_EVIDENCE, Verifier

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


class DictCache:
    def __init__(self) -> None:
        self.data: dict[tuple[str, tuple[int, str]], object] = {}

    def cached_scores(self, model, keys):  # type: ignore[no-untyped-def]
        return {k: self.data[(model, k)] for k in keys if (model, k) in self.data}

    def save_scores(self, model, items):  # type: ignore[no-untyped-def]
        for evidence_id, claim_hash, scores in items:
            self.data[(model, (evidence_id, claim_hash))] = scores


class CountingNLI(FakeNLI):
    def __init__(self) -> None:
        self.pairs = 0

    def predict(self, pairs, batch_size=None):  # type: ignore[no-untyped-def]
        self.pairs += len(pairs)
        return super().predict(pairs, batch_size)


def test_pairs_scored_before_are_read_from_the_cache() -> None:
    embedder = FakeEmbedder()
    store = InMemoryEvidenceStore("films", SENTENCES, embedder)
    nli = CountingNLI()
    verifier = Verifier(embedder, nli, store, VerifyOptions(top_k=2), nli_cache=DictCache())
    first = verifier.verify("Soul Food was released by Fox.", "films")
    second = verifier.verify("Soul Food was released by Fox.", "films")
    assert nli.pairs == 2
    assert first.label is second.label
    assert [e.scores for e in first.evidence] == [e.scores for e in second.evidence]


def test_verify_against_scores_only_the_given_evidence_and_stores_nothing() -> None:
    verifier, store = make_verifier()
    nli = CountingNLI()
    verifier.nli = nli
    verdicts = verifier.verify_against_many(
        [
            ("Soul Food was released by Fox.", ["Cats purr.", "  Fox released Soul Food.  "]),
            ("Paris lies on the Seine.", []),
        ]
    )
    supported, no_evidence = verdicts
    assert supported.label is Label.SUPPORTED
    assert [e.hit.text for e in supported.evidence] == ["Fox released Soul Food.", "Cats purr."]
    assert {e.hit.similarity for e in supported.evidence} == {1.0}
    assert supported.collection == GIVEN_EVIDENCE
    assert no_evidence.label is Label.NOT_ENOUGH_INFO and no_evidence.evidence == ()
    assert set(supported.timings_ms) == {"nli", "aggregation", "total"}
    assert nli.pairs == 2
    assert store.saved == []


def test_verify_against_aggregates_as_verify_does() -> None:
    verifier, _ = make_verifier(top_k=3)
    options = verifier.options_with(strategy="majority_vote")
    claim = "Soul Food was released by Fox."
    given = verifier.verify_against(claim, SENTENCES, options)
    retrieved = verifier.verify(claim, "films", options)
    assert given.label is retrieved.label is Label.SUPPORTED
    assert given.strategy is Strategy.MAJORITY_VOTE
    with pytest.raises(InvalidInputError, match="empty"):
        verifier.verify_against("  ", SENTENCES)


def test_temperature_scales_the_confidence_but_not_the_label() -> None:
    embedder = FakeEmbedder()
    store = InMemoryEvidenceStore("films", SENTENCES, embedder)
    plain = Verifier(embedder, FakeNLI(), store, VerifyOptions(top_k=2))
    softened = Verifier(
        embedder, FakeNLI(), store, VerifyOptions(top_k=2), calibration=Calibration(3.0)
    )
    a = plain.verify("Soul Food was released by Fox.", "films")
    b = softened.verify("Soul Food was released by Fox.", "films")
    assert a.label is b.label
    assert b.confidence < a.confidence
    assert b.confidence == pytest.approx(b.scores[b.label])
    assert sum(b.scores.values()) == pytest.approx(1.0)


def test_a_new_cache_key_scores_pairs_again() -> None:
    embedder = FakeEmbedder()
    store = InMemoryEvidenceStore("films", SENTENCES, embedder)
    cache = DictCache()
    nli = CountingNLI()
    for key in ("verifier/onnx/aaaa", "verifier/onnx/aaaa", "verifier/onnx/bbbb"):
        Verifier(
            embedder, nli, store, VerifyOptions(top_k=2), nli_cache=cache, nli_cache_key=key
        ).verify("Soul Food was released by Fox.", "films")
    assert nli.pairs == 4  # the second run read its pairs back; the retrained model did not


def test_a_repeated_sentence_is_one_piece_of_evidence_and_the_next_fills_its_place() -> None:
    embedder = FakeEmbedder()
    sentences = [SENTENCES[0], "  soul food was released by FOX. ", *SENTENCES[1:]]
    store = InMemoryEvidenceStore("films", sentences, embedder)
    verifier = Verifier(embedder, FakeNLI(), store, VerifyOptions(top_k=2))
    verdict = verifier.verify("Soul Food was released by Fox.", "films")
    texts = [e.hit.text for e in verdict.evidence]
    assert len(texts) == 2
    assert texts[0] == SENTENCES[0]
    assert texts[1] in SENTENCES[1:]


def test_given_evidence_counts_each_distinct_text_once() -> None:
    verifier, _ = make_verifier()
    verdict = verifier.verify_against(
        "Cats purr.", ["Cats purr.", "cats  purr.", "Paris lies on the Seine."]
    )
    assert [e.hit.text for e in verdict.evidence].count("Cats purr.") == 1
    assert len(verdict.evidence) == 2


def test_hybrid_retrieval_merges_full_text_hits_into_the_ranking() -> None:
    embedder = FakeEmbedder()
    sentences = [*SENTENCES, "Fox is a studio.", "Released films earn money."]

    class Spy(InMemoryEvidenceStore):
        asked: list[str] = []

        def lexical_search(self, collection, queries, vectors, top_k):  # type: ignore[no-untyped-def]
            self.asked += list(queries)
            return [
                [h for h in row if "purr" in h.text]
                for row in super().lexical_search(collection, queries, vectors, top_k)
            ]

    store = Spy("films", sentences, embedder)
    options = VerifyOptions(top_k=2, hybrid=True)
    verdict = Verifier(embedder, FakeNLI(), store, options).verify(
        "Soul Food was released by Fox.", "films"
    )
    assert store.asked == ["Soul Food was released by Fox."]
    assert "Cats purr." not in [e.hit.text for e in verdict.evidence]  # shares no word
    plain = Verifier(embedder, FakeNLI(), store, VerifyOptions(top_k=2)).verify(
        "Cats purr.", "films"
    )
    assert store.asked == ["Soul Food was released by Fox."]  # off by default
    assert plain.evidence[0].hit.text == "Cats purr."


@pytest.mark.parametrize(
    ("context", "entailment"), [("sentence", 0.05), ("title", 0.9), ("sentence+title", 0.475)]
)
def test_the_evidence_context_decides_what_the_verifier_reads(
    context: EvidenceContext, entailment: float
) -> None:
    embedder = FakeEmbedder()
    store = InMemoryEvidenceStore("films", ["It was released by Fox."], embedder, "Soul Food")
    options = VerifyOptions(top_k=1, evidence_context=context)
    verdict = Verifier(embedder, FakeNLI(), store, options).verify(
        "Fox released Soul Food.", "films"
    )
    assert verdict.evidence[0].scores.entailment == pytest.approx(entailment)
