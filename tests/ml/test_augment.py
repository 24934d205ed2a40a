import random

from truthgraph.ml.nli.augment import entity_pool, mutate

EVIDENCE = (
    "The Beach is a 2000 adventure drama film directed by Danny Boyle and based on the "
    "1996 novel of the same name by Alex Garland."
)
NEIGHBOURS = {"Danny Boyle": ["Ridley Scott", "Danny Boyle Jr"], "Alex Garland": ["Iain Banks"]}


def test_a_year_is_moved_in_both_texts() -> None:
    edit = mutate(
        "Shane Black was born in 1961.",
        "Shane Black (born 1961) is a writer.",
        {},
        random.Random(0),
    )
    assert edit is not None and edit.kind == "number"
    year = int(edit.replacement)
    assert year != 1961 and abs(year - 1961) <= 12
    assert edit.claim == f"Shane Black was born in {year}."
    assert edit.evidence == f"Shane Black (born {year}) is a writer."


def test_an_entity_is_swapped_for_a_neighbour_absent_from_the_texts() -> None:
    edit = mutate("The Beach's director was Danny Boyle.", EVIDENCE, NEIGHBOURS, random.Random(0))
    assert edit is not None
    assert edit.original == "Danny Boyle"
    assert edit.replacement == "Ridley Scott"  # "Danny Boyle Jr" contains the original
    assert "Ridley Scott" in edit.claim and "Ridley Scott" in edit.evidence
    assert "Danny Boyle" not in edit.evidence


def test_the_subject_and_spans_missing_from_the_evidence_are_left_alone() -> None:
    # "The Beach" starts the claim and the evidence; "Sundance" is not in the evidence.
    assert (
        mutate("The Beach premiered at Sundance.", EVIDENCE, NEIGHBOURS, random.Random(0)) is None
    )
    # no neighbour to swap in
    assert (
        mutate("The Beach was adapted from Alex Garland.", EVIDENCE, {}, random.Random(0)) is None
    )


def test_months_are_replaced_by_other_months() -> None:
    edit = mutate(
        "Smriti Mandhana was born in July.",
        "Smriti Mandhana (born 18 July 1996) is an Indian cricketer.",
        {},
        random.Random(1),
    )
    assert edit is not None
    assert edit.kind in {"month", "number"}
    if edit.kind == "month":
        assert edit.replacement != "July" and edit.replacement in edit.evidence


def test_entity_pool_skips_sentence_initial_words() -> None:
    pool = entity_pool(["The film stars Holly Hunter and Robert Downey Jr. in Baltimore."])
    assert "Holly Hunter" in pool and "Baltimore" in pool
    assert not any(e.startswith("The") for e in pool)
