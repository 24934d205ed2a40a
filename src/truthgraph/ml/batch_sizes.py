"""Measured batch sizes, saved under TRUTHGRAPH_HOME by ``truthgraph bench batch-sizes``."""

from __future__ import annotations

import json
from pathlib import Path

from truthgraph.data.files import atomic_write

BATCH_SIZES_FILE = "batch_sizes.json"


def load_batch_size(home: Path, device: str, service: str) -> int | None:
    """The saved batch size for ``service`` on ``device``, or None."""
    path = home / BATCH_SIZES_FILE
    try:
        value = json.loads(path.read_text()).get(device, {}).get(service)
    except (OSError, json.JSONDecodeError, AttributeError):
        return None
    return value if isinstance(value, int) and value > 0 else None


def save_batch_size(home: Path, device: str, service: str, batch_size: int) -> Path:
    """Merge one measured batch size into TRUTHGRAPH_HOME/batch_sizes.json (atomic write)."""
    path = home / BATCH_SIZES_FILE
    data: dict[str, dict[str, int]] = {}
    if path.is_file():
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError:
            data = {}
    data.setdefault(device, {})[service] = batch_size
    home.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, json.dumps(data, indent=2) + "\n")
