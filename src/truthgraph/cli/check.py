"""truthgraph check: every claim of a text (file, URL or stdin) found, verified and shown."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from truthgraph.check.report import CheckReport
from truthgraph.cli.errors import exits_cleanly
from truthgraph.cli.progress import progress_bar
from truthgraph.cli.render import COLOURS
from truthgraph.cli.state import state
from truthgraph.domain import Label
from truthgraph.errors import DatasetError, InvalidInputError

SENTENCE_COLOURS = {
    "SUPPORTED": "green",
    "REFUTED": "red",
    "PARTLY_SUPPORTED": "dark_orange",
    "NOT_ENOUGH_INFO": "yellow",
}
PROGRESS_FROM = 32  # claims: fewer finish before a bar would help


class ExtractorName(StrEnum):
    BUILTIN = "builtin"
    SENTENCE = "sentence"
    LLM = "llm"


def write_atomically(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` whole or not at all."""
    folder = path.parent if str(path.parent) else Path(".")
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(content)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def print_report(console: Console, report: CheckReport, evidence: int = 1) -> None:
    """Each checked sentence with its verdict, its claims and their best evidence; then the
    document's figures."""
    for result in report.sentences:
        label = result.label
        s = result.sentence
        if label is None:
            continue
        head = Text(f"{label.value:<16} ", style=f"bold {SENTENCE_COLOURS[label.value]}")
        head.append(s.sentence.text)
        head.append(f"  [{s.sentence.start}:{s.sentence.end}]", style="dim")
        console.print(head)
        for claim in result.claims:
            verdict = claim.verdict
            line = Text("    ")
            line.append(f"{verdict.label.value:<15} ", style=COLOURS[verdict.label])
            line.append(f"{verdict.confidence:.2f}  {claim.claim.text}")
            console.print(line)
            if verdict.label is not Label.NOT_ENOUGH_INFO:
                for item in verdict.evidence[:evidence]:
                    source = item.hit.title or item.hit.source or f"document {item.hit.document_id}"
                    console.print(
                        Text(f"        {source}: {item.hit.text}", style="dim"), soft_wrap=False
                    )
        for dropped in s.unmapped:
            console.print(Text(f"    dropped (not in the text): {dropped}", style="dim"))
    counts = report.counts()
    score = report.factuality
    by_verdict = ", ".join(
        f"{k.lower().replace('_', ' ')} {v}" for k, v in counts["sentences_by_verdict"].items()
    )
    console.print(
        f"\n[bold]{report.label.value}[/]  factuality "
        f"{100 * score if score is not None else 0:.0f}% "
        f"({counts['claims_by_verdict']['SUPPORTED']} of {counts['claims']} claims supported)  "
        f"sentences: {counts['sentences_checked']} checked ({by_verdict}), "
        f"{counts['sentences_skipped']} skipped; claims dropped (not in the text): "
        f"{counts['claims_unmapped']}"
    )


@exits_cleanly
def check_command(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(help="A file (.txt, .md, .html, .pdf), an http(s) URL, or - (stdin).")
    ],
    collection: Annotated[str, typer.Option("--collection", "-c")] = "default",
    extractor: Annotated[
        ExtractorName,
        typer.Option(
            "--extractor",
            "-e",
            help="builtin: rules, offline; sentence: each sentence one claim; llm: the chat "
            "endpoint of TRUTHGRAPH_LLM__BASE_URL.",
        ),
    ] = ExtractorName.BUILTIN,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Also write a self-contained HTML report to this file."),
    ] = None,
    top_k: Annotated[
        int | None, typer.Option("--top-k", "-k", min=1, max=200, help="Evidence per claim.")
    ] = None,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Store each claim's verdict.")
    ] = False,
) -> None:
    """Check a whole text: its check-worthy sentences, split into atomic claims, verified.

    Each sentence gets SUPPORTED, REFUTED, PARTLY_SUPPORTED (some claims supported, the rest
    lacking evidence) or NOT_ENOUGH_INFO; the text gets counts and a factuality score (the
    share of its claims that are supported). Questions, instructions, opinions, headings and
    boilerplate are skipped. Exit 7 when no sentence is check-worthy.
    """
    from truthgraph.check.html import render_html
    from truthgraph.check.run import check_text, extraction_of
    from truthgraph.check.source import read_source
    from truthgraph.wiring import build_extractor

    if html is not None and (html.is_dir() or not (html.parent or Path(".")).is_dir()):
        raise InvalidInputError(f"--html {html}: not a file in an existing folder")
    app = state(ctx)
    stdin = sys.stdin.buffer.read() if source == "-" else None
    document = read_source(source, app.settings.fetch, stdin)
    if not document.text.strip():
        raise DatasetError(f"{source}: the text is empty")
    chosen = build_extractor(app.settings, extractor.value)
    if extractor is not ExtractorName.LLM:  # fail before loading models (the llm is asked once)
        extraction_of(document.text, chosen)
    verifier = app.verifier()
    options = verifier.options_with(top_k=top_k, persist=save)
    label = document.origin or document.source or source
    with progress_bar("check") as update:
        report = check_text(verifier, document.text, collection, chosen, options, update, label)
    if html is not None:
        write_atomically(html, render_html(report, title=f"TruthGraph check: {label}"))
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
    else:
        print_report(Console(soft_wrap=True), report)
