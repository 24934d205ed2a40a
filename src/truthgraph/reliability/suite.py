"""``truthgraph reliability``: run every fault, the fuzzer, the soak and the isolation matrix
on this machine, and write RELIABILITY.md from what they measured."""

from __future__ import annotations

import platform
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from truthgraph.reliability import attacks, faults
from truthgraph.reliability.attacks import AttackResult
from truthgraph.reliability.faults import FaultResult
from truthgraph.reliability.fuzz import FuzzReport, fuzz_api
from truthgraph.reliability.inputs import HostileResult, probe
from truthgraph.reliability.isolation import Cell, isolation_matrix
from truthgraph.reliability.processes import ingest_demo, scenario_home, serving
from truthgraph.reliability.soak import SoakResult, soak

Progress = Callable[[str], None]


@dataclass
class ReliabilityRun:
    """Everything one run measured."""

    faults: list[FaultResult] = field(default_factory=list)
    hostile: list[HostileResult] = field(default_factory=list)
    fuzz: FuzzReport | None = None
    soak: SoakResult | None = None
    cells: list[Cell] = field(default_factory=list)
    attacks: list[AttackResult] = field(default_factory=list)
    seconds: float = 0.0


def run_all(
    source_home: Path,
    fuzz_examples: int = 25,
    soak_requests: int = 1000,
    progress: Progress = lambda _: None,
) -> ReliabilityRun:
    """Run every part on homes of their own under a temporary folder."""
    run = ReliabilityRun()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="truthgraph-reliability-") as folder:
        work = Path(folder)
        scenarios: list[tuple[str, Callable[[Path], FaultResult]]] = [
            ("kill -9 of an ingest", lambda w: faults.kill_ingest_and_resume(w, source_home)),
            ("kill -9 of a server mid job", lambda w: faults.kill_server_mid_job(w, source_home)),
            ("two servers, one job", lambda w: faults.two_servers_one_job(w, source_home)),
            ("the database killed", lambda w: faults.kill_database_under_server(w, source_home)),
            (
                "an external database restarted",
                lambda w: faults.external_database_restarted(w, source_home),
            ),
            (
                "embedded server orphaned",
                lambda w: faults.embedded_server_after_kill(w, source_home),
            ),
            ("full or read-only disk", faults.unwritable_home),
        ]
        for index, (label, scenario) in enumerate(scenarios):
            progress(f"fault {index + 1}/{len(scenarios)}: {label}")
            run.faults.append(scenario(work / f"fault-{index}"))
        home = scenario_home(work / "service", source_home)
        ingest_demo(home, "demo")
        with serving(home, work / "service.log") as server, server.client() as client:
            progress("hostile input")
            run.hostile = probe(client.request, "demo")
            progress(f"fuzzing ({fuzz_examples} examples an operation)")
            run.fuzz = fuzz_api(server.url, max_examples=fuzz_examples, seconds=900)
            progress(f"soak ({soak_requests} verifications)")
            run.soak = soak(server, "demo", requests=soak_requests)
        progress("attacks: upload flood, long paragraph")
        with serving(home, work / "attacks.log", **attacks.SERVER_ENV) as server:
            run.attacks.append(attacks.upload_flood(server, "demo"))
            run.attacks.append(attacks.long_paragraph(server, "demo"))
        progress("attacks: SSRF")
        run.attacks.append(attacks.ssrf())
        progress("isolation matrix")
        matrix_home = scenario_home(work / "matrix", source_home)
        with serving(matrix_home, work / "matrix.log") as server:
            run.cells = isolation_matrix(server.url, matrix_home)
    run.seconds = time.monotonic() - started
    return run


def _cpu() -> str:
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    model = next(
        (ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name")),
        "unknown CPU",
    )
    flags = next(
        (ln.split(":", 1)[1].split() for ln in info.splitlines() if ln.startswith("flags")), []
    )
    vector = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    vnni = ", VNNI" if "avx512_vnni" in flags or "avx_vnni" in flags else ""
    import os

    return f"{model}, {os.cpu_count()} cores, {vector}{vnni}"


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
    )
    return done.stdout.strip() or "unknown"


def render(run: ReliabilityRun, command: str) -> str:
    """RELIABILITY.md."""
    lost = sum(f.lost for f in run.faults)
    doubled = sum(f.doubled for f in run.faults)
    leaks = [c for c in run.cells if c.leak]
    refused = [c for c in run.cells if c.wrongly_refused]
    fuzz = run.fuzz or FuzzReport()
    lines = [
        "# Reliability report",
        "",
        f"Written by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()},",
        f"on {_cpu()}; {run.seconds / 60:.1f} minutes. Every figure below was measured in that",
        "run, against real processes on loopback (nothing simulated).",
        "",
        "## Summary",
        "",
        "| what | result |",
        "|---|---|",
        f"| faults injected | {len(run.faults)}, survived {sum(f.survived for f in run.faults)} |",
        f"| records lost / doubled over every fault | {lost} / {doubled} |",
        f"| hostile inputs | {len(run.hostile)}, answered as documented "
        f"{sum(r.ok for r in run.hostile)} |",
        f"| fuzzed requests (Schemathesis, {fuzz.operations} operations) | {fuzz.requests} |",
        f"| 5xx answers while fuzzing | {len(fuzz.server_errors)} |",
        f"| errors not in the documented shape | {len(fuzz.bad_shapes)} |",
    ]
    if run.soak is not None:
        s = run.soak
        lines.append(
            f"| soak: {s.requests} sequential verifications | {s.errors} errors, RSS "
            f"{s.rss_mb[0]:.0f} -> {s.rss_mb[-1]:.0f} MB ({s.growth_mb:+.0f} MB) |"
        )
    if run.attacks:
        lines.append(
            f"| attacks (upload flood, long paragraph, SSRF) | {len(run.attacks)}, held "
            f"{sum(a.passed for a in run.attacks)} |"
        )
    lines += [
        f"| isolation cells (key x collection x operation) | {len(run.cells)}, leaks "
        f"{len(leaks)}, wrongly refused {len(refused)} |",
        "",
        "## Faults",
        "",
        "| scenario | fault injected | survived | lost | doubled | measured |",
        "|---|---|---|---|---|---|",
    ]
    for f in run.faults:
        details = "; ".join(f"{k}: {v}" for k, v in f.details.items()).replace("|", "/")
        lines.append(
            f"| {f.name} | {f.fault} | {'yes' if f.survived else '**no**'} | {f.lost} | "
            f"{f.doubled} | {details} |"
        )
    lines += [
        "",
        "## Hostile input",
        "",
        "| input | expected | got | error shape |",
        "|---|---|---|---|",
    ]
    for r in run.hostile:
        lines.append(
            f"| {r.case.name} | {r.case.expected} | {r.status} | "
            f"{'ok' if r.shaped else '**wrong**'} |"
        )
    lines += [
        "",
        "## Fuzzing",
        "",
        f"Answers by status: {dict(fuzz.as_dict()['statuses'])}; {fuzz.seconds:.0f} s.",
    ]
    for problem in fuzz.server_errors[:20] + fuzz.bad_shapes[:20]:
        lines.append(f"- `{problem}`")
    if run.soak is not None:
        lines += [
            "",
            "## Soak",
            "",
            f"RSS of the server (MB) after warm-up and every 100 verifications: "
            f"{', '.join(f'{m:.0f}' for m in run.soak.rss_mb)}; {run.soak.seconds:.0f} s.",
        ]
    lines += _attacks(run.attacks)
    lines += _matrix(run.cells)
    return "\n".join(lines) + "\n"


def _attacks(results: list[AttackResult]) -> list[str]:
    if not results:
        return []
    lines = [
        "",
        "## Attacks",
        "",
        "| scenario | attack | held | seconds | measured |",
        "|---|---|---|---|---|",
    ]
    for a in results:
        details = "; ".join(f"{k}: {v}" for k, v in a.details.items()).replace("|", "/")
        lines.append(
            f"| {a.name} | {a.attack} | {'yes' if a.passed else '**no**'} | {a.seconds:.1f} | "
            f"{details} |"
        )
    return lines


def _matrix(cells: list[Cell]) -> list[str]:
    operations = list(dict.fromkeys(c.operation for c in cells))
    rows = list(dict.fromkeys((c.key, c.collection) for c in cells))
    by = {(c.key, c.collection, c.operation): c for c in cells}
    lines = [
        "",
        "## Isolation matrix",
        "",
        "Each cell: the status the server answered; `allowed` or `refused` as the key's scope",
        "says; **LEAK** where a key got what it was not given, **WRONG** where it was refused",
        "what it was given. Listings: whether the collection (or its history) was listed.",
        "",
        "| key | collection | " + " | ".join(operations) + " |",
        "|---|---|" + "---|" * len(operations),
    ]
    for key, collection in rows:
        cells_row = []
        for op in operations:
            c = by[(key, collection, op)]
            mark = (
                "LEAK"
                if c.leak
                else "WRONG"
                if c.wrongly_refused
                else ("allowed" if c.expected else "refused")
            )
            shown = (
                ("listed" if c.granted else "not listed")
                if op.startswith("list")
                else str(c.status)
            )
            cells_row.append(
                f"{shown} {mark}" if mark in ("LEAK", "WRONG") else f"{shown} ({mark})"
            )
        lines.append(f"| {key} | {collection} | " + " | ".join(cells_row) + " |")
    return lines
