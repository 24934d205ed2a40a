"""``truthgraph bench sources``: web page and PDF ingestion rates and extraction quality."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from truthgraph.bench.texts import DEFAULT_CORPUS
from truthgraph.cli.bench import common
from truthgraph.settings import Settings


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> dict[str, Any]:
    from truthgraph.bench.ingest_rates import file_quality, run_sources
    from truthgraph.wiring import build_embedder, build_store

    settings = settings or Settings()
    parser = argparse.ArgumentParser(description="Web page and PDF ingestion rates and quality.")
    parser.add_argument("--pages", type=int, default=100, help="HTML articles to ingest")
    parser.add_argument("--pdf-pages", type=int, default=100, help="pages of the PDF")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    common.output_flag(parser, "sources.json")
    parser.add_argument(
        "--real", type=Path, nargs="*", default=[], help="real .html files to judge by eye too"
    )
    args = parser.parse_args(argv)
    common.quiet()
    store, embedder = build_store(settings), build_embedder(settings)
    result = run_sources(settings, store, embedder, args.pages, args.pdf_pages, args.corpus)
    result["real_pages"] = [file_quality(path) for path in args.real]
    common.table(
        "Ingestion of web pages and PDFs (sentences/s)",
        ["format", "files", "sentences", "read s", "read sent/s", "store s", "end-to-end sent/s"],
        [
            (
                r["format"],
                r["files"],
                r["sentences"],
                r["read_s"],
                r["read_sentences_per_s"],
                r["store_s"],
                r["end_to_end_sentences_per_s"],
            )
            for r in result["rates"]
        ],
    )
    common.table(
        "Extraction quality of realistic pages",
        ["page", "main text kept", "sentences kept", "boilerplate in", "other text kept"],
        [
            (
                q["page"],
                f"{q['kept_share']:.0%}",
                f"{q['kept_sentences']}/{q['main_sentences']}",
                ", ".join(q["boilerplate_in"]) or "none",
                q["other_text"][:80] or "-",
            )
            for q in result["quality"]
        ],
    )
    if result["real_pages"]:
        common.table(
            "Real pages: share of the visible text kept, and where the text starts",
            ["page", "title", "kept of visible", "starts"],
            [
                (
                    Path(r["page"]).name,
                    r["title"],
                    f"{r['kept_share_of_visible']:.0%}",
                    r["starts"][:60],
                )
                for r in result["real_pages"]
            ],
        )
    common.console.print(f"embedding model: {result['embedding_model']}")
    common.write_json(result, args.output or common.default_output(settings, "sources.json"))
    return result
