"""The ONNX exports shipped inside the package, so that a fresh install answers at once. Torch-free.

The default embedding model and the default verifier ship as int8 exports under
``truthgraph/models/onnx/<model>-<key>/`` (``model.int8.onnx``, ``tokenizer.json``,
``export.json``): the same folders ``export.export_*`` builds, less the fp32 graph. Nothing is
exported on first use, and the core install needs no torch.

A shipped export stands for its model only while the key matches: when the model's source
weights are installed (the ``train`` extra brings the embedding model's; the verifier's ship
with the package) and hash to another key, the model is exported as before.

>>> shipped_export("all-MiniLM-L6-v2")  # doctest: +SKIP
PosixPath('.../truthgraph/models/onnx/all-MiniLM-L6-v2-0123456789ab')
"""

from __future__ import annotations

import shutil
from pathlib import Path

from truthgraph.ml.onnx.cache import (
    FP32_FILE,
    INT8_FILE,
    MANIFEST_FILE,
    TOKENIZER_FILE,
    key_of_export,
    read_manifest,
)

SHIPPED_EXPORTS_DIR = Path(__file__).resolve().parent.parent.parent / "models" / "onnx"
SHIPPED_FILES = (INT8_FILE, TOKENIZER_FILE, MANIFEST_FILE)
MAX_SHIPPED_FILE = 64 * 1024 * 1024
"""A shipped graph larger than this keeps its weights beside it, in files of at most this
size (``model.int8.onnx.data-N``, ONNX external data, which ONNX Runtime reads from the graph's
folder): git hosts refuse files over 100 MB, and the accurate verifier's graph is 109 MB."""


def is_usable(folder: Path, int8: bool) -> bool:
    """True when ``folder`` holds what a session on the given graph needs."""
    graph = INT8_FILE if int8 else FP32_FILE
    return all((folder / name).is_file() for name in (graph, TOKENIZER_FILE, MANIFEST_FILE))


def shipped_export(name: str, root: Path = SHIPPED_EXPORTS_DIR) -> Path | None:
    """The shipped export of the model named ``name`` (by its manifest), or None."""
    if not root.is_dir():
        return None
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and is_usable(folder, int8=True) and read_manifest(folder).name == name:
            return folder
    return None


def matches(folder: Path, key: str | None) -> bool:
    """Whether the shipped ``folder`` stands for weights with export key ``key`` (None: the
    source weights are not installed, so the shipped export is all there is)."""
    return key is None or key_of_export(folder) == key


def ship(export: Path, root: Path = SHIPPED_EXPORTS_DIR) -> Path:
    """Copy an export's int8 graph, tokenizer and manifest into the package (for maintainers,
    after a retrained model passed the quality check); older exports of the same model go."""
    name = read_manifest(export).name
    root.mkdir(parents=True, exist_ok=True)
    old = shipped_export(name, root)
    if old is not None and old.name != export.name:
        shutil.rmtree(old)
    destination = root / export.name
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir()
    for file in SHIPPED_FILES:
        if file == INT8_FILE and (export / file).stat().st_size > MAX_SHIPPED_FILE:
            split_weights(export / file, destination / file)
        else:
            shutil.copyfile(export / file, destination / file)
    return destination


def split_weights(graph: Path, destination: Path, max_bytes: int = MAX_SHIPPED_FILE) -> None:
    """Write the graph at ``graph`` to ``destination`` with its weights of 1 MiB or more in
    external data files beside it, ``<name>.data-0``, ``-1``, ..., each at most ``max_bytes``
    (a single larger tensor gets a file of its own). The graph computes the same."""
    import onnx
    from onnx.external_data_helper import set_external_data

    model = onnx.load(str(graph))
    part, filled = 0, 0
    for tensor in model.graph.initializer:
        size = len(tensor.raw_data)
        if size < 1 << 20:
            continue
        if filled and filled + size > max_bytes:
            part, filled = part + 1, 0
        set_external_data(tensor, f"{destination.name}.data-{part}")
        tensor.data_location = onnx.TensorProto.EXTERNAL
        filled += size
    onnx.save_model(model, str(destination))
    for data in destination.parent.glob(f"{destination.name}.data-*"):
        data.chmod(0o644)  # onnx writes them private; they ship in the package
