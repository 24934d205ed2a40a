"""``truthgraph bench vector-search``: pgvector search latency and recall@10, HNSW and IVFFlat."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from truthgraph.bench.texts import DEFAULT_CLAIMS, DEFAULT_CORPUS
from truthgraph.cli.bench import common
from truthgraph.settings import Settings

if TYPE_CHECKING:
    from truthgraph.settings import IndexVectorType


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="pgvector search latency and recall@10.")
    parser.add_argument("--corpus-size", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--index", type=str, default="hnsw,ivfflat")
    parser.add_argument("--ef-search", type=common.ints, default=[40, 100])
    parser.add_argument("--probes", type=common.ints, default=[10, 20])
    parser.add_argument("--hnsw-m", type=common.ints, default=[16], help="HNSW m values to build")
    parser.add_argument(
        "--ef-construction", type=common.ints, default=[64], help="HNSW ef_construction values"
    )
    parser.add_argument(
        "--vector-type",
        type=str,
        default="vector",
        help="what HNSW indexes hold: vector (float32), halfvec (float16) or both, comma-separated",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--claims", type=Path, default=DEFAULT_CLAIMS)
    common.output_flag(parser, "vector_search.json")
    args = parser.parse_args(argv)
    known: dict[str, IndexVectorType] = {"vector": "vector", "halfvec": "halfvec"}
    names = [x.strip() for x in args.vector_type.split(",")]
    if not names or not set(names) <= set(known):
        parser.error(f"--vector-type: use vector, halfvec or both, not {args.vector_type!r}")
    vector_types = [known[x] for x in names]
    common.quiet()
    from truthgraph.bench.texts import claims, corpus_sentences
    from truthgraph.bench.vector_search import run_vector_search_benchmark
    from truthgraph.wiring import build_embedder, build_store

    settings = settings or Settings()
    store = build_store(settings)
    try:
        query_texts = claims(args.claims)
        query_texts = (query_texts * (args.queries // len(query_texts) + 1))[: args.queries]
        result = run_vector_search_benchmark(
            store,
            build_embedder(settings),
            corpus_sentences(args.corpus),
            query_texts,
            args.corpus_size,
            index_types=[x.strip() for x in args.index.split(",")],
            ef_search_values=args.ef_search,
            probes_values=args.probes,
            hnsw_builds=[(m, efc) for m in args.hnsw_m for efc in args.ef_construction],
            vector_types=vector_types,
        )
    finally:
        store.close()
    common.table(
        f"vector search, {result['corpus_size']} vectors ({result['dimension']}-dim), "
        f"{result['queries']} queries, top {result['top_k']}",
        [
            "index",
            "ef/probes",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "recall@10",
            "eps recall",
            "build s",
            "index MB",
        ],
        [
            (
                r["index"],
                r.get("ef_search", r.get("probes")),
                r["latency_ms"]["p50"],
                r["latency_ms"]["p95"],
                r["latency_ms"]["p99"],
                r["recall_at_k"],
                r["recall_at_k_eps"],
                r["index_build_s"],
                r["index_mb"],
            )
            for r in result["results"]
        ],
    )
    common.write_json(result, args.output or common.default_output(settings, "vector_search.json"))
    return result
