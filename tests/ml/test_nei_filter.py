from tests.fakes import FakeNLI
from truthgraph.domain import Label
from truthgraph.ml.nli.dev_pairs import drop_settled_nei
from truthgraph.ml.nli.pair import Pair

NEI = Label.NOT_ENOUGH_INFO


def test_only_near_misses_the_judge_reads_as_settled_are_dropped() -> None:
    pairs = [
        Pair("Veeram was directed by Siva.", "Veeram was directed by Siva.", NEI, "fever-nei"),
        Pair("Veeram grossed well.", "Veeram was directed by Siva.", NEI, "fever-nei"),
        Pair("Veeram was directed by Siva.", "Siva directed Siva.", Label.SUPPORTED, "fever"),
        Pair("Cats purr.", "Dogs purr.", NEI, "mnli"),
        Pair("The trial used aspirin.", "Patients took aspirin.", NEI, "scifact-nei"),
    ]
    kept, dropped = drop_settled_nei(pairs, FakeNLI())
    assert dropped == 2
    assert kept == [pairs[1], pairs[2], pairs[3]]
    assert drop_settled_nei(pairs, FakeNLI(), threshold=0.95) == (pairs, 0)
