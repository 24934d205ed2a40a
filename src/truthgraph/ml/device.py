"""Device detection and per-device batch limits.

torch is imported inside the functions that need it, so the batch limits serve the ONNX
backend without loading torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

MAX_BATCH_SIZE: dict[str, int] = {"cuda": 256, "mps": 128, "cpu": 64}


def detect_device(requested: str = "auto") -> str:
    """The best available device: cuda, then mps, then cpu (or ``requested`` if not auto)."""
    if requested != "auto":
        return requested
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def clamp_batch_size(batch_size: int, device: str) -> int:
    """Limit a requested batch size to the device's maximum (prevents out-of-memory)."""
    return max(1, min(batch_size, MAX_BATCH_SIZE.get(device, 64)))


def module_memory_mb(module: torch.nn.Module) -> float:
    """Parameter and buffer memory of a torch module, in MiB."""
    size = sum(p.numel() * p.element_size() for p in module.parameters())
    size += sum(b.numel() * b.element_size() for b in module.buffers())
    return size / 1024 / 1024


class TorchModel:
    """What a torch-backed model holding its torch module in ``_model`` tells of it: its
    ``backend``, the ``module`` and the module's ``memory_mb``."""

    backend = "torch"
    _model: Any

    @property
    def module(self) -> torch.nn.Module:
        """The underlying torch module (for memory accounting)."""
        module: torch.nn.Module = self._model
        return module

    @property
    def memory_mb(self) -> float:
        """Parameter and buffer memory of the loaded model, in MiB."""
        return module_memory_mb(self.module)


def device_info(device: str) -> dict[str, object]:
    """A description of the device for stats and reports."""
    import torch

    info: dict[str, object] = {
        "device": device,
        "torch_version": torch.__version__,
        "num_threads": torch.get_num_threads(),
        "cuda_available": torch.cuda.is_available(),
    }
    if device == "cuda":
        info["gpu_name"] = torch.cuda.get_device_name(0)
    return info
