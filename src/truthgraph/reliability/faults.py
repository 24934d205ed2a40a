"""Fault scenarios: a real process killed, a database killed, a disk that refuses writes.

Each scenario runs real TruthGraph processes on a home of its own (see ``processes``) and
returns a ``FaultResult``: whether the system survived, and the records it lost or doubled,
counted in the database afterwards. The test suite runs them with small sizes and asserts
on the result; ``truthgraph reliability`` runs them and writes the report.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from truthgraph.db.embedded import restart_embedded, start_embedded
from truthgraph.reliability.processes import (
    DEMO_DIR,
    Server,
    cli,
    cli_process,
    database,
    ingest_demo,
    postmaster_pid,
    scenario_home,
    serving,
    wait_until,
)

READY_WITHIN_S = 1.0  # /ready answers within this, whatever the database does
ANSWER_WITHIN_S = 5.0  # no answer waits for the pool's 10 s timeout while it is down


@dataclass(frozen=True, slots=True)
class FaultResult:
    """What a fault scenario injected and what the system did."""

    name: str
    fault: str
    survived: bool
    lost: int = 0
    doubled: int = 0
    details: dict[str, object] = field(default_factory=dict)


def demo_claims(count: int) -> list[str]:
    """``count`` claims about the demo corpus (its claims, repeated as needed)."""
    rows = [json.loads(line) for line in (DEMO_DIR / "claims.jsonl").read_text().splitlines()]
    claims = [str(r["claim"]) for r in rows]
    return [claims[i % len(claims)] for i in range(count)]


def synthetic_corpus(path: Path, documents: int) -> Path:
    """A JSONL corpus of ``documents`` distinct three-sentence documents."""
    with path.open("w") as out:
        for i in range(documents):
            text = (
                f"Station {i} lies at an altitude of {100 + i} metres. "
                f"It was opened in {1900 + i % 120} by the regional railway. "
                f"About {10 * i + 7} passengers use station {i} every day."
            )
            out.write(json.dumps({"id": f"s{i}", "title": f"Station {i}", "text": text}) + "\n")
    return path


def _history(home: Path, job_id: str) -> tuple[int, int]:
    """(rows in the claims history for the job's items, distinct items among them)."""
    with database(home) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT origin) FROM claims WHERE origin LIKE %s",
            (f"job:{job_id}:%",),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _wait_job(
    client: httpx.Client, job_id: str, until: Callable[[dict[str, object]], bool], timeout_s: float
) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    job: dict[str, object] = {}
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}", params={"items_limit": 0}).json()
        if until(job):
            return job
        time.sleep(0.1)
    return job


def kill_server_mid_job(work: Path, source_home: Path, claims: int = 40) -> FaultResult:
    """``kill -9`` the server while it runs a batch job; a new server resumes the job; every
    claim's verdict must be stored exactly once."""
    home = scenario_home(work / "home", source_home)
    ingest_demo(home, "demo")
    env = {
        "TRUTHGRAPH_API_JOB_CHUNK_CLAIMS": "2",
        "TRUTHGRAPH_API_EMBEDDING_CACHE_SIZE": "0",
        "TRUTHGRAPH_API_NLI_CACHE": "false",
    }
    first = Server(home, work / "server-1.log", **env).wait_ready()
    try:
        with first.client() as client:
            job_id = client.post(
                "/api/v1/verify/batch", json={"claims": demo_claims(claims), "collection": "demo"}
            ).json()["id"]
            started = _wait_job(client, job_id, lambda j: int(str(j["done"])) >= 4, 120)
    finally:
        first.kill()
    done_at_kill = int(str(started.get("done", 0)))
    with serving(home, work / "server-2.log", **env) as second, second.client() as client:
        final = _wait_job(client, job_id, lambda j: j["status"] == "succeeded", 300)
    rows, items = _history(home, job_id)
    return FaultResult(
        "kill -9 of the server mid batch job",
        f"SIGKILL after {done_at_kill} of {claims} claims were recorded; a new server resumes",
        survived=final.get("status") == "succeeded" and items == claims,
        lost=claims - items,
        doubled=rows - items,
        details={"history_rows": rows, "claims": claims, "done_at_kill": done_at_kill},
    )


def two_servers_one_job(work: Path, source_home: Path, claims: int = 30) -> FaultResult:
    """Two servers on one database race for the same batch job: each claim done once."""
    home = scenario_home(work / "home", source_home)
    ingest_demo(home, "demo")
    env = {"TRUTHGRAPH_API_JOB_CHUNK_CLAIMS": "2"}
    first = Server(home, work / "server-1.log", **env)
    second = Server(home, work / "server-2.log", **env)
    try:
        first.wait_ready()
        second.wait_ready()
        with first.client() as one, second.client() as two:
            job_id = one.post(
                "/api/v1/verify/batch", json={"claims": demo_claims(claims), "collection": "demo"}
            ).json()["id"]
            two.get(f"/api/v1/jobs/{job_id}")  # the second server knows it too
            final = _wait_job(two, job_id, lambda j: j["status"] == "succeeded", 300)
    finally:
        first.stop()
        second.stop()
    rows, items = _history(home, job_id)
    return FaultResult(
        "two servers racing for one job",
        "two servers on one database poll the same queued job",
        survived=final.get("status") == "succeeded" and items == claims,
        lost=claims - items,
        doubled=rows - items,
        details={"history_rows": rows, "claims": claims},
    )


def kill_ingest_and_resume(work: Path, source_home: Path, documents: int = 320) -> FaultResult:
    """``kill -9`` an ingest after its first committed batch; the same command run again
    must end with every document and sentence exactly once."""
    home = scenario_home(work / "home", source_home)
    corpus = synthetic_corpus(work / "corpus.jsonl", documents)
    process = cli_process(home, "ingest", str(corpus), "--collection", "stations")

    def committed() -> int:
        if postmaster_pid(home) is None:
            return 0
        try:
            with database(home) as conn:
                row = conn.execute("SELECT count(*) FROM documents").fetchone()
        except psycopg.Error:  # the schema is not there yet
            return 0
        return int(row[0]) if row else 0

    wait_until(lambda: process.poll() is not None or committed() > 0, 300, 0.05)
    killed_after = committed()
    process.kill()
    process.wait(30)
    resumed = cli(home, "ingest", str(corpus), "--collection", "stations")
    with database(home) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT content_hash), "
            "(SELECT count(*) FROM evidence) FROM documents"
        ).fetchone()
    assert row is not None
    stored, distinct, sentences = (int(v) for v in row)
    return FaultResult(
        "kill -9 of an ingest, then the same command again",
        f"SIGKILL with {killed_after} of {documents} documents committed",
        survived=resumed.returncode == 0 and distinct == documents,
        lost=documents - distinct,
        doubled=stored - distinct + max(0, sentences - 3 * documents),
        details={"documents": stored, "sentences": sentences, "killed_after": killed_after},
    )


@dataclass
class _Outage:
    """What a client saw while the database was down: the slowest answer of each probe,
    every status, and when both probes answered 200 again."""

    slowest: dict[str, float] = field(
        default_factory=lambda: {"/ready": 0.0, "/api/v1/collections": 0.0}
    )
    statuses: dict[str, int] = field(default_factory=dict)
    recovered_s: float | None = None

    def probe(self, client: httpx.Client, since: float) -> bool:
        """Ask both probes once; True (and the time noted) when both answer 200."""
        answers = []
        for path in self.slowest:
            t0 = time.monotonic()
            try:
                status = client.get(path, timeout=15).status_code
            except httpx.HTTPError:
                status = 0
            self.slowest[path] = max(self.slowest[path], time.monotonic() - t0)
            self.statuses[f"{path} {status}"] = self.statuses.get(f"{path} {status}", 0) + 1
            answers.append(status)
        if answers == [200, 200]:
            self.recovered_s = time.monotonic() - since
            return True
        return False

    def await_recovery(self, client: httpx.Client, since: float, pause_s: float) -> None:
        """Probe every ``pause_s`` until both probes answer 200, for a minute from ``since``."""
        while time.monotonic() - since < 60 and not self.probe(client, since):
            time.sleep(pause_s)

    def survived(self, verified: httpx.Response, same_server: bool) -> bool:
        """Recovered, fast meanwhile, and the same server verifies again."""
        return (
            self.recovered_s is not None
            and verified.status_code == 200
            and same_server
            and self.fast()
        )

    def fast(self) -> bool:
        return (
            self.slowest["/ready"] < READY_WITHIN_S
            and self.slowest["/api/v1/collections"] < ANSWER_WITHIN_S
        )

    def details(self) -> dict[str, object]:
        return {
            "recovered_after_s": None if self.recovered_s is None else round(self.recovered_s, 1),
            "slowest_ready_s": round(self.slowest["/ready"], 2),
            "slowest_api_answer_s": round(self.slowest["/api/v1/collections"], 2),
            "statuses": self.statuses,
        }


def _still_serving(server: Server, client: httpx.Client) -> tuple[httpx.Response, bool]:
    """A verification after the outage, and whether the server process is the same one."""
    verified = client.post(
        "/api/v1/verify", json={"claim": "Saxony is in Ireland.", "collection": "demo"}
    )
    return verified, server.process.poll() is None


def kill_database_under_server(work: Path, source_home: Path) -> FaultResult:
    """``kill -9`` the embedded PostgreSQL under a running server: answers stay fast (503 at
    once), and the server brings the database back with no restart of its own."""
    home = scenario_home(work / "home", source_home)
    ingest_demo(home, "demo")
    outage = _Outage()
    with serving(home, work / "server.log") as server, server.client() as client:
        pid = postmaster_pid(home)
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        outage.await_recovery(client, killed, pause_s=0.1)
        verified, same_server = _still_serving(server, client)
    return FaultResult(
        "the database killed under a running server",
        "SIGKILL to the embedded postmaster",
        survived=outage.survived(verified, same_server),
        details={**outage.details(), "verify_after": verified.status_code},
    )


def external_database_restarted(work: Path, source_home: Path, down_s: float = 5.0) -> FaultResult:
    """A server on an external PostgreSQL (``TRUTHGRAPH_DATABASE_URL``) whose database is killed
    and, ``down_s`` later, started again by someone else: fast 503s meanwhile, then the server
    reconnects by itself (its pause between tries doubles up to 30 s)."""
    home = scenario_home(work / "home", source_home)
    pgdata = work / "external" / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    url = start_embedded(pgdata)  # this process runs the "external" server
    ingest_demo(home, "demo", database_url=url)
    outage = _Outage()
    with (
        serving(home, work / "server.log", TRUTHGRAPH_DATABASE_URL=url) as server,
        server.client() as client,
    ):
        pid = postmaster_pid(pgdata.parent)
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        while time.monotonic() - killed < down_s:
            outage.probe(client, killed)
            time.sleep(0.2)
        refused_while_down = sum(n for key, n in outage.statuses.items() if key.endswith(" 503"))
        restart_embedded(pgdata)
        restarted = time.monotonic()
        outage.await_recovery(client, restarted, pause_s=0.2)
        verified, same_server = _still_serving(server, client)
    return FaultResult(
        "an external database killed, then started again",
        f"SIGKILL to the external server; started again {down_s:.0f} s later",
        survived=outage.survived(verified, same_server) and refused_while_down > 0,
        # here recovered_after_s counts from the moment the database was started again
        details={**outage.details(), "verify_after": verified.status_code},
    )


def embedded_server_after_kill(work: Path, source_home: Path) -> FaultResult:
    """The last process using the embedded server is killed with ``kill -9``: the server
    must not run on for good (the reaper stops it)."""
    home = scenario_home(work / "home", source_home)
    server = Server(home, work / "server.log").wait_ready()
    started = postmaster_pid(home) is not None
    server.kill()
    killed = time.monotonic()
    gone = wait_until(lambda: postmaster_pid(home) is None, 30, 0.5)
    return FaultResult(
        "the embedded server after kill -9 of its last user",
        "SIGKILL to the only process using the embedded PostgreSQL",
        survived=started and gone,
        details={"stopped_after_s": round(time.monotonic() - killed, 1) if gone else None},
    )


def unwritable_home(work: Path) -> FaultResult:
    """A home on a full disk and on a read-only one: one clear line and a distinct exit
    code, never a traceback."""
    results: dict[str, object] = {}
    survived = True
    for kind, options in (("full", "size=256k"), ("read-only", "ro,size=1m")):
        mount_point = work / kind
        mount_point.mkdir(parents=True, exist_ok=True)
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount_point)],
            capture_output=True,
            text=True,
        )
        if mounted.returncode != 0:
            results[kind] = f"not run: cannot mount a tmpfs ({mounted.stderr.strip()})"
            continue
        try:
            done = cli(mount_point / "home", "collections", timeout_s=120)
        finally:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        clear = done.returncode == 5 and len(lines) == 1 and "Traceback" not in done.stderr
        survived = survived and clear
        results[kind] = {"exit": done.returncode, "stderr": done.stderr.strip()[:300]}
    return FaultResult(
        "a home on a full or read-only disk",
        "TRUTHGRAPH_HOME on a 256 KiB tmpfs, then on a read-only tmpfs",
        survived=survived,
        details=results,
    )
