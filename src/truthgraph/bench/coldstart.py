"""Cold start: a fresh process imports TruthGraph, loads both models and warms them."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def cold_start(home: Path, repeat: int = 3, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Median over ``repeat`` fresh processes: total seconds, per-model load ms, RSS."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", COLD_LOAD],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "TRUTHGRAPH_HOME": str(home), **(env or {})},
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "cold_start_s_median": round(statistics.median(r["cold_start_s"] for r in runs), 2),
        "cold_start_runs_s": [round(r["cold_start_s"], 2) for r in runs],
        "model_load_ms_median": {
            k: round(statistics.median(float(r["load_ms"][k]) for r in runs), 1)
            for k in ("embedding", "nli")
        },
        "rss_mb_median": round(statistics.median(float(r["rss_mb"]) for r in runs), 1),
        "torch_imported": bool(runs[-1]["torch_imported"]),
    }
