"""Measure the core engine's headline figures on this machine and print them as JSON.

- cold model load: a fresh Python process imports TruthGraph, loads both models, runs one
  inference each (the design document's warmup_all_models), wall time;
- RSS of a process with both models loaded;
- ingestion rate: sentences/s for a corpus into a fresh collection (embedded database);
- claim-to-verdict latency through the database with top-10 evidence: p50 / p95 over claims.

    python scripts/measure_core.py [--corpus FILE.jsonl] [--claims FILE.jsonl] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "src" / "truthgraph" / "demo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEMO / "corpus.jsonl")
    parser.add_argument("--claims", type=Path, default=DEMO / "candidate_claims.jsonl")
    parser.add_argument("--repeat", type=int, default=3, help="cold starts to take the median of")
    parser.add_argument("--max-claims", type=int, default=100)
    parser.add_argument(
        "--scifact-dir",
        type=Path,
        default=None,
        help="measure ingestion on the first --scifact-docs SciFact abstracts instead",
    )
    parser.add_argument("--scifact-docs", type=int, default=1000)
    args = parser.parse_args()

    from pydantic import SecretStr

    from truthgraph.bench.coldstart import cold_start
    from truthgraph.ingest.pipeline import ingest, load_documents
    from truthgraph.settings import Settings
    from truthgraph.verify.verifier import Verifier
    from truthgraph.wiring import build_embedder, build_nli, build_store, verify_options

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        starts = cold_start(home, args.repeat)
        url = os.environ.get("TRUTHGRAPH_DATABASE_URL")
        settings = Settings(home=home, database_url=SecretStr(url) if url else None)
        store = build_store(settings)
        embedder = build_embedder(settings)
        nli = build_nli(settings)
        files, documents = load_documents([args.corpus])
        if args.scifact_dir is not None:
            from truthgraph.datasets import load_scifact_corpus
            from truthgraph.domain import RawDocument

            abstracts = list(load_scifact_corpus(args.scifact_dir).items())[: args.scifact_docs]
            scifact = [
                RawDocument(" ".join(s.strip() for s in sentences), title, "SciFact", None, doc)
                for doc, (title, sentences) in abstracts
            ]
            ingest_collection = store.ensure_collection(
                "measure-ingest", embedder.name, embedder.dimension, settings.retrieval
            )
            scifact_report = ingest(scifact, ingest_collection, store, embedder, files=1)
        collection = store.ensure_collection(
            "measure", embedder.name, embedder.dimension, settings.retrieval
        )
        report = ingest(documents, collection, store, embedder, files=files)
        if args.scifact_dir is not None:
            report = scifact_report
        verifier = Verifier(embedder, nli, store, verify_options(settings))
        claims = [
            json.loads(line)["claim"]
            for line in args.claims.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ][: args.max_claims]
        verifier.verify(claims[0], "measure")  # warm
        latencies = []
        for claim in claims:
            started = time.perf_counter()
            verifier.verify(claim, "measure")
            latencies.append((time.perf_counter() - started) * 1000)
        store.close()
        import psutil

        rss = psutil.Process().memory_info().rss / 2**20
    latencies.sort()
    result = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "cold_start": starts,
        "rss_mb_after_ingest_and_verify": round(rss, 1),
        "ingest": {
            "documents": report.documents_added,
            "sentences": report.sentences_added,
            "seconds": round(report.seconds, 2),
            "sentences_per_s": round(report.sentences_per_second, 1),
        },
        "verify_top10_through_db_ms": {
            "claims": len(latencies),
            "p50": round(statistics.median(latencies), 1),
            "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        },
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
