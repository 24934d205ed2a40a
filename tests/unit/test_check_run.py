"""check_text's batching: one NLI call for a whole text's pairs."""

from collections.abc import Sequence

from tests.fakes import FakeEmbedder, FakeNLI, InMemoryEvidenceStore
from truthgraph.check.run import CHECK_BATCH_CLAIMS, check_text
from truthgraph.domain import NLIScores
from truthgraph.extract import DecomposingExtractor
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
