"""The map from an NLI model's class indices to entailment, neutral and contradiction.

Torch-free, so the ONNX verifier reads labels the same way the torch one does.
"""

from __future__ import annotations

from truthgraph.errors import ModelLoadError

NLI_LABELS = ("entailment", "neutral", "contradiction")


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
