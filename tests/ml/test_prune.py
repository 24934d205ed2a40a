"""`truthgraph models prune`: only cached folders no model can use again go."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from truthgraph.cli.main import app
from truthgraph.ml.nli import adapter
from truthgraph.ml.onnx.cache import MANIFEST_FILE, Manifest, export_key
from truthgraph.ml.prune import remove, stale_exports, stale_merges
from truthgraph.ml.resolved import ResolvedModel


def _model(folder: Path, weights: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(weights)
    return folder


def _export(onnx_dir: Path, name: str, source: Path, key: str | None = None) -> Path:
    folder = onnx_dir / f"{name}-{key or export_key(ResolvedModel(name, source))}"
    folder.mkdir(parents=True)
    manifest = Manifest("nli", name, str(source), ("input_ids",), max_length=8)
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest.to_json()))
    (folder / "model.onnx").write_bytes(b"x" * 1000)
    return folder


def test_exports_of_changed_or_deleted_models_are_stale_and_the_rest_stay(tmp_path: Path) -> None:
    mine = _model(tmp_path / "runs" / "mine", b"first weights")
    onnx = tmp_path / "onnx"
    earlier = _export(onnx, "mine", mine)
    deleted = _export(onnx, "old-run", tmp_path / "runs" / "deleted", key="0123456789ab")
    _model(mine, b"retrained weights")
    current = _export(onnx, "mine", mine)
    incomplete = onnx / "mine-aaaaaaaaaaaa"
    incomplete.mkdir()
    being_written = onnx / ".mine-x1y2"
    being_written.mkdir()

    stale = stale_exports(onnx)
    assert {s.path: s.reason.split(" ")[0] for s in stale} == {
        earlier: "exported",
        deleted: "exported",
        incomplete: "an",
    }
    assert "earlier version" in next(s.reason for s in stale if s.path == earlier)
    # a live export (a known model would load it) stays even when its source folder is gone
    assert deleted not in {s.path for s in stale_exports(onnx, live=[deleted])}
    # an export of a removed merge goes with it
    assert current in {s.path for s in stale_exports(onnx, removed=[mine])}

    assert remove(stale) == sum(s.size for s in stale) > 0
    assert sorted(p.name for p in onnx.iterdir()) == sorted([current.name, being_written.name])


def test_only_earlier_merges_of_the_shipped_adapter_are_stale(tmp_path: Path) -> None:
    shipped = tmp_path / "truthgraph-verifier-mpnet"
    shipped.mkdir()
    (shipped / "adapter_config.json").write_text("{}")
    models = tmp_path / "models"
    adapter.merged_dir(shipped, models).mkdir(parents=True)
    earlier = _model(models / f"{shipped.name}-merged-000000000000", b"weights")
    _model(models / "my-adapter-merged-111111111111", b"someone else's")
    _model(models / "all-mpnet-base-v2", b"the base")

    stale = stale_merges(models, shipped)
    assert [s.path for s in stale] == [earlier]
    assert stale[0].size == len(b"weights") + len(b"{}")
    assert stale_merges(tmp_path / "no-such-folder", shipped) == []


def test_prune_lists_first_on_a_dry_run_then_frees_the_space(tmp_path: Path) -> None:
    onnx = tmp_path / "home" / "onnx"
    gone = _export(onnx, "old-run", tmp_path / "deleted", key="0123456789ab")
    runner = CliRunner()
    env = {"TRUTHGRAPH_HOME": str(tmp_path / "home"), "TRUTHGRAPH_DATABASE_URL": ""}

    listed = runner.invoke(app, ["models", "prune", "--dry-run"], env=env)
    assert listed.exit_code == 0, listed.output
    assert str(gone) in listed.output and "would be freed" in listed.output
    assert gone.exists()

    pruned = runner.invoke(app, ["models", "prune"], env=env)
    assert pruned.exit_code == 0, pruned.output
    assert "1 folder removed" in pruned.output
    assert not gone.exists()
