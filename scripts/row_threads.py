"""How an int8 graph's rows are best run on the CPU (ml/onnx/graph.py): one row a call with two
intra-op threads, one row a call on a single-threaded session with the rows side by side on a
pool of one thread per core, or batches of 64 (which an int8 graph may not use: decision 0031).

Usage: python scripts/scifact_documents.py --out runs/against   (the sentences come from there)
       python scripts/row_threads.py [--documents runs/against] [--rounds 3]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from truthgraph.bench.machine import describe_machine, machine_line
from truthgraph.ml.onnx.embedding import OnnxEmbedder
from truthgraph.ml.onnx.session import available_cores, create_session
from truthgraph.ml.onnx.tokens import Batch, bucketed_batches
from truthgraph.settings import Settings
from truthgraph.wiring import build_embedder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=Path, default=Path("runs/against"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    text = " ".join(p.read_text() for p in sorted(args.documents.glob("doc[12].txt")))
    sentences = [s for s in text.replace("\n", " ").split(". ") if s.strip()]
    embedder = build_embedder(Settings())
    if not isinstance(embedder, OnnxEmbedder) or embedder.backend != "onnx-int8":
        raise SystemExit(f"the embedder runs on {embedder.backend}, not onnx-int8")
    encodings = embedder._tokenizer.encode_batch(sentences)  # noqa: SLF001 (a measuring tool)
    names, output, pad = embedder._inputs, embedder._output, embedder._pad_id  # noqa: SLF001
    budget = embedder.batch_tokens
    cores = available_cores()
    two = create_session(embedder.path, "cpu", cores, None)
    one = create_session(embedder.path, "cpu", 1, None)
    pool = ThreadPoolExecutor(cores)

    def timed(session: Any, size: int, side_by_side: bool) -> float:
        batches = list(bucketed_batches(encodings, size, names, pad, budget))

        def run(batch: Batch) -> Any:
            return session.run([output], batch.feeds)

        started = time.perf_counter()
        if side_by_side:
            list(pool.map(run, batches))
        else:
            for batch in batches:
                run(batch)
        return time.perf_counter() - started

    ways = {
        f"one row a call, {cores} intra-op threads": (two, 1, False),
        f"one row a call, 1 intra-op thread, {cores} rows side by side": (one, 1, True),
        f"batches of 64, {cores} intra-op threads (not batch-independent)": (two, 64, False),
    }
    best = {name: min(timed(*way) for _ in range(args.rounds)) for name, way in ways.items()}
    print(f"{len(sentences)} sentences, best of {args.rounds}; {machine_line(describe_machine())}")
    for name, seconds in best.items():
        print(f"  {seconds:6.3f} s  {name}")


if __name__ == "__main__":
    main()
