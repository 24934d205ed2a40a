"""The one settings object, read from ``TRUTHGRAPH_*`` environment variables.

Settings are read only at entry points (the CLI root callback, the benchmark scripts);
library code receives explicit parameters or a sub-settings object.

    TRUTHGRAPH_HOME                        data folder (default ``~/.truthgraph``)
    TRUTHGRAPH_DATABASE_URL                external PostgreSQL with pgvector; unset: embedded
    TRUTHGRAPH_MODEL__EMBEDDING_MODEL      e.g. ``all-MiniLM-L6-v2``, ``all-mpnet-base-v2``, a path
    TRUTHGRAPH_MODEL__NLI_MODEL            e.g. ``truthgraph-verifier-minilm``, a path, a hub name
    TRUTHGRAPH_MODEL__BACKEND              auto | torch | onnx | onnx-int8 (see ml/backend.py)
    TRUTHGRAPH_RETRIEVAL__TOP_K, ..._INDEX_TYPE (hnsw|ivfflat), ..._HNSW_M, ...
    TRUTHGRAPH_VERIFICATION__STRATEGY      weighted_vote | majority_vote | ...
    TRUTHGRAPH_FETCH__TIMEOUT_S, ..._MAX_BYTES, ..._MAX_REDIRECTS   reading http(s) URLs
    TRUTHGRAPH_API_KEYS, TRUTHGRAPH_API_*  the HTTP service (see ApiSettings)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from truthgraph.domain import EvidenceContext, Strategy

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
DEFAULT_NLI_MODEL = "truthgraph-verifier-minilm"


class ModelSettings(BaseModel):
    """Which models to load and how to run them."""

    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    nli_model: str = DEFAULT_NLI_MODEL
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    # auto: the fastest backend that met the quality bar for the model (see ml/backend.py)
    backend: Literal["auto", "torch", "onnx", "onnx-int8"] = "auto"
    embedding_batch_size: int = Field(default=64, ge=1, le=1024)
    nli_batch_size: int = Field(default=32, ge=1, le=1024)
    nli_max_length: int = Field(default=256, ge=16, le=1024)


IndexVectorType = Literal["vector", "halfvec"]


class RetrievalSettings(BaseModel):
    """Vector index and search parameters."""

    top_k: int = Field(default=5, ge=1, le=200)
    index_type: Literal["hnsw", "ivfflat"] = "hnsw"
    hnsw_m: int = Field(default=16, ge=2, le=100)
    hnsw_ef_construction: int = Field(default=64, ge=4, le=1000)
    hnsw_ef_search: int = Field(default=40, ge=1, le=1000)
    ivfflat_lists: int = Field(default=100, ge=1, le=32768)
    ivfflat_probes: int = Field(default=10, ge=1, le=32768)
    # The vector type the index holds: "vector" (float32) or "halfvec" (float16: 2 bytes a
    # dimension instead of 4; the table keeps float32). Fixed per collection when created.
    index_vector_type: IndexVectorType = "vector"
    # Verification: also search the sentences' words (PostgreSQL full text, any of the
    # claim's words) and merge both rankings by reciprocal rank fusion.
    hybrid: bool = False


class VerificationSettings(BaseModel):
    """Aggregation of pair scores into a verdict."""

    strategy: Strategy = Strategy.WEIGHTED_VOTE
    confidence_threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    min_similarity: float = Field(default=0.0, ge=-1.0, le=1.0)
    max_claim_chars: int = Field(default=2000, ge=10, le=100_000)
    # Apply the class bias and temperature fitted for the verifier (calibration.json in its
    # folder; see verify.calibration) to weighted-vote verdicts.
    calibration: bool = True
    # What the verifier reads as the premise of each retrieved sentence: the sentence with
    # its document's title in front ("Title: sentence", where the document has one; chosen on
    # the dev split), the sentence alone, the sentence with the one before it, or the average
    # of the sentence read alone and with its title.
    evidence_context: EvidenceContext = "title"


class FetchSettings(BaseModel):
    """Reading ``http(s)://`` sources (``truthgraph ingest URL``, ``POST /documents {url}``)."""

    timeout_s: float = Field(default=20.0, gt=0.0, le=600.0)  # connect, read and each write
    max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, le=1024**3)  # the body's cap
    max_redirects: int = Field(default=5, ge=0, le=50)
    user_agent: str = Field(
        default="TruthGraph/0.1.0 (local-first fact verification)",
        min_length=1,
        max_length=500,
    )


def _comma_separated(value: Any) -> Any:
    """``"a, b"`` -> ``["a", "b"]``; lists pass through."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class ApiSettings(BaseSettings):
    """The HTTP service (``truthgraph serve``), read from ``TRUTHGRAPH_API_*``.

    ``TRUTHGRAPH_API_KEYS=k1,k2`` turns on API keys for the write endpoints;
    ``TRUTHGRAPH_API_CORS_ORIGINS=https://a.example,https://b.example`` allows browsers on
    other origins; every other field reads ``TRUTHGRAPH_API_<FIELD>``.
    """

    model_config = SettingsConfigDict(env_prefix="TRUTHGRAPH_API_", extra="ignore")

    keys: Annotated[list[SecretStr], NoDecode] = []
    rate_limit_per_minute: int = Field(default=600, ge=0, le=1_000_000)  # 0: no limit
    rate_limit_burst: int = Field(default=120, ge=1, le=1_000_000)
    cors_origins: Annotated[list[str], NoDecode] = []
    max_queue_depth: int = Field(default=256, ge=1, le=100_000)
    retry_after_s: int = Field(default=1, ge=1, le=3600)
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=1024**3)
    max_batch_claims: int = Field(default=1000, ge=1, le=100_000)
    max_texts: int = Field(default=256, ge=1, le=10_000)
    max_text_chars: int = Field(default=10_000, ge=10, le=1_000_000)
    batch_window_ms: float = Field(default=5.0, ge=0.0, le=1000.0)
    max_batch_texts: int = Field(default=256, ge=1, le=10_000)
    max_batch_pairs: int = Field(default=320, ge=1, le=100_000)
    verify_concurrency: int = Field(default=64, ge=1, le=1024)
    db_pool_size: int = Field(default=16, ge=2, le=256)
    embedding_cache_size: int = Field(default=2048, ge=0, le=1_000_000)  # 0: no cache
    nli_cache: bool = True  # reuse the stored scores of (evidence, claim) pairs seen before
    job_chunk_claims: int = Field(default=8, ge=1, le=1024)
    job_workers: int = Field(default=1, ge=0, le=16)
    # POST /documents {"url"}: fetch URLs whose host resolves to a loopback, private or
    # reserved address (off: a client could read pages of the server's own network)
    fetch_private_urls: bool = False

    @field_validator("keys", "cors_origins", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _comma_separated(value)


class Settings(BaseSettings):
    """All of TruthGraph's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="TRUTHGRAPH_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    home: Path = Path("~/.truthgraph")
    database_url: SecretStr | None = None
    # The embedded server's page cache (PostgreSQL's shared_buffers, e.g. "4GB"); None keeps
    # PostgreSQL's default (128MB). Size it to the vector index for million-sentence corpora.
    embedded_shared_buffers: str | None = Field(
        default=None, pattern=r"^\s*\d+\s*(kB|MB|GB|TB)?\s*$"
    )
    model: ModelSettings = ModelSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    verification: VerificationSettings = VerificationSettings()
    fetch: FetchSettings = FetchSettings()
    api: ApiSettings = Field(default_factory=ApiSettings)

    @field_validator("home")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        url = value.get_secret_value().strip()
        for prefix in ("postgresql+psycopg://", "postgres://"):
            if url.startswith(prefix):
                url = "postgresql://" + url[len(prefix) :]
        return SecretStr(url)

    @property
    def models_dir(self) -> Path:
        """Where installed models (e.g. all-mpnet-base-v2) and ONNX exports live."""
        return self.home / "models"

    @property
    def pgdata_dir(self) -> Path:
        """The embedded PostgreSQL data folder."""
        return self.home / "pgdata"
