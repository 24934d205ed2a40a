"""Extraction: check-worthiness, decomposition, span mapping and roll-up (pure, no models)."""

from __future__ import annotations

import pytest

from truthgraph.domain import Label
from truthgraph.extract import (
    DecomposingExtractor,
    SentenceExtractor,
    SentenceLabel,
    extract,
    factuality,
    map_claim,
    rollup,
    skip_reason,
)
from truthgraph.extract.decompose import decompose
from truthgraph.extract.spans import GLUE, words
from truthgraph.reading.sentences import split_sentences


def claims_of(text: str) -> list[str]:
    return [c.text for c in extract(text, DecomposingExtractor()).claims]


def assert_spans_map(text: str) -> None:
    """Every claim's words are the source's words at its pieces (copulas and the possessive
    's aside), and its span lies in its sentence."""
    extraction = extract(text, DecomposingExtractor())
    for claim in extraction.claims:
        sentence = extraction.sentences[claim.sentence].sentence
        assert sentence.start <= claim.start < claim.end <= sentence.end
        taken = {w for s, e in claim.pieces for w, _, _ in words(text[s:e])}
        for word, _, _ in words(claim.text):
            assert word in taken or word in GLUE, (word, claim)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Marie Curie was born in Warsaw and died in Passy.",
            ["Marie Curie was born in Warsaw.", "Marie Curie died in Passy."],
        ),
        (
            "The company makes cars, trucks and buses.",
            ["The company makes cars.", "The company makes trucks.", "The company makes buses."],
        ),
        (
            "He speaks English, French, and German.",
            ["He speaks English.", "He speaks French.", "He speaks German."],
        ),
        (
            "Alan Turing, who was born in London, studied at Cambridge.",
            ["Alan Turing studied at Cambridge.", "Alan Turing was born in London."],
        ),
        (
            "Ada Lovelace, an English mathematician, wrote the first program.",
            ["Ada Lovelace wrote the first program.", "Ada Lovelace is an English mathematician."],
        ),
        (
            "Soyuz was part of the Soviet space program and Janelle Monáe is Canadian.",
            ["Soyuz was part of the Soviet space program.", "Janelle Monáe is Canadian."],
        ),
        (
            "Police were called, but the members left before they arrived.",
            ["Police were called.", "The members left before they arrived."],
        ),
        ("Simon and Garfunkel released Bookends in 1968.", None),
        ("Tom and Jerry is a cartoon.", None),
    ],
)
def test_decompose(sentence: str, expected: list[str] | None) -> None:
    assert decompose(sentence) == (expected or [sentence])


def test_pronoun_resolved_from_previous_sentence_when_the_referent_is_a_name() -> None:
    text = "Bea Arthur was an American actress. She was born in New York City."
    claims = extract(text, DecomposingExtractor()).claims
    assert [c.text for c in claims] == [
        "Bea Arthur was an American actress.",
        "Bea Arthur was born in New York City.",
    ]
    second = claims[1]
    # the referent comes from the first sentence, the rest from the second
    assert second.pieces[0] == (0, 10)
    assert text[second.start : second.end] == "was born in New York City"


def test_pronoun_left_alone_when_the_referent_is_not_a_name() -> None:
    text = "The committee met on Monday. It approved the budget."
    assert claims_of(text)[1] == "It approved the budget."


def test_possessive_pronoun_and_possessive_referent() -> None:
    text = "Bea Arthur's birth name was Bernice Frankel. Her career began on stage."
    assert claims_of(text)[1] == "Bea Arthur's career began on stage."


@pytest.mark.parametrize(
    "text",
    [
        "Marie Curie was born in Warsaw and died in Passy. She won two Nobel prizes.",
        "The company makes cars, trucks and buses; it was founded in 1903.",
        "Alan Turing, who was born in London, studied at Cambridge, and he worked at Bletchley.",
        "Brian Pendleton (13 April 1944 – 16 May 2001) was a British guitarist, and a "
        "founder member of the 1960s pop group The Pretty Things.",
    ],
)
def test_every_claim_maps_back_exactly(text: str) -> None:
    extraction = extract(text, DecomposingExtractor())
    assert extraction.unmapped == 0
    assert len(extraction.claims) >= 2
    assert_spans_map(text)


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Is Paris the capital of France?", "question"),
        ("What did the minister say about the budget?", "question"),
        ("I think this is the most important film of the decade.", "opinion"),
        ("In my opinion the new policy is a mistake.", "opinion"),
        ("The soup at that place is delicious.", "opinion"),
        ("Click here to subscribe to our newsletter.", "boilerplate"),
        ("Please read the instructions before you start the machine.", "instruction"),
        ("# Early life", "heading"),
        ("Early life and career", "heading"),
        ("Copyright 2024 Example Media. All rights reserved.", "boilerplate"),
        ("Thanks!", "too short"),
    ],
)
def test_not_check_worthy(sentence: str, reason: str) -> None:
    assert skip_reason(sentence) == reason


@pytest.mark.parametrize(
    "sentence",
    [
        "Paris is the capital of France.",
        "The film grossed $60 million worldwide in 2011.",
        "Arnold won the Best Director award at the 1999 festival.",
        "Marie Curie was born in Warsaw and died in Passy.",
        "The bridge is 1,280 metres long.",
    ],
)
def test_check_worthy(sentence: str) -> None:
    assert skip_reason(sentence) is None


def test_a_claim_with_invented_words_is_refused() -> None:
    text = "Luc Besson produced Colombiana in 2011."
    sentence = split_sentences(text)[0]
    assert map_claim("Luc Besson directed Colombiana.", text, sentence, 0) is None
    assert map_claim("Colombiana was produced by Luc Besson.", text, sentence, 0) is None
    mapped = map_claim("Luc Besson produced Colombiana.", text, sentence, 0)
    assert mapped is not None
    assert [text[s:e] for s, e in mapped.pieces] == ["Luc Besson produced Colombiana"]


def test_extract_counts_claims_that_do_not_map() -> None:
    class Inventing:
        name = "inventing"

        def propose(self, text, sentences):  # type: ignore[no-untyped-def]
            from truthgraph.extract import Proposal

            return [Proposal(0, ("Paris is in France.", "Paris is on the Moon."))]

    extraction = extract("Paris is in France.", Inventing())
    assert [c.text for c in extraction.claims] == ["Paris is in France."]
    assert extraction.unmapped == 1
    assert extraction.sentences[0].unmapped == ("Paris is on the Moon.",)


def test_sentence_extractor_keeps_sentences_whole_and_offsets_exact() -> None:
    text = "Is it true? Luc Besson produced Colombiana and Soyuz flew.\n\nI think it is great."
    extraction = extract(text, SentenceExtractor())
    assert [s.skip for s in extraction.sentences] == ["question", None, "opinion"]
    [claim] = extraction.claims
    assert text[claim.start : claim.end] == "Luc Besson produced Colombiana and Soyuz flew"
    for s in extraction.sentences:
        assert text[s.sentence.start : s.sentence.end] == s.sentence.text


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ([Label.SUPPORTED, Label.SUPPORTED], SentenceLabel.SUPPORTED),
        ([Label.SUPPORTED, Label.NOT_ENOUGH_INFO], SentenceLabel.PARTLY_SUPPORTED),
        ([Label.SUPPORTED, Label.REFUTED], SentenceLabel.REFUTED),
        ([Label.NOT_ENOUGH_INFO, Label.REFUTED], SentenceLabel.REFUTED),
        ([Label.NOT_ENOUGH_INFO], SentenceLabel.NOT_ENOUGH_INFO),
        ([], SentenceLabel.NOT_ENOUGH_INFO),
    ],
)
def test_rollup(labels: list[Label], expected: SentenceLabel) -> None:
    assert rollup(labels) is expected


def test_factuality_is_the_share_of_supported_claims() -> None:
    assert (
        factuality([Label.SUPPORTED, Label.REFUTED, Label.NOT_ENOUGH_INFO, Label.SUPPORTED]) == 0.5
    )
    assert factuality([]) is None
