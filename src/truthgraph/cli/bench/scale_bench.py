"""``truthgraph bench scale``: ingestion and batch verification, one process against Ray with
1 and 2 workers, from one run; Ray's overhead per item; and the figures the sizing table
(``bench.sizing``) rests on: bytes per row, HNSW builds, per-core rates. Writes SCALE.md."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from psycopg import sql

from truthgraph.bench.machine import describe_machine, machine_line
from truthgraph.bench.sizing import Measured, fit_exponent, sizing_table
from truthgraph.bench.vector_search import corpus_vectors, load_collection
from truthgraph.db.roles import EvidenceDatabase
from truthgraph.db.sql import _index_name
from truthgraph.distributed.ingest import ingest_on_ray
from truthgraph.distributed.ray_setup import RayOptions, ray_runtime
from truthgraph.distributed.verify import RayVerifier
from truthgraph.domain import RawDocument
from truthgraph.errors import NotFoundError
from truthgraph.ingest.pipeline import ingest
from truthgraph.settings import Settings

PREFIX = "scale-bench"


@dataclass(frozen=True, slots=True)
class Run:
    """One timed run: ``items`` done in ``seconds``; ``first_s`` when the first batch came
    back (for Ray: worker processes started and their models loaded)."""

    name: str
    items: int
    seconds: float
    first_s: float

    @property
    def rate(self) -> float:
        return self.items / self.seconds


@dataclass(frozen=True, slots=True)
class Overhead:
    """Ray's cost beyond one process, from a small and a full run on 1 worker: a fixed
    start-up (the small run's time) and a cost per item (the time the extra items added,
    less one process's time per item)."""

    small_items: int
    fixed_s: float
    ray_ms_per_item: float
    single_ms_per_item: float

    @property
    def ms_per_item(self) -> float:
        return self.ray_ms_per_item - self.single_ms_per_item


def overhead(single: Run, small: Run, full: Run) -> Overhead:
    """Split a 1-worker Ray run's time into start-up and a cost per item."""
    extra = max(full.items - small.items, 1)
    return Overhead(
        small_items=small.items,
        fixed_s=small.seconds,
        ray_ms_per_item=(full.seconds - small.seconds) / extra * 1000,
        single_ms_per_item=single.seconds / single.items * 1000,
    )


class _Clock:
    """A progress callback that remembers when the first items came back."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.first_s: float | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.first_s is None and done > 0:
            self.first_s = time.perf_counter() - self.started

    def run(self, name: str, items: int) -> Run:
        seconds = time.perf_counter() - self.started
        return Run(name, items, seconds, self.first_s if self.first_s is not None else seconds)


def replicated_corpus(documents: Sequence[RawDocument], copies: int) -> list[RawDocument]:
    """``copies`` of ``documents``, each copy a distinct document (its title numbered)."""
    return [
        replace(doc, title=f"{doc.title or ''} #{copy}", external_id=None)
        for copy in range(copies)
        for doc in documents
    ]


def _fresh_collection(store: EvidenceDatabase, name: str) -> str:
    with contextlib.suppress(NotFoundError):
        store.drop_collection(name)
    return name


def measure_ingest(
    store: EvidenceDatabase,
    embedder: Any,
    settings: Settings,
    documents: Sequence[RawDocument],
    workers: Sequence[int],
    small: int = 16,
) -> tuple[list[Run], Overhead, int]:
    """Sentences per second: one process, then Ray with each number of ``workers``; and
    Ray's overhead, from a run of the first ``small`` documents on 1 worker."""
    name = _fresh_collection(store, f"{PREFIX}-single")
    target = store.ensure_collection(name, embedder.name, embedder.dimension, settings.retrieval)
    clock = _Clock()
    report = ingest(documents, target, store, embedder, progress=clock)
    runs = [clock.run("one process", report.sentences_added)]

    def on_ray(docs: Sequence[RawDocument], count: int) -> Run:
        name = _fresh_collection(store, f"{PREFIX}-ray{count}")
        clock = _Clock()
        options = RayOptions(workers=count)
        done = ingest_on_ray(docs, name, settings, options, 0, clock, embedder)
        store.drop_collection(name)
        return clock.run(f"Ray, {count} worker(s)", done.sentences_added)

    runs += [on_ray(documents, count) for count in workers]
    first = on_ray(documents[:small], 1)
    return runs, overhead(runs[0], first, runs[1]), report.sentences_added


def measure_verify(
    store: EvidenceDatabase,
    embedder: Any,
    nli: Any,
    settings: Settings,
    claims: Sequence[str],
    workers: Sequence[int],
    small: int = 16,
) -> tuple[list[Run], Overhead]:
    """Claims per second over the single run's collection, caches off, nothing stored; and
    Ray's overhead, from a run of the first ``small`` claims on 1 worker."""
    from truthgraph.wiring import build_verifier

    collection = f"{PREFIX}-single"
    verifier = build_verifier(settings, store, embedder, nli, caches=False)
    options = verifier.options_with(persist=False)
    clock = _Clock()
    verifier.verify_many(claims, collection, options, progress=clock)
    runs = [clock.run("one process", len(claims))]

    def on_ray(texts: Sequence[str], count: int) -> Run:
        ray_verifier = RayVerifier(
            settings, RayOptions(workers=count), options, store.url, embedder.name, caches=False
        )
        clock = _Clock()
        ray_verifier.verify_many(texts, collection, options, progress=clock)
        return clock.run(f"Ray, {count} worker(s)", len(texts))

    runs += [on_ray(claims, count) for count in workers]
    first = on_ray(claims[:small], 1)
    return runs, overhead(runs[0], first, runs[1])


def measure_storage(store: EvidenceDatabase, collection: str, dim: int) -> dict[str, float]:
    """Average bytes per evidence row, per float32 vector and per halfvec of the same."""
    query = sql.SQL(
        "SELECT avg(pg_column_size(e.*)), avg(pg_column_size(e.embedding)), "
        "avg(pg_column_size(e.embedding::halfvec({dim}))) FROM evidence e "
        "JOIN collections c ON c.id = e.collection_id WHERE c.name = %s"
    ).format(dim=sql.Literal(dim))
    with store._connection() as conn:
        row = conn.execute(query, (collection,)).fetchone()
    if row is None or row[0] is None:
        raise NotFoundError(f"collection {collection!r} holds no evidence")
    return {"row": float(row[0]), "vector": float(row[1]), "halfvec": float(row[2])}


def measure_hnsw(
    store: EvidenceDatabase,
    embedder: Any,
    settings: Settings,
    sentences: Sequence[str],
    sizes: Sequence[int],
) -> dict[str, list[tuple[int, float, float]]]:
    """(rows, build seconds, index bytes) of HNSW builds at each size, for vector and
    halfvec (the vectors past the real sentences are noisy copies, as in ``bench
    vector-search``)."""
    results: dict[str, list[tuple[int, float, float]]] = {"vector": [], "halfvec": []}
    for rows in sizes:
        texts, vectors = corpus_vectors(embedder, sentences, rows)
        for kind in ("vector", "halfvec"):
            retrieval = settings.retrieval.model_copy(
                update={"index_type": "hnsw", "index_vector_type": kind}
            )
            name = f"{PREFIX}-hnsw-{kind}-{rows}"
            collection, _, build_s = load_collection(
                store, name, texts, vectors, retrieval, embedder.name
            )
            with store._connection() as conn:
                size_row = conn.execute(
                    sql.SQL("SELECT pg_relation_size({}::regclass)").format(
                        sql.Literal(_index_name(collection.id).as_string(conn))
                    )
                ).fetchone()
            results[kind].append((rows, build_s, float(size_row[0]) if size_row else 0.0))
            store.drop_collection(name)
    return results


def run_scale_benchmark(
    settings: Settings,
    copies: int = 5,
    claims_count: int = 48,
    hnsw_sizes: Sequence[int] = (2000, 8000),
    workers: Sequence[int] = (1, 2),
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Every figure of SCALE.md, measured in one run."""
    from truthgraph.bench.texts import DEFAULT_CORPUS, claims, corpus_sentences
    from truthgraph.ingest.pipeline import load_documents
    from truthgraph.wiring import build_embedder, build_nli, build_store

    say = progress or (lambda _: None)
    load_before = os.getloadavg()[0]
    store = build_store(settings)
    try:
        embedder = build_embedder(settings)
        nli = build_nli(settings)
        _, demo = load_documents([DEFAULT_CORPUS])
        documents = replicated_corpus(demo, copies)
        texts = corpus_sentences(DEFAULT_CORPUS)
        claim_texts = (claims() * (claims_count // len(claims()) + 1))[:claims_count]
        with ray_runtime(RayOptions()):
            say("ingestion")
            ingest_runs, ingest_overhead, sentences = measure_ingest(
                store, embedder, settings, documents, workers
            )
            say("verification")
            verify_runs, verify_overhead = measure_verify(
                store, embedder, nli, settings, claim_texts, workers
            )
        say("storage and HNSW builds")
        storage = measure_storage(store, f"{PREFIX}-single", embedder.dimension)
        hnsw = measure_hnsw(store, embedder, settings, texts, hnsw_sizes)
        say("embedding rate")
        sample = (texts * (512 // len(texts) + 1))[:512]
        embedder.embed(sample[:32])
        started = time.perf_counter()
        embedder.embed(sample)
        embed_rate = len(sample) / (time.perf_counter() - started)
        store.drop_collection(f"{PREFIX}-single")
    finally:
        store.close()
    cores = len(os.sched_getaffinity(0))
    (n1, t1, _), (n2, t2, index_vector) = hnsw["vector"][0], hnsw["vector"][-1]
    measured = Measured(
        row_bytes_vector=storage["row"],
        vector_bytes=storage["vector"],
        halfvec_bytes=storage["halfvec"],
        index_bytes_vector=index_vector / n2,
        index_bytes_halfvec=hnsw["halfvec"][-1][2] / n2,
        build_rows=n2,
        build_s_vector=t2,
        build_s_halfvec=hnsw["halfvec"][-1][1],
        build_exponent=fit_exponent((n1, n2), (t1, t2)),
        embed_per_core=embed_rate / cores,
        verify_per_core=verify_runs[0].rate / cores,
        cores=cores,
    )
    return {
        "load": (load_before, os.getloadavg()[0]),
        "machine": describe_machine(),
        "documents": len(documents),
        "sentences": sentences,
        "claims": claims_count,
        "ingest": ingest_runs,
        "ingest_overhead": ingest_overhead,
        "verify": verify_runs,
        "verify_overhead": verify_overhead,
        "hnsw": hnsw,
        "embed_rate": embed_rate,
        "measured": measured,
        "backend": {"embedding": embedder.backend, "nli": nli.backend},
    }


def _ratio_table(runs: Sequence[Run], cost: Overhead, unit: str) -> list[str]:
    base = runs[0]
    lines = [
        f"| run | {unit}/s | ratio to one process | first batch back after |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r.name} | {r.rate:.1f} | {r.rate / base.rate:.2f} | {r.first_s:.1f} s |" for r in runs
    ]
    lines += [
        "",
        f"Ray's overhead (1 worker): a fixed {cost.fixed_s:.1f} s to start (a run of "
        f"{cost.small_items} {unit}), then {cost.ray_ms_per_item:.1f} ms per further item "
        f"against {cost.single_ms_per_item:.1f} ms in one process: "
        f"**{cost.ms_per_item:+.1f} ms per item**.",
    ]
    return lines


def render_scale(figures: dict[str, Any], command: str) -> str:
    """SCALE.md."""
    measured: Measured = figures["measured"]
    machine = figures["machine"]
    hnsw = figures["hnsw"]
    lines = [
        "# Scaling past one machine: measured figures and sizing",
        "",
        f"Generated by `{command}` (do not edit by hand) on {machine_line(machine)}; "
        f"git {machine.get('truthgraph_git_sha') or 'unknown'}. Models: embedding on "
        f"{figures['backend']['embedding']}, NLI on {figures['backend']['nli']}. "
        "Ray runs are a local Ray on this machine's cores (one run, so the ratios compare "
        "like with like); see [docs/scale.md](../docs/scale.md). Load average (1 min) at the "
        f"start {figures['load'][0]:.1f}, at the end {figures['load'][1]:.1f}: a figure above "
        f"the {machine['usable_cpus']} CPUs means other work shared them, and the times are "
        "longer and noisier than on a quiet machine.",
        "",
        f"## Ingestion: {figures['documents']} documents, {figures['sentences']} sentences",
        "",
        *_ratio_table(figures["ingest"], figures["ingest_overhead"], "sentences"),
        "",
        f"## Batch verification: {figures['claims']} claims (NLI cache off, nothing stored)",
        "",
        *_ratio_table(figures["verify"], figures["verify_overhead"], "claims"),
        "",
        "The ratios include Ray's start-up: every run starts its worker processes and loads "
        "a model in each actor before the first batch comes back, then moves every batch "
        "through the object store. On 2 cores the workers share the cores one process "
        "already used, so Ray cannot be faster here; it pays off when the workers run on "
        "more cores and machines, and the start-up is paid once per run.",
        "",
        "## Figures the sizing rests on",
        "",
        "| figure | measured |",
        "|---|---:|",
        "| evidence row as stored (text, offsets, float32 vector) "
        f"| {measured.row_bytes_vector:.0f} B |",
        f"| float32 `vector` column | {measured.vector_bytes:.0f} B |",
        f"| `halfvec` of the same vector | {measured.halfvec_bytes:.0f} B |",
    ]
    for kind in ("vector", "halfvec"):
        for rows, seconds, size_bytes in hnsw[kind]:
            lines.append(
                f"| HNSW build, {rows:,} rows, {kind} | {seconds:.2f} s, "
                f"{size_bytes / rows:.0f} B/row |"
            )
    lines += [
        f"| HNSW build time exponent (t ∝ rows^b, fitted) | {measured.build_exponent:.2f} |",
        f"| embedding, sentences/s per core | {measured.embed_per_core:.1f} |",
        f"| verification, claims/s per core (one process) | {measured.verify_per_core:.2f} |",
        "",
        "## Sizing on paper",
        "",
        *sizing_table(measured),
        "",
        "How to read it:",
        "",
        "- Storage is per copy of the data; the HNSW index must fit in the memory of the server "
        "that searches it (halfvec nearly halves it at the same recall, as measured in "
        "[decision 0004](../docs/decisions/0004-vector-search-at-a-million.md)).",
        "- The HNSW build is extrapolated from the two measured builds with the fitted power "
        f"law, on this machine's {measured.cores} cores; PostgreSQL builds one index at a time, "
        "so a large corpus is split into partitions of 10M sentences (`evidence` partitioned by "
        "hash of the collection id for many collections, or by hash of the document id for one "
        "large collection), each with its own index, built in parallel on separate servers.",
        "- Cores to embed: the corpus embedded in one hour at the measured per-core rate "
        "(Ray's overhead per item above comes on top).",
        "- Cores for 1M claims/day: 11.6 claims/s at the measured per-core rate of the whole "
        "pipeline (embedding, search, NLI, aggregation).",
        "- Search is read-only: read replicas of PostgreSQL, each holding the indexes in memory, "
        "serve the searches; the primary takes the writes (ingestion, verdicts).",
        "",
    ]
    return "\n".join(lines)
