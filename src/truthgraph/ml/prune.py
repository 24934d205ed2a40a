"""Find the cached model files no current model can use again. Torch-free.

Two caches grow with every new model version and never shrink on their own:

- merges of the shipped adapter verifier (``TRUTHGRAPH_HOME/models/<name>-merged-<key>``, about
  420 MB each): a new adapter, tokenizer or calibration makes a new one;
- ONNX exports (``TRUTHGRAPH_HOME/onnx/<name>-<key>``, 150 to 600 MB each): a changed model
  makes a new one.

A merge is stale when the shipped adapter has moved on. An export is kept when a known model
(the shipped ones, and all-mpnet-base-v2 once installed) would load it now, or when the folder
it was exported from still holds the same weights (a verifier trained by the user); it is
stale otherwise. Merges of adapters in other folders are left alone: their folders are
unknown here.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from truthgraph.errors import ModelLoadError
from truthgraph.ml.nli import adapter
from truthgraph.ml.onnx.cache import (
    MANIFEST_FILE,
    export_dir,
    export_key,
    key_of_export,
    read_manifest,
)
from truthgraph.ml.registry import (
    MINILM,
    MPNET,
    SHIPPED_MPNET_FOLDER,
    SHIPPED_MPNET_VERIFIER,
    SHIPPED_VERIFIER,
    resolve_model,
)
from truthgraph.ml.resolved import ResolvedModel


@dataclass(frozen=True, slots=True)
class StaleFolder:
    """A cached folder that can go, why, and how many bytes it holds."""

    path: Path
    reason: str
    size: int


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def stale_merges(models_dir: Path, shipped: Path = SHIPPED_MPNET_FOLDER) -> list[StaleFolder]:
    """Merges of the shipped adapter in ``shipped`` other than its current one."""
    if not models_dir.is_dir():
        return []
    current = adapter.merged_dir(shipped, models_dir)
    return [
        StaleFolder(path, f"an earlier version of {shipped.name}", folder_size(path))
        for path in sorted(models_dir.glob(f"{shipped.name}-merged-*"))
        if path.is_dir() and path != current
    ]


def live_exports(models_dir: Path, onnx_dir: Path) -> set[Path]:
    """Where the known models' exports are, for the models installed now (nothing is merged)."""
    models: list[ResolvedModel] = []
    for name in (MINILM, MPNET, SHIPPED_VERIFIER):
        try:
            models.append(resolve_model(name, models_dir))
        except ModelLoadError:
            continue
    merged = adapter.existing_merge(SHIPPED_MPNET_FOLDER, models_dir)
    if merged is not None:
        models.append(ResolvedModel(SHIPPED_MPNET_VERIFIER, merged))
    live: set[Path] = set()
    for model in models:
        try:
            live.add(export_dir(model, onnx_dir))
        except ModelLoadError:  # a hub name (not installed): it has no export here
            continue
    return live


def _export_problem(folder: Path, removed: set[Path]) -> str | None:
    """Why the export in ``folder`` can no longer be used, or None when it can."""
    if not (folder / MANIFEST_FILE).is_file():
        return "an incomplete export"
    try:
        manifest = read_manifest(folder)
    except ModelLoadError:
        return "an unreadable export"
    source = Path(manifest.source)
    if source in removed:
        return f"exported from {source}, removed with it"
    if not source.is_dir():
        return f"exported from {source}, which is gone"
    if export_key(ResolvedModel(manifest.name, source)) != key_of_export(folder):
        return f"exported from an earlier version of {source}"
    return None


def stale_exports(
    onnx_dir: Path, live: Iterable[Path] = (), removed: Iterable[Path] = ()
) -> list[StaleFolder]:
    """ONNX exports not in ``live`` whose model folder is gone, changed, or among ``removed``."""
    if not onnx_dir.is_dir():
        return []
    keep = {Path(p) for p in live}
    gone = {Path(p) for p in removed}
    stale: list[StaleFolder] = []
    for folder in sorted(onnx_dir.iterdir()):
        if not folder.is_dir() or folder.name.startswith(".") or folder in keep:
            continue  # a dot folder is an export being written
        problem = _export_problem(folder, gone)
        if problem is not None:
            stale.append(StaleFolder(folder, problem, folder_size(folder)))
    return stale


def stale_folders(models_dir: Path, onnx_dir: Path) -> list[StaleFolder]:
    """Every stale merge, then every stale export (those of a stale merge included)."""
    merges = stale_merges(models_dir)
    live = live_exports(models_dir, onnx_dir)
    return merges + stale_exports(onnx_dir, live, [m.path for m in merges])


def remove(folders: Iterable[StaleFolder]) -> int:
    """Delete ``folders``; the bytes freed."""
    freed = 0
    for folder in folders:
        shutil.rmtree(folder.path, ignore_errors=True)
        if not folder.path.exists():
            freed += folder.size
    return freed
