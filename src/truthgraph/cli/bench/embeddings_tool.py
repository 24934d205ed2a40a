"""``truthgraph bench embeddings``: embedding throughput on real sentences, per batch size."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from truthgraph.bench.machine import describe_machine, machine_line
from truthgraph.bench.texts import DEFAULT_CORPUS
from truthgraph.cli.bench import common
from truthgraph.settings import Settings


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Embedding throughput on real sentences.")
    parser.add_argument("--num-texts", type=int, default=1000)
    parser.add_argument("--batch-sizes", type=common.ints, default=[16, 32, 64])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeats", type=int, default=3)
    common.output_flag(parser, "embeddings.json")
    args = parser.parse_args(argv)
    common.quiet()
    from truthgraph.bench.texts import sample_texts
    from truthgraph.bench.throughput import benchmark_embeddings
    from truthgraph.wiring import build_embedder

    settings = settings or Settings()
    result = benchmark_embeddings(
        build_embedder(settings),
        sample_texts(args.num_texts, args.corpus),
        args.batch_sizes,
        args.repeats,
    )
    result["backend"] = settings.model.backend
    common.table(
        f"embedding {result['model']} ({result['mean_words_per_text']} words/text) "
        f"on {machine_line(describe_machine())}",
        ["batch", "texts/s", "s (median)", "RSS MB"],
        [
            (r["batch_size"], r["texts_per_s"], r["seconds_median"], r["rss_mb"])
            for r in result["results"]
        ],
    )
    common.write_json(result, args.output or common.default_output(settings, "embeddings.json"))
    return result
