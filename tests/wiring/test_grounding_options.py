"""The options of a check against given documents (decision 0032): their own reading and rule,
while a claim checked against a collection keeps the verifier's."""

from __future__ import annotations

import pytest

from truthgraph.domain import Strategy
from truthgraph.settings import GroundingSettings, Settings
from truthgraph.verify.aggregate import Decisive
from truthgraph.wiring import grounding_options, verify_options


def test_given_documents_are_read_with_the_sentence_before_and_the_decisive_rule() -> None:
    options = grounding_options(Settings())
    assert options.top_k == 10
    assert options.strategy is Strategy.DECISIVE
    assert options.evidence_context == "title+previous"
    assert options.decisive == Decisive(support=0.45, refute=0.9, margin=0.5)


def test_claims_against_a_collection_keep_the_verifier_options() -> None:
    options = verify_options(Settings())
    assert options.top_k == 5
    assert options.strategy is Strategy.WEIGHTED_VOTE
    assert options.evidence_context == "title"
    assert options.decisive == Decisive()


def test_unset_grounding_fields_follow_the_verification_settings() -> None:
    unset = GroundingSettings(
        top_k=None,
        strategy=None,
        support_threshold=None,
        refute_threshold=None,
        support_margin=None,
        evidence_context=None,
    )
    settings = Settings(grounding=unset)
    assert grounding_options(settings) == verify_options(settings)


def test_the_environment_sets_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUTHGRAPH_GROUNDING__TOP_K", "5")
    monkeypatch.setenv("TRUTHGRAPH_GROUNDING__STRATEGY", "weighted_vote")
    monkeypatch.setenv("TRUTHGRAPH_GROUNDING__EVIDENCE_CONTEXT", "title")
    options = grounding_options(Settings())
    assert (options.top_k, options.strategy, options.evidence_context) == (
        5,
        Strategy.WEIGHTED_VOTE,
        "title",
    )
