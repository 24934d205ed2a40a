"""The second opinion: which verdicts are read again, by whom, and how its threshold is chosen."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import FakeEmbedder, FakeNLI, InMemoryEvidenceStore
from truthgraph.domain import Label, NLIScores, SecondOpinionNote
from truthgraph.evaluation.calibration_runs import Row
from truthgraph.evaluation.second_opinion_threshold import cascade_labels, choose, passes, trial
from truthgraph.ml.nli.card import refresh_second_opinion
from truthgraph.verify.calibration import Calibration
from truthgraph.verify.judge import Judge, SecondOpinion
from truthgraph.verify.options import VerifyOptions
from truthgraph.verify.second_opinion import (
    SECOND_OPINION_FILE,
    SECOND_OPINION_TIMING,
    SecondOpinionRecord,
    prefer_second,
    read_second_opinion,
    unsure,
    write_second_opinion,
)
from truthgraph.verify.verifier import Verifier

SENTENCES = ["Soul Food was released by Fox.", "Paris lies on the Seine.", "Cats purr."]
S, R, N = Label.SUPPORTED, Label.REFUTED, Label.NOT_ENOUGH_INFO


class ContradictingNLI(FakeNLI):
    """A second verifier that reads every pair as a contradiction, and counts them."""

    name = "contradicting-nli"

    def __init__(self) -> None:
        self.pairs = 0

    def predict(self, pairs, batch_size=None):  # type: ignore[no-untyped-def]
        self.pairs += len(pairs)
        return [NLIScores(0.02, 0.03, 0.95) for _ in pairs]


class TimidNLI(FakeNLI):
    """A second verifier that is never sure of anything."""

    name = "timid-nli"

    def predict(self, pairs, batch_size=None):  # type: ignore[no-untyped-def]
        return [NLIScores(0.34, 0.33, 0.33) for _ in pairs]


def _verifier(
    below: float,
) -> tuple[Verifier, SecondOpinion, ContradictingNLI, InMemoryEvidenceStore]:
    embedder = FakeEmbedder()
    store = InMemoryEvidenceStore("films", SENTENCES, embedder)
    second_nli = ContradictingNLI()
    second = SecondOpinion("contradicting-nli", below, lambda: Judge(second_nli))
    verifier = Verifier(embedder, FakeNLI(), store, VerifyOptions(top_k=2), second=second)
    return verifier, second, second_nli, store


def test_verdicts_below_the_threshold_are_read_again_on_the_same_evidence() -> None:
    verifier, second, second_nli, store = _verifier(below=1.01)  # every verdict is unsure
    verdict = verifier.verify("Soul Food was released by Fox.", "films")
    assert verdict.label is R  # the second is the more confident: its verdict is given
    assert verdict.second_opinion == SecondOpinionNote("contradicting-nli", adopted=True)
    assert verdict.to_dict()["second_opinion"] == {"verifier": "contradicting-nli", "adopted": True}
    assert second_nli.pairs == 2  # the top 2 the first verifier read, no new search
    assert {e.hit.text for e in verdict.evidence} >= {SENTENCES[0]}
    assert verdict.timings_ms[SECOND_OPINION_TIMING] >= 0
    assert verdict.timings_ms["total"] >= verdict.timings_ms[SECOND_OPINION_TIMING]
    assert second.loaded
    assert store.saved == [verdict]


def test_a_less_confident_second_opinion_leaves_the_first_verdict() -> None:
    embedder = FakeEmbedder()
    store = InMemoryEvidenceStore("films", SENTENCES, embedder)
    timid = TimidNLI()
    second = SecondOpinion("timid-nli", 1.01, lambda: Judge(timid))
    verifier = Verifier(embedder, FakeNLI(), store, VerifyOptions(top_k=2), second=second)
    verdict = verifier.verify("Soul Food was released by Fox.", "films")
    assert verdict.label is S
    assert verdict.second_opinion == SecondOpinionNote("timid-nli", adopted=False)
    assert SECOND_OPINION_TIMING in verdict.timings_ms  # asked, so its time is counted


def test_a_sure_verdict_stands_and_the_second_model_is_never_loaded() -> None:
    verifier, second, second_nli, _ = _verifier(below=0.01)
    verdict = verifier.verify("Soul Food was released by Fox.", "films")
    assert verdict.label is S
    assert SECOND_OPINION_TIMING not in verdict.timings_ms
    assert verdict.second_opinion is None and verdict.to_dict()["second_opinion"] is None
    assert second_nli.pairs == 0
    assert not second.loaded


def test_given_evidence_is_read_again_too() -> None:
    verifier, _, second_nli, _ = _verifier(below=1.01)
    verdict = verifier.verify_against("Cats purr.", ["Cats purr.", "Dogs bark."])
    assert verdict.label is R
    assert second_nli.pairs == 2
    empty = verifier.verify_against("Cats purr.", [])
    assert empty.label is N and SECOND_OPINION_TIMING not in empty.timings_ms


def test_unsure_skips_claims_without_evidence() -> None:
    assert unsure([0.4, 0.9, 0.3, 0.64], [True, True, False, True], 0.65) == [0, 3]


def test_the_record_round_trips_and_a_broken_one_is_ignored(tmp_path: Path) -> None:
    record = SecondOpinionRecord("truthgraph-verifier-mpnet", 0.65, Calibration(1.2, {S: 0.1}))
    path = write_second_opinion(tmp_path, record, {"command": "x"})
    assert read_second_opinion(tmp_path) == record
    path.write_text('{"model": "m", "below": 3}')
    assert read_second_opinion(tmp_path) is None
    (tmp_path / SECOND_OPINION_FILE).unlink()
    assert read_second_opinion(tmp_path) is None


def _row(dataset: str, s: float, r: float, gold: Label, best: float | None = 0.6) -> Row:
    return (dataset, {S: s, R: r, N: round(1 - s - r, 6)}, gold, best)


FIRST = [
    _row("a", 0.9, 0.05, S),  # sure and right
    _row("a", 0.45, 0.4, R),  # unsure and wrong
    _row("a", 0.5, 0.1, S),  # unsure and right
    _row("b", 0.4, 0.35, S, best=None),  # unsure, no evidence: not asked
]
SECOND = [
    _row("a", 0.1, 0.8, S),
    _row("a", 0.05, 0.9, R),  # more confident than the first: given
    _row("a", 0.3, 0.3, S),  # less confident than the first: the first stands
    _row("b", 0.05, 0.9, S, best=None),
]


def test_the_more_confident_verdict_of_an_unsure_claim_with_evidence_is_given() -> None:
    labels, again, adopted = cascade_labels(FIRST, SECOND, Calibration(), Calibration(), 0.65)
    assert labels == [S, R, S, S]
    assert again == [False, True, True, False]
    assert adopted == [False, True, False, False]
    assert prefer_second(0.5, 0.6) and not prefer_second(0.6, 0.6)
    replaced = cascade_labels(FIRST, SECOND, Calibration(), Calibration(), 0.65, "replace")
    assert replaced[0] == [S, R, N, S] and replaced[2] == [False, True, True, False]
    with pytest.raises(ValueError, match="same claims"):
        cascade_labels(FIRST, SECOND[:2], Calibration(), Calibration(), 0.65)


def test_trials_and_the_shipping_rule() -> None:
    alone = trial(FIRST, SECOND, Calibration(), 0.0)
    cascade = trial(FIRST, SECOND, Calibration(), 0.65)
    assert alone.accuracy == {"a": 2 / 3, "b": 1.0, "all": 0.75}
    assert alone.share == 0.0 and alone.calibration == Calibration()
    assert cascade.accuracy["all"] == 1.0
    assert cascade.share == 0.5 and 0.25 <= cascade.adopted <= cascade.share
    assert cascade.figures()["below"] == 0.65
    assert passes(cascade, alone) and not passes(alone, alone)


def test_choose_keeps_to_the_share_of_claims_read_again() -> None:
    trials, chosen = choose(FIRST, SECOND, Calibration(), max_share=0.5)
    assert chosen is not None and chosen.share <= 0.5
    assert chosen.accuracy["all"] == max(t.accuracy["all"] for t in trials if t.share <= 0.5)
    assert choose(FIRST, SECOND, Calibration(), max_share=0.0)[1] is None


def test_the_model_card_section_follows_the_record(tmp_path: Path) -> None:
    figures = {"below": 0.0, "share": 0.0, "accuracy": {"a": 0.5, "all": 0.5}}
    how = {
        "datasets": ["a"],
        "max_share": 0.4,
        "alone": figures,
        "trials": [{**figures, "below": 0.65, "share": 0.4, "accuracy": {"a": 0.75, "all": 0.75}}],
        "always": {**figures, "share": 1.0},
        "command": "python scripts/fit_second_opinion.py",
        "first_backend": ["onnx-int8"],
        "second_backend": ["onnx"],
    }
    record = SecondOpinionRecord("truthgraph-verifier-mpnet", 0.65, Calibration())
    write_second_opinion(tmp_path, record, how)
    (tmp_path / "README.md").write_text("# Card\n\n## Claim-level accuracy\nText.\n")
    refresh_second_opinion(tmp_path)
    refresh_second_opinion(tmp_path)  # twice: one section, up to date
    card = (tmp_path / "README.md").read_text()
    assert card.count("## Second opinion") == 1
    assert "| below 0.65 (**shipped**) | 40% | 40% | 75.0% | 75.0% |" in card
    assert card.index("## Second opinion") < card.index("## Claim-level accuracy")
