from truthgraph.data.datasets import in_split, normalise_wiki_text
from truthgraph.ml.nli.dev_pairs import negate


def test_fever_tokenisation_is_undone() -> None:
    raw = "Soul Food -LRB- film -RRB- is by Kenneth `` Babyface '' Edmonds , and others ."
    assert (
        normalise_wiki_text(raw)
        == 'Soul Food (film) is by Kenneth " Babyface " Edmonds, and others.'
    )


def test_split_is_fixed_and_disjoint() -> None:
    ids = [str(i) for i in range(2000)]
    heldout = {i for i in ids if in_split("fever", i, "heldout")}
    train = {i for i in ids if in_split("fever", i, "train")}
    assert heldout.isdisjoint(train)
    assert heldout | train == set(ids)
    assert 300 < len(heldout) < 500
    assert in_split("fever", "111897", "heldout")


def test_negation_inserts_not_after_the_single_auxiliary() -> None:
    assert negate("Telemundo is an English-language network.") == (
        "Telemundo is not an English-language network."
    )
    assert negate("Paris is not in Spain.") is None
    assert negate("He was born and was raised in Ohio.") is None


def test_train_divides_into_dev_and_fit() -> None:
    ids = [str(i) for i in range(2000)]
    train = {i for i in ids if in_split("fever", i, "train")}
    dev = {i for i in ids if in_split("fever", i, "dev")}
    fit = {i for i in ids if in_split("fever", i, "fit")}
    assert dev.isdisjoint(fit)
    assert dev | fit == train
    assert 120 < len(dev) < 280
