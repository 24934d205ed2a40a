"""Check a text: extract its claims, verify them in batches, roll up the verdicts."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from truthgraph.check.report import CheckReport, ClaimResult, SentenceResult
from truthgraph.domain import Sentence, Verdict, check_characters
from truthgraph.errors import InvalidInputError, NothingToCheckError
from truthgraph.extract import AtomicClaim, CheckedSentence, ClaimExtractor, Extraction, extract
from truthgraph.verify.options import VerifyOptions
from truthgraph.verify.verifier import Verifier

VerifyMany = Callable[[Sequence[str], Callable[[int, int], None] | None], list[Verdict]]
MAX_TEXT_CHARS = 1_000_000
CHECK_BATCH_CLAIMS = 256
"""Claims verified per batch: one NLI call sorts all their pairs by length, so few batches pay
for the text's longest pair (a 2,180-word article: 11.6 s in batches of 32 claims, 8.6 s in
one; docs/performance.md)."""


def extraction_of(text: str, extractor: ClaimExtractor) -> Extraction:
    """The text's claims; InvalidInputError for an empty text, NothingToCheckError when no
    sentence is check-worthy."""
    if not isinstance(text, str):
        raise InvalidInputError("the text must be text")
    check_characters(text, "the text")
    if not text.strip():
        raise InvalidInputError("the text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInputError(
            f"the text is {len(text)} characters long; the limit is {MAX_TEXT_CHARS}"
        )
    extraction = extract(text, extractor)
    if not extraction.claims:
        skipped = sorted({s.skip for s in extraction.sentences if s.skip})
        raise NothingToCheckError(
            f"no check-worthy sentence in the text ({len(extraction.sentences)} sentences: "
            f"{', '.join(skipped) or 'none'})"
        )
    return extraction


@dataclass(frozen=True, slots=True)
class Extracted:
    """A text's extraction and the milliseconds it took: a text is extracted once per check,
    where it is first checked for claims, and handed on to the check (``check_with``)."""

    extraction: Extraction
    ms: float

    @property
    def text(self) -> str:
        return self.extraction.text

    def to_json(self) -> dict[str, Any]:
        """A JSON value ``from_json`` reads back (a long check's job input)."""
        return {
            "extractor": self.extraction.extractor,
            "ms": self.ms,
            "sentences": [
                {
                    "text": s.sentence.text,
                    "start": s.sentence.start,
                    "end": s.sentence.end,
                    "page": s.sentence.page,
                    "skip": s.skip,
                    "claims": [
                        [c.text, c.start, c.end, [list(p) for p in c.pieces]] for c in s.claims
                    ],
                    "unmapped": list(s.unmapped),
                }
                for s in self.extraction.sentences
            ],
        }

    @classmethod
    def from_json(cls, text: str, value: dict[str, Any]) -> Extracted:
        """The extraction of ``text`` that ``to_json`` wrote."""
        sentences = tuple(
            CheckedSentence(
                index,
                Sentence(s["text"], s["start"], s["end"], s["page"]),
                s["skip"],
                tuple(
                    AtomicClaim(claim, index, start, end, tuple((a, b) for a, b in pieces))
                    for claim, start, end, pieces in s["claims"]
                ),
                tuple(s["unmapped"]),
            )
            for index, s in enumerate(value["sentences"])
        )
        return cls(Extraction(text, value["extractor"], sentences), float(value["ms"]))


def extracted(text: str, extractor: ClaimExtractor) -> Extracted:
    """``extraction_of(text, extractor)``, timed."""
    t0 = time.perf_counter()
    extraction = extraction_of(text, extractor)
    return Extracted(extraction, (time.perf_counter() - t0) * 1000)


def check_with(
    text: str | Extracted,
    extractor: ClaimExtractor,
    verify: VerifyMany,
    collection: str,
    progress: Callable[[int, int], None] | None = None,
    source: str | None = None,
) -> CheckReport:
    """Check ``text`` with any ``verify(claims, progress) -> verdicts`` (in order). A text
    already ``extracted`` is not extracted again (``extractor`` is then unused)."""
    done = text if isinstance(text, Extracted) else extracted(text, extractor)
    extraction = done.extraction
    t1 = time.perf_counter()
    claims = extraction.claims
    verdicts = verify([c.text for c in claims], progress)
    t2 = time.perf_counter()
    by_claim = iter(verdicts)
    sentences = tuple(
        SentenceResult(s, tuple(ClaimResult(c, next(by_claim)) for c in s.claims))
        for s in extraction.sentences
    )
    stages: dict[str, float] = {"extraction": done.ms}
    for stage in ("embedding", "retrieval", "nli", "aggregation", "database"):
        spent = sum(v.timings_ms.get(stage, 0.0) for v in verdicts)
        if spent:
            stages[stage] = spent
    stages["verification"] = (t2 - t1) * 1000
    stages["total"] = (time.perf_counter() - t1) * 1000 + done.ms
    return CheckReport(extraction.text, collection, extraction.extractor, sentences, stages, source)


def check_text(
    verifier: Verifier,
    text: str | Extracted,
    collection: str,
    extractor: ClaimExtractor,
    options: VerifyOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    source: str | None = None,
) -> CheckReport:
    """Check ``text`` against ``collection``: every claim through ``verifier.verify_many``.

    Verdicts are not stored unless ``options.persist``. The collection is checked before any
    claim is extracted, so an unknown collection fails fast (a text already ``extracted`` is
    not extracted again).
    """
    verifier.store.get_collection(collection)
    run_options = options or verifier.options

    def verify(claims: Sequence[str], report: Callable[[int, int], None] | None) -> list[Verdict]:
        return verifier.verify_many(
            claims, collection, run_options, report, batch_claims=CHECK_BATCH_CLAIMS
        )

    return check_with(text, extractor, verify, collection, progress, source)
