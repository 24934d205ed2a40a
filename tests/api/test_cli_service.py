"""`truthgraph serve` and `truthgraph loadtest` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from tests.service import running_server
from truthgraph.bench.loadtest import local_server
from truthgraph.cli.main import app as cli

pytestmark = [pytest.mark.integration, pytest.mark.models]
API_SETTINGS = {"max_queue_depth": 2}  # a crowd of 6 is turned away in part


def test_serve_starts_warms_up_answers_and_logs_json_lines(
    home: Path, database_url: str, demo_collection: str, tmp_path: Path
) -> None:
    log_path = tmp_path / "server.log"
    env = {
        "TRUTHGRAPH_HOME": str(home),
        "TRUTHGRAPH_DATABASE_URL": "",
        "TRUTHGRAPH_API_KEYS": "",
        "HF_HUB_OFFLINE": "1",
    }
    with local_server(env, log_path, ready_timeout_s=180, log_level="info") as url:
        ready = httpx.get(url + "/ready").json()
        verified = httpx.post(
            url + "/api/v1/verify",
            json={"claim": "Saxony is in Ireland.", "collection": demo_collection},
            timeout=60,
        )
    assert ready["status"] == "ready" and ready["load_ms"]["nli"] > 0
    assert verified.status_code == 200
    request_id = verified.headers["X-Request-ID"]
    records = [
        json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")
    ]
    [entry] = [r for r in records if r.get("request_id") == request_id]
    assert entry["event"] == "request" and entry["status"] == 200 and entry["level"] == "info"
    assert entry["stages_ms"]["nli"] > 0 and "timestamp" in entry
    assert any(r["event"] == "ready" for r in records)


def _loadtest(url: str, collection: str, home: Path, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli,
        ["loadtest", "--url", url, "-c", collection, "--concurrency", "1,6", "--requests", "6"]
        + [*extra, "--json"],
        env={"TRUTHGRAPH_HOME": str(home)},
    )
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_loadtest_reports_throughput_latency_and_errors(
    app: FastAPI, demo_collection: str, home: Path
) -> None:
    with running_server(app) as url:  # one server: the app starts once per module
        summary = _loadtest(url, demo_collection, home)
        without_retries = _loadtest(url, demo_collection, home, "--no-retry")
    assert [lv["concurrency"] for lv in summary["levels"]] == [1, 6]
    for level in summary["levels"]:
        assert level["ok"] == level["requests"] == 6 and level["errors"] == {}
        assert 0 < level["p50_ms"] <= level["p95_ms"] <= level["p99_ms"]
        assert level["nli_pairs_per_call"] > 0
    crowd = summary["levels"][1]
    # a queue of 2: some of the 6 were first turned away, came back after Retry-After, and won
    assert crowd["overloaded_first"] > 0 and crowd["retries"] >= crowd["overloaded_first"]
    assert crowd["answered"] == 6 + crowd["retries"] and crowd["answers_over_30s"] == 0
    assert crowd["server_peak_rss_mb"] > 100  # the models are loaded in it
    assert summary["single_request_throughput_per_s"] > 0
    assert set(summary["throughput_gain"]) == {"1", "6"}
    # clients that do not come back: the 503s are errors
    crowd = without_retries["levels"][1]
    assert crowd["errors"].get("http_503", 0) > 0 and crowd["retries"] == 0
    assert crowd["ok"] + crowd["errors"]["http_503"] == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "http://10.1.2.3:8000"], "loopback"),
        (["--url", "http://example.com"], "loopback"),
        (["--concurrency", "0"], "between 1 and 1000"),
        (["--concurrency", "ten"], "numbers like"),
    ],
)
def test_loadtest_refuses_other_hosts_and_bad_levels(
    home: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["loadtest", *args], env={"TRUTHGRAPH_HOME": str(home)})
    assert result.exit_code == 3
    assert message in result.output


def test_serve_and_loadtest_are_documented_commands() -> None:
    for command in ("serve", "loadtest"):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "from truthgraph.cli.main import main; main()",
                command,
                "--help",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "--host" in out.stdout if command == "serve" else "--concurrency" in out.stdout
