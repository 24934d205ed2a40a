"""The embedded server's memory setting, on a fresh server of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

SHOW = """
from truthgraph.db.database import database_url
from truthgraph.settings import Settings
import psycopg
with psycopg.connect(database_url(Settings())) as conn:
    print(conn.execute("SHOW shared_buffers").fetchone()[0])
"""


def _show(home: Path, shared_buffers: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUTHGRAPH_")}
    env["TRUTHGRAPH_HOME"] = str(home)
    if shared_buffers is not None:
        env["TRUTHGRAPH_EMBEDDED_SHARED_BUFFERS"] = shared_buffers
    done = subprocess.run(
        [sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_shared_buffers_applies_at_once_and_stays(tmp_path: Path) -> None:
    assert _show(tmp_path, None) == "128MB"  # PostgreSQL's own default
    assert _show(tmp_path, "192MB") == "192MB"  # restarted: no other client was connected
    assert _show(tmp_path, None) == "192MB"  # kept for later starts
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()  # the last user stopped it
