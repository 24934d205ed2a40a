"""Two ``truthgraph serve`` processes on loopback against one PostgreSQL (the "external"
server): both answer, and each batch job is run by exactly one of them."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEMO_DIR
from truthgraph.bench.loadtest import free_port, serve_command, wait_ready
from truthgraph.reliability.processes import cli, environment

pytestmark = [pytest.mark.integration, pytest.mark.models]

COLLECTION = "two-servers"
CLAIMS = [
    "Luc Besson produced Colombiana.",
    "Saxony is in Ireland.",
    "Tim Roth is an English actor.",
    "Colombiana is a 2011 French action film.",
]


@contextmanager
def server(home: Path, url: str, log: Path) -> Iterator[str]:
    """``truthgraph serve`` in its own process, logging at info level into ``log``."""
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            serve_command(port, log_level="info"),
            env=environment(home, TRUTHGRAPH_DATABASE_URL=url),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base, 300, process)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def started_jobs(log: Path) -> Counter[str]:
    """How many times each job id was started, from a server's JSON log."""
    counts: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            if event.get("event") == "job_started":
                counts[event["job_id"]] += 1
    return counts


def wait_done(client: httpx.Client, job_id: str, timeout_s: float = 300) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job: dict[str, object] = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s} s")


def test_two_servers_on_one_database_both_answer_and_run_each_job_once(
    home: Path, external_database_url: str, tmp_path: Path
) -> None:
    done = cli(
        home,
        "ingest",
        str(DEMO_DIR / "corpus.jsonl"),
        "-c",
        COLLECTION,
        TRUTHGRAPH_DATABASE_URL=external_database_url,
    )
    assert done.returncode == 0, done.stderr
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with ExitStack() as stack:
        urls = [stack.enter_context(server(home, external_database_url, log)) for log in logs]
        clients = [stack.enter_context(httpx.Client(base_url=u, timeout=120)) for u in urls]
        answers = [
            c.post("/api/v1/verify", json={"claim": CLAIMS[0], "collection": COLLECTION})
            for c in clients
        ]
        assert [a.status_code for a in answers] == [200, 200]
        assert answers[0].json()["verdict"] == answers[1].json()["verdict"] == "SUPPORTED"
        jobs = [
            clients[i % 2]
            .post("/api/v1/verify/batch", json={"claims": CLAIMS, "collection": COLLECTION})
            .json()["id"]
            for i in range(4)
        ]
        finished = [wait_done(clients[(i + 1) % 2], job) for i, job in enumerate(jobs)]
    assert [j["status"] for j in finished] == ["succeeded"] * 4
    assert all(j["done"] == len(CLAIMS) for j in finished)
    started = started_jobs(logs[0]) + started_jobs(logs[1])
    assert {job: started[job] for job in jobs} == {job: 1 for job in jobs}
