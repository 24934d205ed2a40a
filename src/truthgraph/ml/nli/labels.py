"""The NLI labels, defined once: names, the head's index order, and the map to verdicts.

Torch-free, so the ONNX verifier, the training code, the HTTP schemas and the design
document's ``NLIService`` all read labels the same way the torch verifier does.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from truthgraph.domain import Label
from truthgraph.errors import ModelLoadError


class NLILabel(StrEnum):
    """The label of one (premise, hypothesis) pair, in the NLI vocabulary."""

    ENTAILMENT = "entailment"
    NEUTRAL = "neutral"
    CONTRADICTION = "contradiction"


NLI_LABELS = tuple(label.value for label in NLILabel)
# A head TruthGraph trains puts the classes in this order.
ID2LABEL = {index: label.value for index, label in enumerate(NLILabel)}
NLI_TO_VERDICT = {
    NLILabel.ENTAILMENT: Label.SUPPORTED,
    NLILabel.NEUTRAL: Label.NOT_ENOUGH_INFO,
    NLILabel.CONTRADICTION: Label.REFUTED,
}
VERDICT_TO_NLI = {verdict: nli for nli, verdict in NLI_TO_VERDICT.items()}
LABEL_TO_ID = {NLI_TO_VERDICT[NLILabel(name)]: index for index, name in ID2LABEL.items()}
# The head's configuration, for a base loaded to be trained or merged with an adapter.
HEAD_CONFIG: dict[str, Any] = {
    "num_labels": len(ID2LABEL),
    "id2label": ID2LABEL,
    "label2id": {name: index for index, name in ID2LABEL.items()},
}


def label_indices(id2label: dict[int, str]) -> tuple[int, int, int]:
    """Indices of entailment, neutral and contradiction in the model's output.

    >>> label_indices({0: "entailment", 1: "neutral", 2: "contradiction"})
    (0, 1, 2)
    """
    found: dict[str, int] = {}
    for index, raw in id2label.items():
        name = str(raw).lower()
        if name.startswith("entail") or name in {"supports", "support", "supported"}:
            found["entailment"] = int(index)
        elif name.startswith("neutral") or name.startswith("not enough") or name == "nei":
            found["neutral"] = int(index)
        elif name.startswith("contradict") or name in {"refutes", "refute", "refuted"}:
            found["contradiction"] = int(index)
    if len(found) != 3:
        raise ModelLoadError(
            f"model labels {id2label} are not a 3-class NLI scheme "
            "(need entailment, neutral, contradiction)"
        )
    return found["entailment"], found["neutral"], found["contradiction"]
