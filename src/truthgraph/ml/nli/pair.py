"""``Pair``: one (premise, hypothesis, label) example (a leaf: the pair builders import it)."""

from __future__ import annotations

from dataclasses import dataclass

from truthgraph.domain import Label
from truthgraph.reading.premise import titled


@dataclass(frozen=True, slots=True)
class Pair:
    """One training or evaluation example: the premise is evidence, the hypothesis a claim.

    ``title`` names the premise's document where the data says it (FEVER's Wikipedia page);
    ``text(True)`` puts it in front the way the verifier reads it with evidence context
    ``title``.
    """

    premise: str
    hypothesis: str
    label: Label
    source: str
    title: str | None = None

    def text(self, with_title: bool) -> str:
        """The premise as the verifier reads it, with or without the document title."""
        return titled(self.title, self.premise) if with_title else self.premise
