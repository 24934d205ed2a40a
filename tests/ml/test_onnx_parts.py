"""The torch-free parts of the ONNX backend: length bucketing and the choice of backend."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from truthgraph.ml import backend as backend_module
from truthgraph.ml.backend import choose_backend
from truthgraph.ml.onnx.cache import (
    INT8_SETTINGS,
    QUALITY_FILE,
    Kind,
    export_dir,
    export_key,
    int8_settings,
)
from truthgraph.ml.onnx.quality import BackendFigures, ModelQuality, write_quality_table
from truthgraph.ml.onnx.tokens import bucketed_batches
from truthgraph.ml.resolved import ResolvedModel
from truthgraph.settings import Settings


@dataclass
class FakeEncoding:
    ids: list[int]
    type_ids: list[int]


def make_encodings(lengths: list[int]) -> list[FakeEncoding]:
    return [FakeEncoding(list(range(1, n + 1)), [0] * n) for n in lengths]


def test_batches_hold_rows_of_similar_length_padded_to_their_own_longest() -> None:
    encodings = make_encodings([9, 2, 7, 3, 2, 8])

    batches = list(bucketed_batches(encodings, 2, ["input_ids", "attention_mask"]))

    assert [b.rows.tolist() for b in batches] == [[1, 4], [3, 2], [5, 0]]
    assert [b.feeds["input_ids"].shape for b in batches] == [(2, 2), (2, 7), (2, 9)]
    assert batches[1].feeds["attention_mask"].tolist() == [[1, 1, 1, 0, 0, 0, 0], [1] * 7]
    assert set(batches[0].feeds) == {"input_ids", "attention_mask"}


def test_every_row_appears_once_so_results_return_in_input_order() -> None:
    lengths = [5, 1, 4, 4, 2, 9, 3]
    out = np.zeros(len(lengths), dtype=np.int64)

    for batch in bucketed_batches(make_encodings(lengths), 3, ["attention_mask"]):
        out[batch.rows] = batch.feeds["attention_mask"].sum(axis=1)

    assert out.tolist() == lengths


def test_a_token_budget_cuts_batches_of_long_rows_shorter() -> None:
    encodings = make_encodings([2, 2, 2, 2, 10, 10, 10, 30])

    batches = list(bucketed_batches(encodings, 4, ["input_ids"], max_tokens=20))

    # four short rows fill the batch size; two rows of 10 fill the budget; 30 is alone
    assert [b.rows.tolist() for b in batches] == [[0, 1, 2, 3], [4, 5], [6], [7]]
    assert all(b.feeds["input_ids"].size <= 20 for b in batches[:-1])


@pytest.fixture()
def local_model(tmp_path: Path) -> ResolvedModel:
    folder = tmp_path / "tiny-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"weights")
    return ResolvedModel("tiny-model", folder)


@pytest.fixture()
def no_accelerator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend_module, "accelerator_present", lambda: False)


def test_an_explicit_backend_is_used_as_given(local_model: ResolvedModel, tmp_path: Path) -> None:
    assert choose_backend("onnx-int8", local_model, tmp_path / "onnx") == "onnx-int8"
    assert choose_backend("torch", local_model, tmp_path / "onnx") == "torch"


@pytest.mark.usefixtures("no_accelerator")
def test_auto_uses_the_backend_the_local_quality_check_chose(
    local_model: ResolvedModel, tmp_path: Path
) -> None:
    folder = export_dir(local_model, tmp_path / "onnx")
    folder.mkdir(parents=True)
    (folder / QUALITY_FILE).write_text(json.dumps({"chosen": "onnx-int8"}))

    assert choose_backend("auto", local_model, tmp_path / "onnx", "cpu") == "onnx-int8"


@pytest.mark.usefixtures("no_accelerator")
def test_auto_uses_the_shipped_table_only_for_the_same_weights(
    local_model: ResolvedModel, tmp_path: Path
) -> None:
    key = export_dir(local_model, tmp_path / "onnx").name.rsplit("-", 1)[-1]
    table = tmp_path / "table.json"
    record = {"model": "tiny-model", "key": key, "chosen": "onnx-int8"}
    table.write_text(json.dumps({"records": [record]}))

    assert choose_backend("auto", local_model, tmp_path / "onnx", table=table) == "onnx-int8"
    assert local_model.path is not None
    by_path = ResolvedModel(str(tmp_path / "elsewhere" / "tiny-model"), local_model.path)
    assert choose_backend("auto", by_path, tmp_path / "onnx", table=table) == "onnx-int8"
    (local_model.path / "model.safetensors").write_bytes(b"retrained weights")
    assert choose_backend("auto", local_model, tmp_path / "onnx", table=table) == "onnx"


@pytest.mark.usefixtures("no_accelerator")
def test_auto_without_a_record_falls_back_to_onnx_fp32(
    local_model: ResolvedModel, tmp_path: Path
) -> None:
    assert choose_backend("auto", local_model, tmp_path / "onnx", table=tmp_path / "none") == "onnx"


def test_auto_keeps_torch_on_an_accelerator_and_for_hub_models(
    local_model: ResolvedModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backend_module, "accelerator_present", lambda: True)
    hub = ResolvedModel("org/model", None, hub_name="org/model")

    assert choose_backend("auto", local_model, tmp_path / "onnx", "auto") == "torch"
    assert choose_backend("auto", local_model, tmp_path / "onnx", "cuda") == "torch"
    assert choose_backend("auto", hub, tmp_path / "onnx", "cpu") == "torch"


def test_the_backend_setting_reads_its_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRUTHGRAPH_MODEL__BACKEND", "onnx-int8")

    assert Settings().model.backend == "onnx-int8"
    assert Settings.model_fields["model"].default.backend == "auto"


def _quality(model: str, kind: Kind, per_second: float) -> ModelQuality:
    figures = BackendFigures("onnx", per_second, 10.0, passes=True)
    return ModelQuality(kind, model, "abc123", "pairs", 3, 3, 32, 40.0, 10.0, {"onnx": figures})


def test_writing_the_quality_table_keeps_the_records_of_other_models(tmp_path: Path) -> None:
    table = tmp_path / "onnx-quality.json"
    write_quality_table(
        [_quality("all-MiniLM-L6-v2", "embedder", 1.0), _quality("minilm", "nli", 2.0)], table
    )
    write_quality_table(
        [_quality("all-MiniLM-L6-v2", "embedder", 3.0), _quality("mpnet", "nli", 4.0)], table
    )
    records = json.loads(table.read_text())["records"]
    assert [(r["model"], r["backends"]["onnx"]["per_second"]) for r in records] == [
        ("all-MiniLM-L6-v2", 3.0),
        ("minilm", 2.0),
        ("mpnet", 4.0),
    ]


def test_mpnet_gets_blockwise_int8_and_its_own_key(local_model: ResolvedModel) -> None:
    assert local_model.path is not None
    bert_key = export_key(local_model)
    assert int8_settings("nli", local_model.path) == INT8_SETTINGS["nli"]
    (local_model.path / "config.json").write_text('{"model_type": "mpnet"}')
    settings = int8_settings("nli", local_model.path)
    assert settings["scheme"] == "blockwise" and settings["block_size"] == 128
    assert export_key(local_model) != bert_key
    (local_model.path / "config.json").write_text('{"model_type": "bert"}')
    assert export_key(local_model) != bert_key  # the config is hashed, as before


def test_the_export_key_is_read_back_until_a_file_changes(
    local_model: ResolvedModel, tmp_path: Path
) -> None:
    assert local_model.path is not None
    memo = tmp_path / "onnx" / "keys.json"  # its folder is made when missing
    key = export_key(local_model, memo)
    assert key == export_key(local_model)  # the same key as an unmemoised hash
    assert json.loads(memo.read_text())[str(local_model.path)]["key"] == key
    # a memo that claims another key for the same files is believed: nothing was hashed
    record = json.loads(memo.read_text())
    record[str(local_model.path)]["key"] = "0123456789ab"
    memo.write_text(json.dumps(record))
    assert export_key(local_model, memo) == "0123456789ab"
    # once a weights file changes (size and time), the files are hashed again
    (local_model.path / "model.safetensors").write_bytes(b"other weights")
    assert export_key(local_model, memo) == export_key(local_model) != key
    memo.write_text("{damaged")
    assert export_key(local_model, memo) == export_key(local_model)
