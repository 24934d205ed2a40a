from dataclasses import replace

from truthgraph.data.datasets import page_title
from truthgraph.domain import EvidenceHit, Label
from truthgraph.ml.nli.pair import Pair
from truthgraph.reading.premise import premise, titled

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


def test_titled_is_the_form_training_pairs_take_too() -> None:
    pair = Pair("It was released by Fox 2000 Pictures.", "Fox released it.", Label.SUPPORTED, "x")
    assert pair.text(True) == pair.premise == pair.text(False)
    with_page = replace(pair, title="Soul Food (film)")
    assert with_page.text(True) == premise(HIT, "title") == titled(HIT.title, HIT.text)
    assert with_page.text(False) == HIT.text


def test_a_fever_page_name_reads_as_its_title() -> None:
    assert page_title(["Soul_Food_-LRB-film-RRB-"]) == "Soul Food (film)"
    assert page_title(["Telemundo", "Hispanic_and_Latino_Americans"]) is None
    assert page_title([]) is None


def test_title_and_previous_together() -> None:
    assert premise(HIT, "title+previous") == (
        "Soul Food (film): Soul Food is a 1997 film. It was released by Fox 2000 Pictures."
    )


def test_referent_context_only_where_the_sentence_points_back() -> None:
    assert premise(HIT, "title+referent") == premise(HIT, "title+previous")
    plain = replace(HIT, text="Fox 2000 Pictures released Soul Food.")
    assert (
        premise(plain, "title+referent")
        == "Soul Food (film): Fox 2000 Pictures released Soul Food."
    )
    first = replace(HIT, previous=None)
    assert premise(first, "title+referent") == premise(first, "title")


def test_points_back() -> None:
    from truthgraph.reading.premise import points_back

    assert points_back("It is the highest mountain in Africa.")
    assert points_back("The company employs 40 people.")
    assert points_back("Its summit stands 5,895 metres above sea level.")
    assert points_back("She studied biology.")
    assert not points_back("The Beatles split in 1970.")
    assert not points_back("Kilimanjaro is a dormant volcano.")
    assert not points_back("")


def test_the_sentence_read_in_front_is_reported_only_where_it_was_read() -> None:
    from truthgraph.reading.premise import read_with

    hit = EvidenceHit(
        1,
        1,
        "It stands 5,895 metres high.",
        0,
        28,
        0.9,
        title="Kilimanjaro",
        previous="Kilimanjaro is a dormant volcano.",
    )
    assert read_with(hit, "title+previous") == "Kilimanjaro is a dormant volcano."
    assert read_with(hit, "previous") == "Kilimanjaro is a dormant volcano."
    assert read_with(hit, "title+referent") == "Kilimanjaro is a dormant volcano."  # "It"
    assert read_with(hit, "title") is None
    assert read_with(hit, "sentence") is None and read_with(hit, "sentence+title") is None
    first = EvidenceHit(2, 1, "Kilimanjaro is a dormant volcano.", 0, 33, 0.9, title="K")
    assert read_with(first, "title+previous") is None
