"""TruthGraph: verify claims against your own evidence corpus.

    from truthgraph import Settings
    from truthgraph.wiring import build_verifier

    verifier = build_verifier(Settings())
    verdict = verifier.verify("Fox 2000 Pictures released the film Soul Food.", "demo")
    print(verdict.label, verdict.confidence, verdict.evidence[0].hit.text)

To check an answer, a summary or a report against the documents it came with (no database):

    from truthgraph import check_text

    report = check_text(answer, against=["source.pdf", "https://example.org/page"])
    print(report.verdict, report.factuality)

Importing this package loads no model and opens no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

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
    DocumentError,
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

if TYPE_CHECKING:
    from pathlib import Path

    from truthgraph.check.report import CheckReport

__version__ = "0.1.0"


def check_text(
    text: str,
    against: Sequence[str | Path | RawDocument],
    *,
    settings: Settings | None = None,
    labels: str = "three-way",
    extractor: str = "builtin",
    top_k: int | None = None,
) -> CheckReport:
    """Check ``text`` claim by claim against the documents ``against`` only (files, URLs,
    ``RawDocument`` objects or texts): no database, no server, nothing stored. The models load
    on the first call. See ``truthgraph.grounding.check_text``."""
    from truthgraph.grounding import check_text as run

    return run(text, against, settings=settings, labels=labels, extractor=extractor, top_k=top_k)


__all__ = [
    "ConfigError",
    "DatasetError",
    "DocumentError",
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
    "check_text",
    "__version__",
]
