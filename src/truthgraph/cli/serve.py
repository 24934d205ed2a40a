"""truthgraph serve / loadtest: the HTTP service and a bounded load test of it."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.state import state
from truthgraph.errors import InvalidInputError, UnavailableError
from truthgraph.settings import Settings

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"


def _require_api_extra() -> None:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise UnavailableError(
            "the HTTP service needs the api extra: pip install 'truthgraph[api]'"
        ) from exc


@exits_cleanly
def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    log_level: Annotated[
        str, typer.Option("--log-level", help="debug, info, warning or error.")
    ] = "info",
) -> None:
    """Run the HTTP API (/api/v1, docs at /docs) and the web page (/) in one process.

    Models warm up in the background after start; /ready answers 200 once they are warm and
    the database is up. Logs are JSON lines on stderr, one per request, with its request id
    and per-stage latency.
    """
    _require_api_extra()
    import uvicorn

    from truthgraph.api.app import create_app
    from truthgraph.api.logs import configure_json_logging
    from truthgraph.ml.registry import resolve_model

    settings = state(ctx).settings
    # fail now, with the fix in the message, rather than in the background after start
    resolve_model(settings.model.embedding_model, settings.models_dir)
    resolve_model(settings.model.nli_model, settings.models_dir)
    configure_json_logging(log_level)
    if not _loopback(host):
        _warn_if_open(settings, host, port)
    app = create_app(settings)
    # uvicorn re-raises SIGTERM once it has shut down gracefully; exit normally then, so that
    # exit handlers run (they release this process's hold on the embedded PostgreSQL)
    signal.signal(signal.SIGTERM, _exit_quietly)
    uvicorn.run(app, host=host, port=port, **uvicorn_options(settings, log_level))


def uvicorn_options(settings: Settings, log_level: str = "info") -> dict[str, Any]:
    """uvicorn's options for the service (beside the app, host and port)."""
    from truthgraph.api.admission import MAX_RETRY_AFTER_S

    trusted = settings.api.forwarded_allow_ips
    return {
        "log_config": None,
        "log_level": log_level.lower(),
        "access_log": False,
        # after SIGTERM, requests in flight get this long; then the lifespan stops the job
        # worker (within a second) and the model batchers (what waits on them fails at once)
        "timeout_graceful_shutdown": settings.api.shutdown_grace_s,
        # a client told to come back after Retry-After (at most MAX_RETRY_AFTER_S) finds its
        # connection still open
        "timeout_keep_alive": MAX_RETRY_AFTER_S + 15,
        # X-Forwarded-For only from the configured proxies (uvicorn's default trusts loopback,
        # so a client behind any local proxy could pick the address its rate limit counts)
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": list(trusted),
    }


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _warn_if_open(settings: Settings, host: str, port: int) -> None:
    """Say plainly that a server reachable from other machines, with no API key, is open."""
    from truthgraph.wiring import Parts

    if settings.api.keys:
        return
    parts = Parts(settings)
    try:
        stored = parts.keys.active_keys()
    finally:
        parts.close()
    if not stored:
        Console(stderr=True).print(
            f"[bold yellow]warning:[/] no API keys exist: anyone who can reach {host}:{port} "
            "can read, write and delete every collection. Make one with `truthgraph keys add`."
        )


def _exit_quietly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _levels(value: str) -> list[int]:
    try:
        levels = [int(part) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        raise InvalidInputError(
            f"--concurrency takes numbers like 1,10,100, not {value!r}"
        ) from exc
    if not levels or any(not 1 <= level <= 1000 for level in levels):
        raise InvalidInputError("each concurrency level must be between 1 and 1000")
    return levels


def _default_claims() -> Path:
    """Every held-out FEVER claim about the demo pages: enough distinct claims that the
    embedding cache does not flatter the figures."""
    return DEMO_DIR / "candidate_claims.jsonl"


@exits_cleanly
def loadtest_command(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Option("--url", help="A running server (loopback only). Default: start one."),
    ] = None,
    collection: Annotated[str, typer.Option("--collection", "-c")] = "demo",
    concurrency: Annotated[
        str, typer.Option("--concurrency", help="Comma-separated levels.")
    ] = "1,10,100",
    requests: Annotated[
        int | None,
        typer.Option(
            "--requests", min=1, max=100_000, help="Requests per level (default 3x, min 30)."
        ),
    ] = None,
    time_limit_s: Annotated[
        float, typer.Option("--time-limit", min=1, max=3600, help="Seconds per level at most.")
    ] = 300.0,
    claims_file: Annotated[
        Path | None, typer.Option("--claims", help="Claims (.jsonl or one per line).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    with_caches: Annotated[
        bool,
        typer.Option(
            "--with-caches", help="Keep the embedding and NLI caches on in the started server."
        ),
    ] = False,
    honour_retry_after: Annotated[
        bool,
        typer.Option(
            "--honour-retry-after/--no-retry",
            help="Send a request answered 503 again after its Retry-After (default), or count "
            "the 503 as an error.",
        ),
    ] = True,
) -> None:
    """Send concurrent POST /api/v1/verify requests and report throughput, p50/p95/p99
    latency, errors, and the batching gain.

    Without --url it starts `truthgraph serve` on a free loopback port (rate limit off, its
    own admission queue, embedding and NLI caches off so that every claim runs both models)
    and, if the collection is missing and named `demo`, uploads the demo corpus into it first.
    Clients honour Retry-After: a 503 is sent again when the server says, and the table shows
    how many requests were first turned away and the slowest answer of any kind.
    """
    _require_api_extra()
    from truthgraph.bench.loadtest import local_server, require_loopback, run_loadtest
    from truthgraph.cli.verify import read_claims

    levels = _levels(concurrency)
    claims = read_claims(claims_file or _default_claims())
    per_level = {c: requests or max(30, 3 * c) for c in levels}
    settings = state(ctx).settings

    def run(base: str) -> None:
        _prepare_collection(base, collection)
        summary = asyncio.run(
            run_loadtest(
                base,
                claims,
                collection,
                levels,
                per_level,
                time_limit_s,
                honour_retry_after=honour_retry_after,
            )
        )
        if as_json:
            sys.stdout.write(json.dumps(summary.as_dict(), indent=2) + "\n")
            return
        _print_summary(summary.as_dict())

    if url is not None:
        require_loopback(url)
        run(url)
        return
    overrides = {
        "TRUTHGRAPH_HOME": str(settings.home),
        "TRUTHGRAPH_API_KEYS": "",
        "TRUTHGRAPH_API_RATE_LIMIT_PER_MINUTE": "0",
        "TRUTHGRAPH_MODEL__EMBEDDING_MODEL": settings.model.embedding_model,
        "TRUTHGRAPH_MODEL__NLI_MODEL": settings.model.nli_model,
    }
    if not with_caches:
        overrides |= {
            "TRUTHGRAPH_API_EMBEDDING_CACHE_SIZE": "0",
            "TRUTHGRAPH_API_NLI_CACHE": "false",
        }
    log_path = Path(tempfile.gettempdir()) / "truthgraph-loadtest-server.log"
    Console(stderr=True).print(f"starting a server (log: {log_path}) ...")
    with local_server(overrides, log_path) as base:
        run(base)


def _prepare_collection(base: str, collection: str) -> None:
    """Upload the demo corpus when the demo collection is missing."""
    import time

    import httpx

    with httpx.Client(base_url=base, timeout=60.0) as client:
        names = [c["name"] for c in client.get("/api/v1/collections").json()["collections"]]
        if collection in names:
            return
        if collection != "demo":
            raise InvalidInputError(
                f"collection {collection!r} does not exist: ingest documents into it first"
            )
        corpus = DEMO_DIR / "corpus.jsonl"
        with corpus.open("rb") as handle:
            response = client.post(
                "/api/v1/documents",
                data={"collection": collection},
                files={"file": (corpus.name, handle, "application/jsonl")},
            )
        if response.status_code != 202:
            raise UnavailableError(f"uploading the demo corpus failed: {response.text}")
        job_url = f"/api/v1/jobs/{response.json()['id']}"
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            job = client.get(job_url).json()
            if job["status"] == "succeeded":
                return
            if job["status"] in ("failed", "cancelled"):
                raise UnavailableError(f"ingesting the demo corpus {job['status']}: {job['error']}")
            time.sleep(0.5)
        raise UnavailableError("ingesting the demo corpus took more than 10 minutes")


def _print_summary(summary: dict[str, object]) -> None:
    table = Table(
        "concurrency",
        "requests",
        "ok",
        "errors",
        "claims/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "first 503",
        "slowest answer s",
        "server peak RSS MB",
        "NLI pairs/call",
        "NLI ms/pair",
        "client CPU",
    )
    levels = summary["levels"]
    assert isinstance(levels, list)
    for level in levels:
        table.add_row(
            str(level["concurrency"]),
            str(level["requests"]),
            str(level["ok"]),
            str(sum(level["errors"].values())) + (f" {level['errors']}" if level["errors"] else ""),
            f"{level['throughput_per_s']:.2f}",
            f"{level['p50_ms']:.0f}",
            f"{level['p95_ms']:.0f}",
            f"{level['p99_ms']:.0f}",
            str(level["overloaded_first"]),
            f"{level['slowest_answer_ms'] / 1000:.1f}",
            str(level["server_peak_rss_mb"]),
            str(level["nli_pairs_per_call"]),
            str(level["nli_ms_per_pair"]),
            f"{level['client_cpu_share']:.2f}",
        )
    console = Console()
    if not console.is_terminal:  # a file or pipe: room for every column
        console = Console(width=200)
    console.print(table)
    console.print(
        f"server: {summary['server']}\n"
        f"single-request throughput: {summary['single_request_throughput_per_s']} claims/s; "
        f"throughput gain vs concurrency 1: {summary['throughput_gain']}; "
        f"NLI batching gain (time per pair, vs concurrency 1): {summary['model_batching_gain']}"
    )
