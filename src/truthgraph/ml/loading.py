"""The models on the configured backend: the embedder and a verifier, each on ONNX Runtime or
torch as the settings pick (``auto``: the shipped or exported ONNX graph, else torch), with
their ONNX exports made on first use.

Importing this module does not import torch: the torch models are imported inside the
functions that build them, so a process running the ONNX backend never loads torch. The
composition root (``wiring``) calls these; so does the second opinion, through the loader
``wiring`` hands it, when it first reads a claim.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from truthgraph.errors import ModelLoadError
from truthgraph.ml.backend import Backend, choose_backend, uses_accelerator
from truthgraph.ml.device import detect_device
from truthgraph.ml.onnx.cache import export_dir, key_of_export
from truthgraph.ml.registry import TRAIN_EXTRA_HINT, require_source, resolve_model
from truthgraph.ml.resolved import ResolvedModel
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel
from truthgraph.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


def quiet_libraries(transformers: bool = True) -> None:
    """Silence library progress bars and load reports that would clutter the CLI.

    ``transformers=False`` leaves transformers alone (and unimported: the ONNX backend).
    """
    import logging
    import os

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if not transformers:
        return
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    except ImportError:  # pragma: no cover
        pass


def onnx_cache_dir(settings: Settings) -> Path:
    """Where ONNX exports are cached: ``TRUTHGRAPH_HOME/onnx``."""
    return settings.home / "onnx"


def optimized_dir(settings: Settings) -> Path:
    """Where ONNX graphs optimised for this CPU are kept: ``TRUTHGRAPH_HOME/onnx-optimized``
    (beside the exports, not among them: ``models prune`` judges those)."""
    return settings.home / "onnx-optimized"


def model_backend(settings: Settings, model: ResolvedModel, folder: Path | None = None) -> Backend:
    """The backend that runs ``model`` (``settings.model.backend``, with ``auto`` resolved)."""
    return choose_backend(
        settings.model.backend, model, onnx_cache_dir(settings), settings.model.device, folder
    )


def runtime_device(settings: Settings) -> str:
    """The device the configured models run on, found without importing torch unless the
    models will run on torch anyway."""
    requested = settings.model.device
    if settings.model.backend in ("onnx", "onnx-int8"):
        from truthgraph.ml.onnx.session import onnx_device

        return onnx_device(requested)
    if settings.model.backend == "torch" or uses_accelerator(requested):
        return detect_device(requested)
    return "cpu"


def export_folder(settings: Settings, model: ResolvedModel) -> Path:
    """Where ``model``'s ONNX export is: the one shipped with the package while it matches the
    model's weights, else ``TRUTHGRAPH_HOME/onnx/<model>-<key>`` (made on first use).
    ModelLoadError for a hub name or a folder without weights."""
    from truthgraph.ml.onnx.shipped import matches

    if model.export is not None and model.path is None:
        return model.export
    folder = export_dir(model, onnx_cache_dir(settings))
    if model.export is not None and matches(model.export, key_of_export(folder)):
        return model.export
    return folder


def _on_backend(
    settings: Settings,
    model: ResolvedModel,
    export: Callable[[ResolvedModel, Path, Path], Path],
    onnx: Callable[[Path, bool, str], T],
    torch: Callable[[str], T],
) -> T:
    """``onnx(export folder, int8, device)`` or ``torch(device)``, whichever backend the settings
    pick for ``model``; ``export(model, cache dir, folder)`` makes a missing export. Under
    ``auto``, a model that cannot be exported or loaded on ONNX Runtime runs on torch (with a
    warning), as it did before there was an ONNX backend, and a model with only its shipped
    int8 export (the core install: no torch, no source weights) runs on that."""
    from truthgraph.ml.backend import torch_installed
    from truthgraph.ml.onnx.shipped import is_usable

    requested = settings.model.backend
    folder: Path | None = None
    if requested != "torch":
        try:
            folder = export_folder(settings, model)
        except ModelLoadError:  # a hub name or a folder without weights: nothing to export
            if requested != "auto":
                raise
    backend = model_backend(settings, model, folder) if folder is not None else "torch"
    if folder is not None and requested == "auto":
        shipped_only = is_usable(folder, int8=True) and not is_usable(folder, int8=False)
        if shipped_only and (backend == "onnx" or (backend == "torch" and not torch_installed())):
            backend = "onnx-int8"  # the shipped graph passed the quality check; fp32 needs torch
    if backend != "torch" and folder is not None:
        from truthgraph.ml.onnx.session import onnx_device

        quiet_libraries(transformers=False)
        int8 = backend == "onnx-int8"
        try:
            if not is_usable(folder, int8):  # exported here (a shipped folder is never written)
                cache_dir = onnx_cache_dir(settings)
                folder = export(model, cache_dir, export_dir(model, cache_dir))
            return onnx(folder, int8, onnx_device(settings.model.device))
        except ModelLoadError as exc:
            if requested != "auto" or not torch_installed():
                raise
            log.warning("%s cannot run on ONNX Runtime (%s); using torch", model.name, exc)
    if not torch_installed():
        raise ModelLoadError(
            f"{model.name} on the torch backend needs torch, which the core install leaves out: "
            f"{TRAIN_EXTRA_HINT}"
        )
    require_source(model, "the torch backend")
    quiet_libraries()
    return torch(detect_device(settings.model.device))


def build_embedder(settings: Settings) -> LoadedEmbedder:
    """The embedding model on the configured backend (an ONNX export is made on first use)."""
    model = resolve_model(settings.model.embedding_model, settings.models_dir)
    batch_size = settings.model.embedding_batch_size

    def export(model: ResolvedModel, cache_dir: Path, folder: Path) -> Path:
        from truthgraph.ml.onnx.export import export_embedder

        return export_embedder(model, cache_dir, folder=folder)

    def onnx(folder: Path, int8: bool, device: str) -> LoadedEmbedder:
        from truthgraph.ml.onnx.embedding import OnnxEmbedder

        return OnnxEmbedder(
            folder,
            int8=int8,
            device=device,
            batch_size=batch_size,
            optimized_dir=optimized_dir(settings),
            batch_tokens=settings.model.batch_tokens,
        )

    def torch(device: str) -> LoadedEmbedder:
        from truthgraph.ml.embedder import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(model, device, batch_size)

    return _on_backend(settings, model, export, onnx, torch)


def build_nli(settings: Settings) -> LoadedNLIModel:
    """The NLI verifier on the configured backend (an ONNX export is made on first use)."""
    model = resolve_model(settings.model.nli_model, settings.models_dir)
    batch_size, max_length = settings.model.nli_batch_size, settings.model.nli_max_length

    def export(model: ResolvedModel, cache_dir: Path, folder: Path) -> Path:
        from truthgraph.ml.onnx.export import export_nli

        return export_nli(model, cache_dir, folder=folder)

    def onnx(folder: Path, int8: bool, device: str) -> LoadedNLIModel:
        from truthgraph.ml.onnx.nli import OnnxNLI

        return OnnxNLI(
            folder,
            int8,
            device,
            batch_size,
            max_length,
            optimized_dir=optimized_dir(settings),
            batch_tokens=settings.model.batch_tokens,
        )

    def torch(device: str) -> LoadedNLIModel:
        from truthgraph.ml.nli.model import CrossEncoderNLI

        return CrossEncoderNLI(model, device, batch_size, max_length)

    return _on_backend(settings, model, export, onnx, torch)


def load_models(settings: Settings) -> tuple[LoadedEmbedder, LoadedNLIModel, dict[str, float]]:
    """Both configured models, loaded (missing files fail first, with the fix in the message),
    and the milliseconds each load took."""
    resolve_model(settings.model.embedding_model, settings.models_dir)
    resolve_model(settings.model.nli_model, settings.models_dir)
    started = time.perf_counter()
    embedder = build_embedder(settings)
    loaded = time.perf_counter()
    nli = build_nli(settings)
    load_ms = {
        "embedding": (loaded - started) * 1000,
        "nli": (time.perf_counter() - loaded) * 1000,
    }
    return embedder, nli, load_ms


def warm_models(settings: Settings) -> dict[str, float]:
    """Load both models and run one inference each (what the service does at start-up);
    the load time in ms per model."""
    embedder, nli, load_ms = load_models(settings)
    embedder.embed(["Warm-up sentence."])
    nli.predict([("The sky is blue.", "The sky has a colour.")])
    return load_ms
