"""TruthGraph: verify claims against your own evidence corpus.

    from truthgraph import Settings
    from truthgraph.wiring import build_verifier

    verifier = build_verifier(Settings())
    verdict = verifier.verify("Fox 2000 Pictures released the film Soul Food.", "demo")
    print(verdict.label, verdict.confidence, verdict.evidence[0].hit.text)

Importing this package loads no model and opens no database.
"""

from truthgraph.domain import (
    EvidenceHit,
    Label,
    NLIScores,
    RawDocument,
    ScoredEvidence,
    Strategy,
    Verdict,
)
from truthgraph.errors import (
    ConfigError,
    DatasetError,
    EvidenceStoreError,
    InvalidInputError,
    ModelLoadError,
    NotFoundError,
    TruthGraphError,
    UnavailableError,
)
from truthgraph.settings import Settings
from truthgraph.verify.options import VerifyOptions
from truthgraph.verify.verifier import Verifier

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DatasetError",
    "EvidenceHit",
    "EvidenceStoreError",
    "InvalidInputError",
    "Label",
    "ModelLoadError",
    "NLIScores",
    "NotFoundError",
    "RawDocument",
    "ScoredEvidence",
    "Settings",
    "Strategy",
    "TruthGraphError",
    "UnavailableError",
    "Verdict",
    "Verifier",
    "VerifyOptions",
    "__version__",
]
