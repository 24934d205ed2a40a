"""check_text: one NLI call for a whole text's pairs; a text extracted once."""

import json
from collections.abc import Sequence

from tests.fakes import FakeEmbedder, FakeNLI, InMemoryEvidenceStore
from truthgraph.check.run import CHECK_BATCH_CLAIMS, Extracted, check_text, extracted
from truthgraph.domain import NLIScores, Sentence
from truthgraph.extract import DecomposingExtractor, Proposal
from truthgraph.verify.options import VerifyOptions
from truthgraph.verify.verifier import Verifier


class CountingNLI(FakeNLI):
    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict(
        self, pairs: Sequence[tuple[str, str]], batch_size: int | None = None
    ) -> list[NLIScores]:
        self.calls.append(len(pairs))
        return super().predict(pairs, batch_size)


def test_a_text_is_judged_in_one_nli_call_so_its_pairs_sort_together() -> None:
    sentences = [f"Town number {i} has a harbour of {i} boats." for i in range(60)]
    embedder, nli = FakeEmbedder(), CountingNLI()
    store = InMemoryEvidenceStore("towns", sentences, embedder)
    verifier = Verifier(embedder, nli, store, VerifyOptions(top_k=2))
    report = check_text(verifier, " ".join(sentences), "towns", DecomposingExtractor())
    claims = sum(len(s.claims) for s in report.sentences)
    assert 60 <= claims <= CHECK_BATCH_CLAIMS
    assert nli.calls == [2 * claims]  # every (evidence, claim) pair of the text at once
    assert report.label.value == "SUPPORTED"


class CountingExtractor(DecomposingExtractor):
    def __init__(self) -> None:
        self.calls = 0

    def propose(self, text: str, sentences: Sequence[Sentence]) -> list[Proposal]:
        self.calls += 1
        return super().propose(text, sentences)


def test_a_text_already_extracted_is_not_extracted_again() -> None:
    sentences = ["Paris is the capital of France.", "Berlin has a river and a zoo."]
    embedder, nli = FakeEmbedder(), FakeNLI()
    store = InMemoryEvidenceStore("towns", sentences, embedder)
    verifier = Verifier(embedder, nli, store, VerifyOptions(top_k=2))
    extractor = CountingExtractor()
    done = extracted(" ".join(sentences), extractor)
    report = check_text(verifier, done, "towns", extractor)
    assert extractor.calls == 1
    assert report.text == " ".join(sentences)
    assert report.timings_ms["extraction"] == done.ms
    assert report.timings_ms["total"] >= done.ms
    assert report.to_dict() | {"timings_ms": None} == check_text(
        verifier, " ".join(sentences), "towns", DecomposingExtractor()
    ).to_dict() | {"timings_ms": None}


def test_an_extraction_reads_back_from_json_unchanged() -> None:
    text = "Marie Curie won two Nobel Prizes. She was born in Warsaw. Is it true? Read on."
    done = extracted(text, DecomposingExtractor())
    value = json.loads(json.dumps(done.to_json()))
    assert Extracted.from_json(text, value) == done
