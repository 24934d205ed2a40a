"""From text to atomic claims, offline and pure: sentences with offsets, the check-worthiness
filter, decomposition into one-fact claims, the check that every claim maps back to a span of
the source, and the roll-up of claim labels into sentence verdicts.

No model and no database: ``truthgraph.check`` runs the verifier over what this package finds.
"""

from truthgraph.extract.extractors import (
    ClaimExtractor,
    DecomposingExtractor,
    SentenceExtractor,
    extract,
)
from truthgraph.extract.rollup import document_counts, factuality, rollup
from truthgraph.extract.spans import map_claim
from truthgraph.extract.types import (
    AtomicClaim,
    CheckedSentence,
    Extraction,
    Proposal,
    SentenceLabel,
)
from truthgraph.extract.worthiness import skip_reason

__all__ = [
    "AtomicClaim",
    "CheckedSentence",
    "ClaimExtractor",
    "DecomposingExtractor",
    "Extraction",
    "Proposal",
    "SentenceExtractor",
    "SentenceLabel",
    "document_counts",
    "extract",
    "factuality",
    "map_claim",
    "rollup",
    "skip_reason",
]
