"""The stores, the verifier and the extractor, and ``Parts``: every part a process runs on,
built once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from truthgraph.errors import ConfigError
from truthgraph.extract import ClaimExtractor, DecomposingExtractor, SentenceExtractor
from truthgraph.ml.loading import build_embedder, build_nli, load_models
from truthgraph.ports import Embedder, LoadedEmbedder, LoadedNLIModel, NLIModel, nli_cache_key
from truthgraph.settings import Settings
from truthgraph.verify.aggregate import Decisive
from truthgraph.verify.judge import Judge, same_model
from truthgraph.verify.options import VerifyOptions
from truthgraph.verify.verifier import Verifier
from truthgraph.wiring.models import nli_calibration, second_opinion

if TYPE_CHECKING:  # the database loads only when a path uses it
    from truthgraph.check.against import MemoryEvidenceStore
    from truthgraph.db.roles import EvidenceDatabase, JobStore, KeyStore


def build_store(settings: Settings) -> EvidenceDatabase:
    from truthgraph.db.database import open_store

    return open_store(settings)


def store_at(url: str, max_connections: int = 1) -> EvidenceDatabase:
    """A store on a database whose schema is already current (a distributed run's workers:
    the driver brought the schema up to date), holding at most ``max_connections``."""
    from truthgraph.db.store import PgvectorEvidenceStore

    return PgvectorEvidenceStore(url, max_connections=max_connections)


def build_judge(
    settings: Settings, nli: LoadedNLIModel, store: EvidenceDatabase | None = None
) -> Judge:
    """The NLI half of a verifier (what a distributed run's NLI workers hold): the model,
    the database's NLI cache (``store``; None: no cache), and the verifier's calibration, as
    ``build_verifier`` has them."""
    key = nli_cache_key(nli) if store is not None else None
    return Judge(nli, store, key, nli_calibration(settings), second_opinion(settings, store))


T = TypeVar("T")


def grounding_options(settings: Settings) -> VerifyOptions:
    """The options of a check against given documents: ``verify_options`` with the
    ``grounding`` settings that are set in place of theirs (decision 0032)."""
    options, ground = verify_options(settings), settings.grounding
    rule = options.decisive
    return replace(
        options,
        top_k=_given(ground.top_k, options.top_k),
        strategy=_given(ground.strategy, options.strategy),
        evidence_context=_given(ground.evidence_context, options.evidence_context),
        decisive=Decisive(
            _given(ground.support_threshold, rule.support),
            _given(ground.refute_threshold, rule.refute),
            _given(ground.support_margin, rule.margin),
        ),
    )


def _given(value: T | None, otherwise: T) -> T:
    """``value``, where the setting is given."""
    return otherwise if value is None else value


def verify_options(settings: Settings) -> VerifyOptions:
    return VerifyOptions(
        top_k=settings.retrieval.top_k,
        strategy=settings.verification.strategy,
        threshold=settings.verification.confidence_threshold,
        min_similarity=settings.verification.min_similarity,
        ef_search=settings.retrieval.hnsw_ef_search,
        probes=settings.retrieval.ivfflat_probes,
        max_claim_chars=settings.verification.max_claim_chars,
        evidence_context=settings.verification.evidence_context,
        hybrid=settings.retrieval.hybrid,
        joined_evidence=settings.verification.joined_evidence,
        rerank_depth=settings.retrieval.rerank_depth,
        decisive=Decisive(
            settings.verification.support_threshold,
            settings.verification.refute_threshold,
            settings.verification.support_margin,
        ),
    )


@dataclass(frozen=True)
class ServiceParts:
    """A store and loaded models that the caller built and owns (the tests share theirs with
    the HTTP service this way); whoever receives them does not close them."""

    store: EvidenceDatabase
    embedder: LoadedEmbedder
    nli: LoadedNLIModel


@dataclass(frozen=True)
class VerifierHooks:
    """How a caller changes what ``build_verifier`` assembles (the HTTP service's hooks).

    ``embedder`` and ``nli`` wrap each loaded model, and ``second_nli`` the second opinion's
    when it loads (the service puts its micro-batchers there); the claim-embedding cache goes
    in front of the wrapped embedder and holds ``embedding_cache_size`` claims (0: none);
    ``nli_cache`` reads back the scores of (evidence, claim) pairs seen before from the
    database; ``watch_embedding_cache`` is given a function that reports the cache's (hits,
    misses).
    """

    embedder: Callable[[LoadedEmbedder], Embedder] = same_model
    nli: Callable[[LoadedNLIModel], NLIModel] = same_model
    second_nli: Callable[[LoadedNLIModel], NLIModel] = same_model
    embedding_cache_size: int = 10_000
    nli_cache: bool = True
    watch_embedding_cache: Callable[[Callable[[], tuple[int, int]]], None] | None = None


def build_verifier(
    settings: Settings,
    store: EvidenceDatabase | None = None,
    embedder: LoadedEmbedder | None = None,
    nli: LoadedNLIModel | None = None,
    caches: bool = True,
    hooks: VerifierHooks | None = None,
) -> Verifier:
    """A Verifier with the configured models and database (parts passed in are reused).

    Claims seen recently are not embedded again, and (evidence, claim) pairs scored before
    are read back from the database's NLI cache. ``caches=False`` turns both off, so every
    claim is embedded and every pair scored by the model (what ``truthgraph eval`` and the
    end-to-end benchmark time). ``hooks`` wrap the models and size the caches (see
    ``VerifierHooks``; ``caches=False`` overrides its caches).
    """
    from truthgraph.ml.embedding_cache import CachingEmbedder

    hooks = hooks or VerifierHooks()
    if not caches:
        hooks = VerifierHooks(hooks.embedder, hooks.nli, hooks.second_nli, 0, False)
    store = store or build_store(settings)
    loaded_embedder = embedder or build_embedder(settings)
    loaded_nli = nli or build_nli(settings)
    claim_embedder = hooks.embedder(loaded_embedder)
    if hooks.embedding_cache_size > 0:
        cached = CachingEmbedder(claim_embedder, max_entries=hooks.embedding_cache_size)
        if hooks.watch_embedding_cache is not None:
            hooks.watch_embedding_cache(lambda: (cached.hits, cached.misses))
        claim_embedder = cached
    return Verifier(
        claim_embedder,
        hooks.nli(loaded_nli),
        store,
        verify_options(settings),
        nli_cache=store if hooks.nli_cache else None,
        nli_cache_key=nli_cache_key(loaded_nli) if hooks.nli_cache else None,
        calibration=nli_calibration(settings),
        second=second_opinion(settings, store if hooks.nli_cache else None, hooks.second_nli),
    )


def build_grounding_verifier(
    settings: Settings,
    store: MemoryEvidenceStore | None = None,
    embedder: LoadedEmbedder | None = None,
    nli: LoadedNLIModel | None = None,
) -> Verifier:
    """A Verifier over documents held in memory (``check --against``, ``check_text``,
    ``eval-check``): the configured models, the grounding options and calibration, the second
    opinion only where ``settings.grounding.second_opinion`` asks for it, and no database at
    all (no store, no NLI cache, no claim cache). ``store`` None: an empty one
    (``check.against.check_against`` puts each text's documents in its place)."""
    from truthgraph.check.against import MemoryEvidenceStore as Empty

    loaded = embedder or build_embedder(settings)
    return Verifier(
        loaded,
        nli or build_nli(settings),
        store or Empty([], loaded),
        grounding_options(settings),
        calibration=nli_calibration(settings),
        second=second_opinion(settings) if settings.grounding.second_opinion else None,
    )


EXTRACTORS = ("builtin", "sentence", "llm")


def build_extractor(settings: Settings, name: str = "builtin") -> ClaimExtractor:
    """The claim extractor of ``truthgraph check``: ``builtin`` (rules, offline),
    ``sentence`` (each check-worthy sentence whole) or ``llm`` (the chat endpoint of
    ``settings.llm``; ConfigError when none is set)."""
    if name == "builtin":
        return DecomposingExtractor()
    if name == "sentence":
        return SentenceExtractor()
    if name == "llm":
        from truthgraph.extract.llm import ChatExtractor

        return ChatExtractor(settings.llm)
    raise ConfigError(f"unknown extractor {name!r}; use one of {', '.join(EXTRACTORS)}")


class Parts:
    """Every part one process runs on, each built here on first use and then reused: the
    evidence database (``store``), the job and key stores (``jobs``, ``keys``), the embedding
    and NLI models, the ``Judge`` with its second opinion, the verifier and the claim
    extractor. The CLI, the HTTP service and its job worker, the Ray stages and the end-to-end
    benchmark receive one and name no concrete class. ``close`` closes what was opened here;
    parts ``given`` (``ServiceParts``: the tests share theirs) stay the caller's.

    ``url``: a database whose schema is already current (a distributed run's workers: the
    driver brought it up to date), each store holding one connection; otherwise the
    configured database, started and migrated on first use. ``service``: the pools and
    timeouts of the HTTP service (``settings.api``).

    Pickled (a Ray stage's constructor argument), a Parts carries only how to build itself:
    each worker builds its own models and connections.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        url: str | None = None,
        service: bool = False,
        given: ServiceParts | None = None,
    ) -> None:
        self.settings = settings
        self._url = url
        self._on_worker = url is not None
        self._service = service
        self._given = given
        self._closers: list[Callable[[], None]] = []
        self._judges: dict[bool, Judge] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"settings": self.settings, "url": self._url, "service": self._service}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["settings"], url=state["url"], service=state["service"])  # type: ignore[misc]

    def on_workers(self) -> Parts:
        """Parts for a distributed run's workers: the same settings, on this database."""
        return Parts(self.settings, url=self.url)

    @cached_property
    def url(self) -> str:
        """The database's URL (the embedded server started, the schema brought up to date)."""
        if self._url is not None:
            return self._url
        if self._given is not None:
            return self._given.store.url
        from truthgraph.db.database import database_url
        from truthgraph.db.migrate import upgrade

        url = database_url(self.settings)
        upgrade(url)
        return url

    def _pool(self, connections: int) -> dict[str, Any]:
        """The pool size and timeout of one store."""
        if self._on_worker:
            return {"max_connections": 1}
        if self._service:
            return {"max_connections": connections, "timeout_s": self.settings.api.db_timeout_s}
        return {"max_connections": 4}

    def _opened(self, closer: Callable[[], None]) -> None:
        self._closers.append(closer)

    @cached_property
    def store(self) -> EvidenceDatabase:
        """The evidence database: collections, documents, search, NLI cache, verdicts."""
        if self._given is not None:
            return self._given.store
        from truthgraph.db.store import PgvectorEvidenceStore

        store = PgvectorEvidenceStore(self.url, **self._pool(self.settings.api.db_pool_size))
        self._opened(store.close)
        return store

    @cached_property
    def jobs(self) -> JobStore:
        """The service's background jobs."""
        from truthgraph.db.jobs import PgJobStore

        pool = self._pool(4)
        if self._given is not None:  # the tests' parts: the job store as before, its own pool
            pool = {"max_connections": 4}
        jobs = PgJobStore(self.url, **pool)
        self._opened(jobs.close)
        return jobs

    @cached_property
    def keys(self) -> KeyStore:
        """The service's API keys."""
        from truthgraph.db.keys import PgKeyStore

        keys = PgKeyStore(self.url, **self._pool(4))
        self._opened(keys.close)
        return keys

    @cached_property
    def embedder(self) -> LoadedEmbedder:
        return self._given.embedder if self._given is not None else build_embedder(self.settings)

    @cached_property
    def nli(self) -> LoadedNLIModel:
        return self._given.nli if self._given is not None else build_nli(self.settings)

    def load_models(self) -> dict[str, float]:
        """Both models loaded now (missing files fail first, with the fix in the message): the
        milliseconds each load took (none for models given or already loaded)."""
        if self._given is not None or "embedder" in self.__dict__ or "nli" in self.__dict__:
            self.embedder, self.nli  # noqa: B018 - built now
            return {}
        embedder, nli, load_ms = load_models(self.settings)
        self.__dict__["embedder"], self.__dict__["nli"] = embedder, nli
        return load_ms

    @cached_property
    def options(self) -> VerifyOptions:
        """The configured verification options (the local and the Ray path alike)."""
        return verify_options(self.settings)

    def judge(self, caches: bool = True) -> Judge:
        """The NLI half of the verifier, with its second opinion (what a Ray NLI worker holds);
        ``caches``: through the database's NLI cache."""
        if caches not in self._judges:
            self._judges[caches] = build_judge(
                self.settings, self.nli, self.store if caches else None
            )
        return self._judges[caches]

    def verifier(self, caches: bool = True, hooks: VerifierHooks | None = None) -> Verifier:
        """A Verifier on these parts (see ``build_verifier``)."""
        return build_verifier(
            self.settings, self.store, self.embedder, self.nli, caches=caches, hooks=hooks
        )

    def extractor(self, name: str = "builtin") -> ClaimExtractor:
        return build_extractor(self.settings, name)

    def close(self) -> None:
        """Close what was opened here, the last opened first."""
        while self._closers:
            self._closers.pop()()
