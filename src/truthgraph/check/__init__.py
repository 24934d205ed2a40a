"""Check whole texts: every check-worthy sentence split into atomic claims (``extract``),
each claim verified through the ``Verifier``, and the verdicts rolled up per sentence and per
document (``CheckReport``)."""

from truthgraph.check.report import CheckReport, ClaimResult, SentenceResult
from truthgraph.check.run import Extracted, check_text, check_with, extracted

__all__ = [
    "CheckReport",
    "ClaimResult",
    "Extracted",
    "SentenceResult",
    "check_text",
    "check_with",
    "extracted",
]
