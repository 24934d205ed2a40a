"""Dev errors grouped by cause: a fixed rule, first match wins. Pure functions.

For a claim the verifier got wrong, in this order:

1. ``retrieval miss``: the claim has gold evidence and none of it was among the sentences
   read (``gold_evidence_cited`` false in ``predictions.jsonl``);
2. ``multi-hop``: every gold evidence text holds two sentences or more (the verdict needs
   them read together);
3. ``number/date``: the claim states a number, a year or a month;
4. ``negation``: the claim says not, never, no, none, only, without, n't ...;
5. ``NEI boundary``: NOT_ENOUGH_INFO on one side of the mistake (gold or predicted), the gold
   evidence read;
6. ``other``: SUPPORTED read as REFUTED or the other way, none of the above.

The rule sorts each error into one group, so the groups add up to the errors; a claim that
fits two causes counts under the first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from truthgraph.data.datasets import LabeledClaim
from truthgraph.domain import Label
from truthgraph.reading.sentences import split_sentences

CAUSES = ("retrieval miss", "multi-hop", "number/date", "negation", "NEI boundary", "other")
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|"
    r"first|second|third|century|decade|january|february|march|april|may|june|july|august|"
    r"september|october|november|december)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(not|never|no|none|nobody|nothing|neither|nor|only|without|failed|refused)\b|n't\b",
    re.IGNORECASE,
)


def cause(claim: LabeledClaim, prediction: Mapping[str, Any]) -> str:
    """The cause of one wrong prediction (a ``predictions.jsonl`` row) under the rule above."""
    gold, predicted = Label(prediction["gold"]), Label(prediction["predicted"])
    if claim.evidence and prediction.get("gold_evidence_cited") is False:
        return "retrieval miss"
    if claim.evidence and all(len(split_sentences(e)) > 1 for e in claim.evidence):
        return "multi-hop"
    if _NUMBER.search(claim.claim):
        return "number/date"
    if _NEGATION.search(claim.claim):
        return "negation"
    if Label.NOT_ENOUGH_INFO in (gold, predicted):
        return "NEI boundary"
    return "other"


def error_causes(
    claims: Sequence[LabeledClaim], predictions: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Counts of the wrong predictions by cause, and how many were wrong of how many."""
    by_id = {c.id: c for c in claims}
    wrong = [p for p in predictions if not p["correct"]]
    counts = Counter(cause(by_id[str(p["id"])], p) for p in wrong)
    return {
        "n": len(predictions),
        "wrong": len(wrong),
        "causes": {c: counts.get(c, 0) for c in CAUSES},
        "mistakes": dict(Counter(f"{p['gold']} -> {p['predicted']}" for p in wrong)),
    }
