"""Human-readable rendering of verdicts and reports."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from truthgraph.domain import EvidenceHit, Label, Verdict

COLOURS = {
    Label.SUPPORTED: "green",
    Label.REFUTED: "red",
    Label.NOT_ENOUGH_INFO: "yellow",
}


def citation(hit: EvidenceHit) -> str:
    """Where an evidence sentence comes from: title, source (URL or file), PDF page, version
    and the time it was read, then its character span."""
    parts = [hit.title or hit.source or f"document {hit.document_id}"]
    where = hit.origin or hit.url or hit.source
    if where and where != parts[0]:
        parts.append(where)
    if hit.page is not None:
        parts.append(f"p. {hit.page}")
    if hit.version is not None:
        read = f", read {hit.fetched_at[:10]}" if hit.fetched_at else ""
        parts.append(f"version {hit.version}{read}")
    return " · ".join(parts) + f" [{hit.start}:{hit.end}]"


def verdict_panel(verdict: Verdict, max_evidence: int = 5) -> Panel:
    """A panel with the verdict, scores, cited evidence and stage timings."""
    colour = COLOURS[verdict.label]
    head = Text()
    head.append(f"{verdict.label.value}", style=f"bold {colour}")
    head.append(f"  confidence {verdict.confidence:.2f}   ")
    head.append(
        "  ".join(f"{k.value.lower()} {v:.2f}" for k, v in verdict.scores.items()), style="dim"
    )
    table = Table(show_header=True, header_style="bold", expand=True, box=None)
    table.add_column("#", width=2)
    table.add_column("evidence, source \\[start:end]", ratio=1)
    table.add_column("sim", justify="right", width=5)
    table.add_column("nli", width=9)
    table.add_column("e/n/c", justify="right", width=14)
    for rank, item in enumerate(verdict.evidence[:max_evidence], start=1):
        hit = item.hit
        source = citation(hit)
        cell = Text(hit.text)
        cell.append(f"\n{source}", style="dim")
        table.add_row(
            str(rank),
            cell,
            f"{hit.similarity:.2f}",
            Text(item.label.value.replace("NOT_ENOUGH_INFO", "NEI"), style=COLOURS[item.label]),
            f"{item.scores.entailment:.2f}/{item.scores.neutral:.2f}/"
            f"{item.scores.contradiction:.2f}",
        )
    timings = "  ".join(f"{k} {v:.1f} ms" for k, v in verdict.timings_ms.items())
    footer = Text(timings, style="dim")
    ident = f" #{verdict.claim_id}" if verdict.claim_id is not None else ""
    body = (
        Group(head, table, footer)
        if verdict.evidence
        else Group(head, Text("no evidence found in the collection", style="dim"), footer)
    )
    return Panel(body, title=f"[bold]{verdict.claim}[/]{ident}", title_align="left")


def print_verdict(console: Console, verdict: Verdict) -> None:
    console.print(verdict_panel(verdict))
