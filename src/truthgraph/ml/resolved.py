"""``ResolvedModel``: where a model's files are. A leaf: loaders import it, it imports nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """Where a model's files are (``path``) or which hub name to load (``hub_name``)."""

    name: str
    path: Path | None
    hub_name: str | None = None

    @property
    def location(self) -> str:
        return str(self.path) if self.path is not None else str(self.hub_name)
