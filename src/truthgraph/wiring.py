"""build_*(): the only place that names the concrete model and database classes."""

from __future__ import annotations

from truthgraph.db.database import open_store
from truthgraph.db.store import PgvectorEvidenceStore
from truthgraph.ml.device import detect_device
from truthgraph.ml.embedder import SentenceTransformerEmbedder
from truthgraph.ml.nli.model import CrossEncoderNLI
from truthgraph.ml.registry import resolve_model
from truthgraph.settings import Settings
from truthgraph.verify.verifier import Verifier, VerifyOptions


def quiet_libraries() -> None:
    """Silence library progress bars and load reports that would clutter the CLI."""
    import logging
    import os

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    except ImportError:  # pragma: no cover
        pass
    logging.getLogger("alembic").setLevel(logging.WARNING)


def build_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    quiet_libraries()
    model = resolve_model(settings.model.embedding_model, settings.models_dir)
    return SentenceTransformerEmbedder(
        model, detect_device(settings.model.device), settings.model.embedding_batch_size
    )


def build_nli(settings: Settings) -> CrossEncoderNLI:
    quiet_libraries()
    model = resolve_model(settings.model.nli_model, settings.models_dir)
    return CrossEncoderNLI(
        model,
        detect_device(settings.model.device),
        settings.model.nli_batch_size,
        settings.model.nli_max_length,
    )


def build_store(settings: Settings) -> PgvectorEvidenceStore:
    return open_store(settings)


def verify_options(settings: Settings) -> VerifyOptions:
    return VerifyOptions(
        top_k=settings.retrieval.top_k,
        strategy=settings.verification.strategy,
        threshold=settings.verification.confidence_threshold,
        min_similarity=settings.verification.min_similarity,
        ef_search=settings.retrieval.hnsw_ef_search,
        probes=settings.retrieval.ivfflat_probes,
        max_claim_chars=settings.verification.max_claim_chars,
    )


def build_verifier(
    settings: Settings,
    store: PgvectorEvidenceStore | None = None,
    embedder: SentenceTransformerEmbedder | None = None,
    nli: CrossEncoderNLI | None = None,
) -> Verifier:
    """A Verifier with the configured models and database (parts passed in are reused)."""
    return Verifier(
        embedder or build_embedder(settings),
        nli or build_nli(settings),
        store or build_store(settings),
        verify_options(settings),
    )
