"""Run every benchmark tool and write benchmarks/RESULTS.md (never edited by hand).

python scripts/make_results.py [--num-texts 1000] [--pairs 500] [--vector-sizes 10000]
    [--vector-only | --models-only]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from truthgraph.bench.results import collect, render

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--num-texts", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--vector-sizes", type=str, default="10000")
    parser.add_argument("--e2e-claims", type=int, default=50)
    parser.add_argument("--out-dir", type=Path, default=ROOT / "benchmarks")
    parser.add_argument(
        "--vector-corpus",
        type=Path,
        default=None,
        help="sentences for the vector index (e.g. ../shared/data/scifact/corpus.jsonl); "
        "default: the demo corpus, padded with noisy copies",
    )
    parser.add_argument(
        "--vector-claims",
        type=Path,
        default=None,
        help="query claims for the vector index, from the corpus's domain "
        "(e.g. ../shared/data/scifact/claims_train.jsonl); default: the demo claims",
    )
    parser.add_argument(
        "--vector-only",
        action="store_true",
        help="measure only vector search; take the model figures from the last all.json",
    )
    parser.add_argument(
        "--models-only",
        action="store_true",
        help="measure only the models; keep the vector-search runs of the last all.json",
    )
    parser.add_argument(
        "--vector-shared-buffers",
        default="4GB",
        help="the embedded server's shared_buffers for the vector runs (default 4GB)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        data = collect(
            args.out_dir / "results",
            args.num_texts,
            args.pairs,
            [int(x) for x in args.vector_sizes.split(",")],
            args.e2e_claims,
            Path(home),
            args.vector_corpus,
            args.vector_claims,
            vector_only=args.vector_only,
            models_only=args.models_only,
            shared_buffers=args.vector_shared_buffers,
        )
    (args.out_dir / "RESULTS.md").write_text(render(data))
    print(f"wrote {args.out_dir / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
