"""The rule that sorts wrong verdicts by cause (first match wins)."""

from __future__ import annotations

from typing import Any

import pytest

from truthgraph.data.datasets import LabeledClaim
from truthgraph.domain import Label
from truthgraph.evaluation.error_analysis import CAUSES, cause, error_causes

ONE = ("Soul Food is a 1997 film.",)
TWO = ("Soul Food is a film. It was released by Fox.",)


def row(gold: Label, predicted: Label, cited: bool | None = True, id_: str = "1") -> dict[str, Any]:
    return {
        "id": id_,
        "gold": gold.value,
        "predicted": predicted.value,
        "correct": gold is predicted,
        "gold_evidence_cited": cited,
    }


S, R, N = Label.SUPPORTED, Label.REFUTED, Label.NOT_ENOUGH_INFO


@pytest.mark.parametrize(
    ("claim", "evidence", "gold", "predicted", "cited", "want"),
    [
        ("Soul Food was made in 1997.", ONE, S, N, False, "retrieval miss"),
        ("Fox released Soul Food.", TWO, S, R, True, "multi-hop"),
        ("Soul Food was made in 1998.", ONE, R, S, True, "number/date"),
        ("Soul Food is not a film.", ONE, R, N, True, "negation"),
        ("Fox released Soul Food.", ONE, R, N, True, "NEI boundary"),
        ("Fox released Soul Food.", (), N, S, None, "NEI boundary"),
        ("Fox released Soul Food.", ONE, R, S, True, "other"),
    ],
)
def test_each_error_gets_the_first_cause_that_fits(
    claim: str,
    evidence: tuple[str, ...],
    gold: Label,
    predicted: Label,
    cited: bool | None,
    want: str,
) -> None:
    labelled = LabeledClaim("1", claim, gold, evidence)
    assert cause(labelled, row(gold, predicted, cited)) == want


def test_the_causes_add_up_to_the_errors() -> None:
    claims = [
        LabeledClaim("1", "Fox released Soul Food.", R, ONE),
        LabeledClaim("2", "Soul Food is a film.", S, ONE),
        LabeledClaim("3", "Soul Food was made in 2001.", R, ONE),
    ]
    result = error_causes(
        claims, [row(R, N, id_="1"), row(S, S, id_="2"), row(R, S, False, id_="3")]
    )
    assert result["n"] == 3 and result["wrong"] == 2
    assert sum(result["causes"].values()) == 2 and list(result["causes"]) == list(CAUSES)
    assert result["causes"]["NEI boundary"] == 1 and result["causes"]["retrieval miss"] == 1
    assert result["mistakes"] == {"REFUTED -> NOT_ENOUGH_INFO": 1, "REFUTED -> SUPPORTED": 1}
