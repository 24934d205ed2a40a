from truthgraph.domain import EvidenceHit
from truthgraph.verify.premise import premise

HIT = EvidenceHit(
    7,
    1,
    "It was released by Fox 2000 Pictures.",
    26,
    63,
    0.9,
    title="Soul Food (film)",
    previous="Soul Food is a 1997 film.",
)


def test_sentence_is_the_text_alone() -> None:
    assert premise(HIT, "sentence") == "It was released by Fox 2000 Pictures."


def test_title_and_previous_sentence_go_in_front() -> None:
    assert premise(HIT, "title") == "Soul Food (film): It was released by Fox 2000 Pictures."
    assert premise(HIT, "previous") == (
        "Soul Food is a 1997 film. It was released by Fox 2000 Pictures."
    )


def test_a_hit_without_the_context_keeps_its_text() -> None:
    bare = EvidenceHit(7, 1, "Cats purr.", 0, 10, 0.5, title="  ")
    assert premise(bare, "title") == "Cats purr."
    assert premise(bare, "previous") == "Cats purr."
