"""Fault scenarios run real processes on homes of their own that borrow the session home's
model files and ONNX exports (made when the session's models load)."""

from __future__ import annotations

from pathlib import Path

import pytest

from truthgraph.ports import LoadedEmbedder, LoadedNLIModel


@pytest.fixture(scope="session")
def source_home(home: Path, embedder_session: LoadedEmbedder, nli_session: LoadedNLIModel) -> Path:
    """The session home, once its models are loaded (so their exports exist)."""
    return home
