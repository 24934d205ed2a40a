"""Cold start: a fresh process imports TruthGraph, loads both models and warms them."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from truthgraph.ml.onnx.cache import MANIFEST_FILE

COLD_LOAD = """
import time, json, sys, psutil
t0 = time.perf_counter()
from truthgraph.settings import Settings
from truthgraph.wiring import warm_models
times = warm_models(Settings())
total = time.perf_counter() - t0
print(json.dumps({"cold_start_s": total, "load_ms": times, "torch_imported": "torch" in sys.modules,
                  "rss_mb": psutil.Process().memory_info().rss / 2**20}))
"""


def _one(home: Path, env: dict[str, str] | None) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", COLD_LOAD],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TRUTHGRAPH_HOME": str(home), **(env or {})},
    )
    run: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return run


def cold_start(
    home: Path, repeat: int = 3, env: dict[str, str] | None = None, fresh: bool = False
) -> dict[str, Any]:
    """Median over ``repeat`` fresh processes: total seconds, per-model load ms, RSS.

    ``fresh``: each process starts in a new, empty home under ``home`` (the first start after
    installing: nothing cached, no ONNX export made yet), and ``exported`` says whether any
    of them had to export a model."""
    runs = []
    exported = False
    for index in range(repeat):
        run_home = home / f"fresh-{index}" if fresh else home
        runs.append(_one(run_home, env))
        exported = exported or (fresh and any((run_home / "onnx").glob(f"*/{MANIFEST_FILE}")))
    return {
        "cold_start_s_median": round(statistics.median(r["cold_start_s"] for r in runs), 2),
        "cold_start_runs_s": [round(r["cold_start_s"], 2) for r in runs],
        "model_load_ms_median": {
            k: round(statistics.median(float(r["load_ms"][k]) for r in runs), 1)
            for k in ("embedding", "nli")
        },
        "rss_mb_median": round(statistics.median(float(r["rss_mb"]) for r in runs), 1),
        "torch_imported": bool(runs[-1]["torch_imported"]),
        "fresh_home": fresh,
        "exported": exported,
    }
