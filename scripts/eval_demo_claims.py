"""Claim-level accuracy of the configured verifier through the whole pipeline.

Ingests a corpus into a fresh collection of a temporary embedded database, verifies every
claim of a claims file (``{"claim", "expected"}`` per line), and prints a classification report
as JSON. Defaults: the bundled demo corpus and its 274 held-out FEVER candidate claims.

    python scripts/eval_demo_claims.py [--corpus FILE.jsonl] [--claims FILE.jsonl]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from truthgraph.data.jsonl import read_objects
from truthgraph.domain import Label
from truthgraph.ingest.pipeline import ingest, load_documents
from truthgraph.measures.metrics import classification_report
from truthgraph.settings import Settings
from truthgraph.wiring import build_embedder, build_store, build_verifier

DEMO = Path(__file__).resolve().parent.parent / "src" / "truthgraph" / "demo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEMO / "corpus.jsonl")
    parser.add_argument("--claims", type=Path, default=DEMO / "candidate_claims.jsonl")
    args = parser.parse_args()
    rows = [row for _, row in read_objects(args.claims)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp))
        store = build_store(settings)
        embedder = build_embedder(settings)
        files, documents = load_documents([args.corpus])
        collection = store.ensure_collection(
            "eval", embedder.name, embedder.dimension, settings.retrieval
        )
        ingest(documents, collection, store, embedder, files=files)
        verifier = build_verifier(settings, store=store, embedder=embedder)
        verdicts = verifier.verify_many(
            [r["claim"] for r in rows], "eval", verifier.options_with(persist=False)
        )
        store.close()
    report = classification_report(
        [Label(r["expected"]) for r in rows], [v.label for v in verdicts]
    )
    report["model"] = {"embedding": settings.model.embedding_model, "nli": settings.model.nli_model}
    report["strategy"] = verifier.options.strategy.value
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
