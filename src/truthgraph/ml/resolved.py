"""``ResolvedModel``: where a model's files are. A leaf: loaders import it, it imports nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """Where a model's files are (``path``) or which hub name to load (``hub_name``), and the
    ONNX export shipped with the package for it (``export``), if any.

    A default model whose source weights are not installed (the core install, without the
    ``train`` extra) has ``path`` None and runs from ``export`` alone."""

    name: str
    path: Path | None
    hub_name: str | None = None
    export: Path | None = None

    @property
    def location(self) -> str:
        if self.path is not None:
            return str(self.path)
        return str(self.hub_name) if self.hub_name is not None else str(self.export)
