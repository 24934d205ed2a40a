"""Counterfactual training pairs made by mutating a supported (evidence, claim) pair.

FEVER's own REFUTES claims were written by mutating true claims: a number, a date or a named
entity replaced by another. Here the same edit is applied to a span that appears in both the
claim and its supporting evidence, in the FEVER-Symmetric style, giving three pairs:

- (evidence, mutated claim) -> REFUTED;
- (mutated evidence, claim) -> REFUTED;
- (mutated evidence, mutated claim) -> SUPPORTED.

Every claim then appears with both labels, so a claim-only shortcut cannot fit them. The
subject (the first words of the claim or of the evidence) is never replaced: a claim about
another subject is unverifiable from the evidence, not refuted by it. An entity is replaced
by one of its nearest neighbours in embedding space (a director by a director, a nationality
by a nationality), which the caller computes. Pure functions; the caller seeds ``rng``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b")
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\w])|(?<![\w.,])\d+(?![\w.,]\d)(?!\w)")
_ENTITY = re.compile(r"\b[A-Z][\w'.&-]*[\w](?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w'.&-]*[\w])*")
_SUBJECT_CHARS = 12


@dataclass(frozen=True, slots=True)
class Mutation:
    """One edit: ``original`` replaced by ``replacement`` in both texts."""

    original: str
    replacement: str
    kind: str
    claim: str
    evidence: str


def overlapping(a: str, b: str) -> bool:
    """Whether one name contains the other (case-insensitive): not a real replacement."""
    a, b = a.lower(), b.lower()
    return a in b or b in a


def _new_number(text: str, rng: random.Random) -> str:
    value = int(text.replace(",", ""))
    if 1000 <= value <= 2100 and "," not in text:
        return str(value + rng.choice([-1, 1]) * rng.randint(1, 12))
    if value < 10:
        choices = [v for v in range(1, 13) if v != value]
        return str(rng.choice(choices))
    factor = rng.choice([0.5, 0.7, 1.3, 1.5, 2.0, 3.0])
    new = max(1, round(value * factor))
    if new == value:
        new = value + 1
    return f"{new:,}" if "," in text else str(new)


def _replace(text: str, original: str, replacement: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(original)}(?!\w)", replacement, text)


def _candidates(claim: str, evidence: str) -> list[tuple[str, str]]:
    """Spans of the claim, past its subject, that the evidence states too: (span, kind)."""
    found: list[tuple[str, str]] = []
    for kind, pattern in (("number", _NUMBER), ("month", _MONTH), ("entity", _ENTITY)):
        for match in pattern.finditer(claim):
            span = match.group(0)
            where = re.search(rf"(?<!\w){re.escape(span)}(?!\w)", evidence)
            if match.start() < _SUBJECT_CHARS or where is None or where.start() < _SUBJECT_CHARS:
                continue
            if kind == "entity" and (span in _MONTHS or len(span) < 3):
                continue
            found.append((span, kind))
    return found


def mutate(
    claim: str, evidence: str, neighbours: Mapping[str, Sequence[str]], rng: random.Random
) -> Mutation | None:
    """One mutation of a supported pair, or None when no span is safe to replace.

    ``neighbours`` maps a named entity to similar entities to swap in (see
    ``entity_pool``); a replacement never already appears in the evidence or the claim, and
    never contains the original or is contained in it.
    """
    candidates = _candidates(claim, evidence)
    if not candidates:
        return None
    span, kind = rng.choice(candidates)
    if kind == "number":
        replacement = _new_number(span, rng)
    elif kind == "month":
        replacement = rng.choice([m for m in _MONTHS if m != span])
    else:
        pool = [
            e
            for e in neighbours.get(span, ())
            if e not in evidence + claim and not overlapping(span, e)
        ]
        if not pool:
            return None
        replacement = rng.choice(pool)
    if replacement in evidence or replacement in claim:
        return None
    return Mutation(
        original=span,
        replacement=replacement,
        kind=kind,
        claim=_replace(claim, span, replacement),
        evidence=_replace(evidence, span, replacement),
    )


def entity_pool(texts: Sequence[str]) -> list[str]:
    """Named entities (capitalised spans) found past the first word of ``texts``, deduplicated."""
    seen: dict[str, None] = {}
    for text in texts:
        for match in _ENTITY.finditer(text):
            span = match.group(0)
            if match.start() > 0 and span not in _MONTHS and len(span) >= 3:
                seen.setdefault(span, None)
    return list(seen)
