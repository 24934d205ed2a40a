"""Real TruthGraph processes for the fault scenarios: a server, a CLI command, a home.

Everything runs on this machine: servers bind 127.0.0.1 only, and each scenario gets a home
of its own (its own embedded PostgreSQL) that shares the model files and ONNX exports of an
existing home, so no scenario pays the one-off export again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg

from truthgraph.bench.loadtest import free_port, serve_command, wait_ready
from truthgraph.db.embedded import start_embedded

SHARED_DIRS = ("models", "onnx")  # what a scenario home borrows from the source home
DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"


def scenario_home(path: Path, source_home: Path) -> Path:
    """A fresh TRUTHGRAPH_HOME at ``path`` that links the model caches of ``source_home``."""
    path.mkdir(parents=True, exist_ok=True)
    for name in SHARED_DIRS:
        (source_home / name).mkdir(parents=True, exist_ok=True)
        link = path / name
        if not link.exists():
            link.symlink_to((source_home / name).resolve(), target_is_directory=True)
    return path


def environment(home: Path, **overrides: str) -> dict[str, str]:
    """The environment of a TruthGraph process on ``home``: no inherited TRUTHGRAPH_* setting,
    no key, no rate limit, offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUTHGRAPH_")}
    env.update(
        {
            "TRUTHGRAPH_HOME": str(home),
            "TRUTHGRAPH_API_RATE_LIMIT_PER_MINUTE": "0",
            "HF_HUB_OFFLINE": "1",
        }
    )
    env.update(overrides)
    return env


def cli(
    home: Path, *args: str, timeout_s: float = 600, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``truthgraph ARGS`` on ``home`` to the end."""
    return subprocess.run(
        [sys.executable, "-c", "from truthgraph.cli.main import main; main()", *args],
        env=environment(home, **env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        stdin=subprocess.DEVNULL,
    )


def cli_process(home: Path, *args: str, **env: str) -> subprocess.Popen[bytes]:
    """Start ``truthgraph ARGS`` on ``home`` without waiting."""
    return subprocess.Popen(
        [sys.executable, "-c", "from truthgraph.cli.main import main; main()", *args],
        env=environment(home, **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )


def ingest_demo(home: Path, collection: str, database_url: str | None = None) -> None:
    """Ingest the demo corpus into ``collection`` of ``home`` (or of ``database_url``) with
    the CLI."""
    args = ("ingest", str(DEMO_DIR / "corpus.jsonl"), "--collection", collection)
    if database_url is None:
        done = cli(home, *args)
    else:
        done = cli(home, *args, TRUTHGRAPH_DATABASE_URL=database_url)
    if done.returncode != 0:
        raise RuntimeError(f"ingesting the demo corpus failed: {done.stderr.strip()}")


class Server:
    """``truthgraph serve`` on a free loopback port, in its own process."""

    def __init__(self, home: Path, log_path: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            serve_command(self.port),
            env=environment(home, **env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def wait_ready(self, timeout_s: float = 300) -> Server:
        wait_ready(self.url, timeout_s, self.process)
        return self

    def kill(self) -> None:
        """``kill -9``: no clean-up of any kind."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self._log.close()

    def stop(self) -> None:
        """SIGTERM: the graceful shutdown a service manager sends."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()

    def client(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, headers=headers)


@contextmanager
def serving(home: Path, log_path: Path, **env: str) -> Iterator[Server]:
    """A ready server on ``home``, stopped (gracefully) afterwards."""
    server = Server(home, log_path, **env).wait_ready()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def database(home: Path) -> Iterator[psycopg.Connection[Any]]:
    """A connection to ``home``'s embedded database (joining, or starting, its server)."""
    with psycopg.connect(start_embedded(home / "pgdata"), autocommit=True) as conn:
        yield conn


def postmaster_pid(home: Path) -> int | None:
    """The embedded server's process id (first line of ``postmaster.pid``), if it runs."""
    import psutil

    try:
        pid = int((home / "pgdata" / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if psutil.pid_exists(pid) else None


def wait_until(predicate: Any, timeout_s: float, interval_s: float = 0.2) -> bool:
    """Poll ``predicate()`` until it is true (True) or ``timeout_s`` passes (False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return bool(predicate())
