"""Which backend runs a model: torch, ONNX Runtime fp32, or ONNX Runtime int8. Torch-free.

``TRUTHGRAPH_MODEL__BACKEND=auto`` (the default) picks, per model:

1. ``torch`` on a machine with an accelerator (an NVIDIA device, Apple silicon) or a device
   setting of cuda/mps, where torch is installed (the ``train`` extra): the quality and speed
   records below are CPU measurements;
2. ``torch`` for a model that is not a local folder (a hub name: nothing to export);
3. otherwise the fastest backend that met the quality bar in the record of the quality check
   (``ml/onnx/quality.py``) for this exact model (same export key, i.e. same weights):
   first ``quality.json`` in the model's ONNX cache folder (a check run on this machine), then
   the table shipped with the package for the default models (``models/onnx-quality.json``);
4. with no record, ``onnx`` (fp32): it gives the torch model's outputs to within float
   rounding and was faster than torch on every CPU model measured; int8 is used only where a
   check has shown it keeps quality.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
from pathlib import Path
from typing import Any, Literal, get_args

from truthgraph.ml.onnx.cache import export_dir, read_quality
from truthgraph.ml.registry import PACKAGE_MODELS_DIR
from truthgraph.ml.resolved import ResolvedModel

Backend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[Backend, ...] = get_args(Backend)
FALLBACK_BACKEND: Backend = "onnx"
SHIPPED_QUALITY_TABLE = PACKAGE_MODELS_DIR / "onnx-quality.json"
_NVIDIA_PATHS = (Path("/dev/nvidia0"), Path("/proc/driver/nvidia/version"))


def accelerator_present() -> bool:
    """True on a machine with an NVIDIA GPU driver or on Apple silicon (checked without torch)."""
    if sys.platform == "darwin" and platform.machine() == "arm64":
        return True
    return any(path.exists() for path in _NVIDIA_PATHS)


def uses_accelerator(device: str) -> bool:
    """Whether a device setting (auto, cpu, cuda, mps) will put torch models on an accelerator."""
    return device in ("cuda", "mps") or (device == "auto" and accelerator_present())


def torch_installed() -> bool:
    """Whether torch can be imported here (the ``train`` extra), found without importing it."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):  # a finder that refuses it; a half-imported module
        return False


def shipped_records(path: Path = SHIPPED_QUALITY_TABLE) -> list[dict[str, Any]]:
    """The quality records shipped with the package (empty when the table is missing)."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    records = raw.get("records", []) if isinstance(raw, dict) else []
    return [r for r in records if isinstance(r, dict)]


def recorded_backend(record: dict[str, Any] | None) -> Backend | None:
    """The backend a quality record chose, when it names a known one."""
    chosen = record.get("chosen") if record else None
    return chosen if chosen in BACKENDS else None


def choose_backend(
    requested: str,
    model: ResolvedModel,
    cache_dir: Path,
    device: str = "auto",
    folder: Path | None = None,
    table: Path = SHIPPED_QUALITY_TABLE,
) -> Backend:
    """The backend for ``model``: ``requested`` unless it is ``auto`` (see the module doc).

    ``folder`` is the model's export folder when the caller computed it already.
    """
    if requested in BACKENDS:
        return requested
    if model.path is None and model.export is None:
        return "torch"
    if uses_accelerator(device) and torch_installed():
        return "torch"
    folder = folder or export_dir(model, cache_dir)
    local = recorded_backend(read_quality(cache_dir / folder.name))
    if local is not None:
        return local
    key = folder.name.rsplit("-", 1)[-1]
    for record in shipped_records(table):
        # The key hashes the weights: the same model named by its folder path matches too.
        if record.get("key") == key and record.get("model") == Path(model.name).name:
            shipped = recorded_backend(record)
            if shipped is not None:
                return shipped
    return FALLBACK_BACKEND
