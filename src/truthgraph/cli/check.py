"""truthgraph check: every claim of a text (file, URL or stdin) found, verified and shown."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from truthgraph.check.report import CheckReport
from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.progress import progress_bar
from truthgraph.cli.ray_flags import RAY, RAY_CPUS, RAY_GPUS, RAY_WORKERS, ray_options
from truthgraph.cli.render import COLOURS
from truthgraph.cli.state import AppState, state
from truthgraph.data.files import atomic_write
from truthgraph.domain import Label, Verdict
from truthgraph.errors import DatasetError, InvalidInputError

if TYPE_CHECKING:
    from truthgraph.check.run import Extracted
    from truthgraph.distributed.ray_setup import RayOptions
    from truthgraph.extract import ClaimExtractor
    from truthgraph.settings import Settings

SENTENCE_COLOURS = {
    "SUPPORTED": "green",
    "REFUTED": "red",
    "PARTLY_SUPPORTED": "dark_orange",
    "NOT_ENOUGH_INFO": "yellow",
    "NOT_SUPPORTED": "red",
}
PROGRESS_FROM = 32  # claims: fewer finish before a bar would help


class Labels(StrEnum):
    THREE_WAY = "three-way"
    BINARY = "binary"


class ExtractorName(StrEnum):
    BUILTIN = "builtin"
    SENTENCE = "sentence"
    LLM = "llm"


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
        f"\n[bold]{report.verdict}[/]  factuality "
        f"{100 * score if score is not None else 0:.0f}% "
        f"({counts['claims_by_verdict']['SUPPORTED']} of {counts['claims']} claims supported)  "
        f"sentences: {counts['sentences_checked']} checked ({by_verdict}), "
        f"{counts['sentences_skipped']} skipped; claims dropped (not in the text): "
        f"{counts['claims_unmapped']}"
    )


@exits_cleanly
def check_command(
    ctx: typer.Context,
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Files (.txt, .md, .html, .pdf), http(s) URLs, or - (stdin); each is checked "
            "as its own text.",
            metavar="SOURCE...",
        ),
    ],
    collection: Annotated[
        str | None,
        typer.Option("--collection", "-c", help="The collection to check against (default)."),
    ] = None,
    against: Annotated[
        list[str] | None,
        typer.Option(
            "--against",
            "-a",
            help="Check against this document instead of a collection (repeat for several): "
            "any file ingest reads (.txt .md .html .pdf .jsonl .csv), a folder, or an http(s) "
            "URL. Read, split and embedded in memory; nothing is stored.",
            metavar="DOCUMENT",
        ),
    ] = None,
    labels: Annotated[
        Labels,
        typer.Option(
            "--labels",
            help="three-way: supported / refuted / partly supported / not enough info; binary: "
            "supported / not supported, per sentence and per text.",
        ),
    ] = Labels.THREE_WAY,
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
    ray: Annotated[str | None, RAY] = None,
    ray_workers: Annotated[int, RAY_WORKERS] = 1,
    ray_cpus: Annotated[float | None, RAY_CPUS] = None,
    ray_gpus: Annotated[float, RAY_GPUS] = 0.0,
) -> None:
    """Check a whole text: its check-worthy sentences, split into atomic claims, verified.

    Each sentence gets SUPPORTED, REFUTED, PARTLY_SUPPORTED (some claims supported, the rest
    lacking evidence) or NOT_ENOUGH_INFO; the text gets counts and a factuality score (the
    share of its claims that are supported). Questions, instructions, opinions, headings and
    boilerplate are skipped. Exit 7 when no sentence is check-worthy. With several sources,
    every one is read and checked for text before any model loads; --json then prints one
    report per line. With --ray the claims are verified by Ray workers (see ``verify --ray``).

    With --against the text is checked against the given documents only (answers, summaries
    and reports against their sources): no collection, no database, nothing stored. A
    document that is missing, unreadable, empty, too large or a URL that fails: exit 8.
    """
    from truthgraph.check.html_report import render_html
    from truthgraph.check.run import check_text, extracted
    from truthgraph.check.source import read_source
    from truthgraph.wiring import build_extractor

    if html is not None and (html.is_dir() or not (html.parent or Path(".")).is_dir()):
        raise InvalidInputError(f"--html {html}: not a file in an existing folder")
    if html is not None and len(sources) > 1:
        raise InvalidInputError("--html writes one text's report: give one source")
    if sources.count("-") > 1:
        raise InvalidInputError("stdin (-) can be read once")
    if against and (collection is not None or save or ray is not None):
        raise InvalidInputError("--against checks given documents: drop --collection/--save/--ray")
    on_ray = ray_options(ray, ray_workers, ray_cpus, ray_gpus)
    app = state(ctx)
    read: list[tuple[str, str]] = []  # (label, text), every source read before any model
    for source in sources:
        stdin = sys.stdin.buffer.read() if source == "-" else None
        document = read_source(source, app.settings.fetch, stdin)
        if not document.text.strip():
            raise DatasetError(f"{source}: the text is empty")
        read.append((document.origin or document.source or source, document.text))
    chosen = build_extractor(app.settings, extractor.value)
    texts: list[tuple[str, str | Extracted]] = list(read)
    if extractor is not ExtractorName.LLM:  # fail before loading models (the llm is asked once)
        texts = [(label, extracted(text, chosen)) for label, text in read]
    if against:
        reports = _check_against(app, texts, against, chosen, top_k, labels.value)
    elif on_ray is None:
        collection = collection or "default"
        verifier = app.verifier()
        options = verifier.options_with(top_k=top_k, persist=save)
        with progress_bar("check") as update:
            reports = [
                check_text(verifier, text, collection, chosen, options, update, label)
                for label, text in texts
            ]
    else:
        reports = _check_on_ray(
            app.settings, on_ray, texts, collection or "default", chosen, top_k, save
        )
    if not against and labels is Labels.BINARY:
        reports = [replace(each, labels=labels.value) for each in reports]
    report = reports[0]
    label = texts[0][0]
    if html is not None:
        atomic_write(html, render_html(report, title=f"TruthGraph check: {label}"))
    if as_json:
        for each in reports:
            sys.stdout.write(json.dumps(each.to_dict(), ensure_ascii=False) + "\n")
    else:
        console = Console(soft_wrap=True)
        for (each_label, _), each in zip(texts, reports, strict=True):
            if len(reports) > 1:
                console.print(f"\n[bold]{each_label}[/]")
            print_report(console, each)


def _check_against(
    app: AppState,
    texts: Sequence[tuple[str, str | Extracted]],
    against: Sequence[str],
    extractor: ClaimExtractor,
    top_k: int | None,
    labels: str,
) -> list[CheckReport]:
    """Each text checked against the documents ``against`` (read and embedded once)."""
    import time

    from truthgraph.check.against import MemoryEvidenceStore, check_against, read_against
    from truthgraph.wiring import build_grounding_verifier

    r0 = time.perf_counter()
    documents = read_against(against, app.settings.fetch)
    read_ms = (time.perf_counter() - r0) * 1000
    embedder = app.embedder()
    store = MemoryEvidenceStore(documents, embedder)
    verifier = build_grounding_verifier(app.settings, store, embedder, app.nli())
    options = verifier.options_with(top_k=top_k, persist=False)
    with progress_bar("check") as update:
        return [
            check_against(verifier, text, store, extractor, options, update, label, labels, read_ms)
            for label, text in texts
        ]


def _check_on_ray(
    settings: Settings,
    on_ray: RayOptions,
    texts: Sequence[tuple[str, str | Extracted]],
    collection: str,
    extractor: ClaimExtractor,
    top_k: int | None,
    save: bool,
) -> list[CheckReport]:
    """Each text checked with its claims verified on Ray (one runtime for all of them)."""
    from truthgraph.check.run import check_with
    from truthgraph.distributed.ray_setup import check_database, import_ray, ray_runtime
    from truthgraph.distributed.verify import open_ray_verifier
    from truthgraph.verify.options import replace_options
    from truthgraph.wiring import build_store, verify_options

    import_ray()  # the missing extra is named before anything starts
    check_database(settings, on_ray)
    store = build_store(settings)
    try:
        store.get_collection(collection)  # an unknown collection fails before Ray starts
    finally:
        store.close()
    options = replace_options(verify_options(settings), top_k=top_k, persist=save)
    reports = []
    with ray_runtime(on_ray), progress_bar("check") as update:
        verifier, close = open_ray_verifier(settings, on_ray, options)
        try:
            for label, text in texts:

                def verify(
                    claims: Sequence[str], report: Callable[[int, int], None] | None
                ) -> list[Verdict]:
                    return verifier.verify_many(claims, collection, options, report)

                reports.append(check_with(text, extractor, verify, collection, update, label))
        finally:
            close()
    return reports
