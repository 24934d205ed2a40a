"""The embedded server's handle list: ids of processes killed with kill -9 are dropped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from truthgraph.db.embedded import HANDLES_FILE, prune_stale_handles


def test_dead_process_ids_are_dropped_and_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / HANDLES_FILE).write_text(json.dumps([dead.pid, os.getpid()]))
    assert prune_stale_handles(tmp_path) == [os.getpid()]
    assert json.loads((tmp_path / HANDLES_FILE).read_text()) == [os.getpid()]


def test_no_handle_list_is_an_empty_one(tmp_path: Path) -> None:
    assert prune_stale_handles(tmp_path) == []
