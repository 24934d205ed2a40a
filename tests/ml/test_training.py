"""Verifier training on a handful of pairs: it runs, saves a loadable model, and repeats."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from truthgraph.domain import Label
from truthgraph.errors import InvalidInputError, ModelLoadError
from truthgraph.ml.nli.adapter import package_adapter
from truthgraph.ml.nli.checkpoint import CHECKPOINT_DIR, has_checkpoint, read_pairs, write_pairs
from truthgraph.ml.nli.config import TrainConfig
from truthgraph.ml.nli.model import CrossEncoderNLI
from truthgraph.ml.nli.pair import Pair
from truthgraph.ml.nli.training import train_verifier
from truthgraph.ml.registry import resolve_model
from truthgraph.ml.resolved import ResolvedModel
from truthgraph.settings import Settings

pytestmark = pytest.mark.models  # trains on the real MiniLM weights

PAIRS = [
    Pair(
        "It was released by Fox 2000 Pictures.",
        "Fox 2000 released Soul Food.",
        Label.SUPPORTED,
        "fever",
        "Soul Food (film)",
    ),
    Pair(
        "It was released by Fox 2000 Pictures.",
        "Soul Food was released by Disney.",
        Label.REFUTED,
        "fever",
        "Soul Food (film)",
    ),
    Pair(
        "The film grossed $43 million.",
        "Soul Food stars Vanessa Williams.",
        Label.NOT_ENOUGH_INFO,
        "fever-nei",
        "Soul Food (film)",
    ),
    Pair(
        "Telemundo is an American Spanish-language network.",
        "Telemundo broadcasts in English.",
        Label.REFUTED,
        "fever",
    ),
    Pair(
        "Telemundo is an American Spanish-language network.",
        "Telemundo is American.",
        Label.SUPPORTED,
        "fever",
    ),
    Pair("Cats purr when content.", "Dogs bark at night.", Label.NOT_ENOUGH_INFO, "mnli"),
]


def _train(settings: Settings, out: Path) -> dict[str, object]:
    base = resolve_model("all-MiniLM-L6-v2", settings.models_dir)
    config = TrainConfig(epochs=2, batch_size=3, max_length=48, title_rate=0.5, threads=1)
    return train_verifier(PAIRS, base, config, out)


def test_training_saves_a_model_that_loads_and_the_run_repeats(
    settings: Settings, tmp_path: Path
) -> None:
    first = _train(settings, tmp_path / "a")
    second = _train(settings, tmp_path / "b")
    assert first["final_loss"] == second["final_loss"]
    assert first["train_pairs"] == len(PAIRS)
    saved = json.loads((tmp_path / "a" / "training_config.json").read_text())
    assert saved["config"]["title_rate"] == 0.5
    model = CrossEncoderNLI(ResolvedModel("trained", tmp_path / "a"), max_length=64)
    scores = model.predict([(PAIRS[0].text(True), PAIRS[0].hypothesis)])
    assert len(scores) == 1
    assert abs(sum(scores[0].as_dict().values()) - 1.0) < 1e-3


def test_a_lora_run_ships_as_an_adapter_that_merges_back_into_the_trained_model(
    settings: Settings, tmp_path: Path
) -> None:
    base = resolve_model("all-MiniLM-L6-v2", settings.models_dir)
    config = TrainConfig(
        epochs=3, batch_size=3, max_length=48, threads=1, lora_rank=4, learning_rate=1e-2
    )
    train_verifier(PAIRS, base, config, tmp_path / "run")
    shipped = package_adapter(tmp_path / "run", tmp_path / "shipped", "all-MiniLM-L6-v2")
    # the adapter and head only: a small fraction of the 90 MB base
    assert (shipped / "adapter_model.safetensors").stat().st_size < 2_000_000
    assert not (shipped / "config.json").exists()

    resolved = resolve_model(str(shipped), settings.models_dir)
    assert resolved.path is not None and resolved.path.parent == settings.models_dir
    assert resolve_model(str(shipped), settings.models_dir).path == resolved.path  # merged once

    pairs = [(p.premise, p.hypothesis) for p in PAIRS]
    merged = CrossEncoderNLI(resolved, max_length=64).predict(pairs)
    trained = CrossEncoderNLI(ResolvedModel("run", tmp_path / "run"), max_length=64).predict(pairs)
    for got, want in zip(merged, trained, strict=True):
        assert abs(got.entailment - want.entailment) < 0.02
        assert abs(got.contradiction - want.contradiction) < 0.02
    # the adapter changed the encoder itself, not only the head
    key = "bert.encoder.layer.0.attention.self.query.weight"
    assert base.path is not None
    before = load_file(str(base.path / "model.safetensors"))
    after = load_file(str(resolved.path / "model.safetensors"))
    original = before.get(key, before.get(key.removeprefix("bert.")))
    assert original is not None
    assert float((after[key].float() - original.float()).abs().max()) > 1e-4


def test_a_lora_run_can_go_on_from_the_adapters_of_an_earlier_run(
    settings: Settings, tmp_path: Path
) -> None:
    base = resolve_model("all-MiniLM-L6-v2", settings.models_dir)
    first = TrainConfig(
        epochs=1, batch_size=3, max_length=48, threads=1, lora_rank=4, learning_rate=1e-2
    )
    train_verifier(PAIRS, base, first, tmp_path / "first")
    # with a learning rate of 0 the second run must save exactly the adapters it started from
    again = replace(first, learning_rate=0.0, init_adapter=str(tmp_path / "first" / "adapter"))
    train_verifier(PAIRS, base, again, tmp_path / "again")
    trained = load_file(str(tmp_path / "first" / "adapter" / "adapter_model.safetensors"))
    kept = load_file(str(tmp_path / "again" / "adapter" / "adapter_model.safetensors"))
    assert trained.keys() == kept.keys()
    assert all(torch.equal(trained[k], kept[k]) for k in trained)
    # new adapters would start with zero B matrices: these were trained
    assert any(float(v.abs().max()) > 0 for k, v in trained.items() if "lora_B" in k)
    shipped = package_adapter(tmp_path / "again", tmp_path / "shipped", "all-MiniLM-L6-v2")
    modules = json.loads((shipped / "adapter_config.json").read_text())["modules_to_save"]
    assert modules and len(modules) == len(set(modules))

    with pytest.raises(ModelLoadError, match="rank-4"):
        train_verifier(PAIRS, base, replace(again, lora_rank=8), tmp_path / "other-rank")


def test_an_adapter_whose_base_is_unknown_fails_with_a_clear_error(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "adapter-only"
    folder.mkdir()
    (folder / "adapter_config.json").write_text('{"base_model_name_or_path": "/nowhere/base"}')
    with pytest.raises(ModelLoadError, match="does not exist"):
        resolve_model(str(folder), settings.models_dir)


def test_distillation_with_full_weight_learns_the_teacher_not_the_gold_labels(
    settings: Settings, tmp_path: Path
) -> None:
    base = resolve_model("all-MiniLM-L6-v2", settings.models_dir)
    config = TrainConfig(
        epochs=6, batch_size=3, max_length=48, threads=1, learning_rate=5e-4, distill_weight=1.0
    )
    # a teacher that reads every pair as "not enough information", whatever the gold label says
    neutral = [(0.02, 0.96, 0.02)] * len(PAIRS)
    train_verifier(PAIRS, base, config, tmp_path / "student", soft_labels=neutral)
    student = CrossEncoderNLI(ResolvedModel("student", tmp_path / "student"), max_length=64)
    labels = {s.label for s in student.predict([(p.premise, p.hypothesis) for p in PAIRS])}
    assert labels == {Label.NOT_ENOUGH_INFO}

    with pytest.raises(ValueError, match="soft labels"):
        train_verifier(PAIRS, base, config, tmp_path / "short", soft_labels=neutral[:2])


def test_a_run_stopped_and_resumed_ends_with_the_weights_of_one_that_never_stopped(
    settings: Settings, tmp_path: Path
) -> None:
    base = resolve_model("all-MiniLM-L6-v2", settings.models_dir)
    # 2 epochs of 3 batches; titles drawn at random and dropout on, so the restored random
    # states matter, not only the weights and the optimizer
    config = TrainConfig(
        epochs=2, batch_size=2, max_length=48, title_rate=0.5, threads=1, checkpoint_every=2
    )
    whole = train_verifier(PAIRS, base, config, tmp_path / "whole")
    assert whole["complete"] and not (tmp_path / "whole" / CHECKPOINT_DIR).exists()

    stopped = train_verifier(PAIRS, base, replace(config, stop_after_steps=3), tmp_path / "part")
    assert stopped == {**stopped, "complete": False, "step": 3, "total_steps": 6}
    assert has_checkpoint(tmp_path / "part")
    assert not (tmp_path / "part" / "model.safetensors").exists()
    resumed = train_verifier(PAIRS, base, config, tmp_path / "part", resume=True)
    assert resumed["complete"] and resumed["resumed_at_step"] == 3
    assert resumed["final_loss"] == whole["final_loss"]
    want = load_file(str(tmp_path / "whole" / "model.safetensors"))
    got = load_file(str(tmp_path / "part" / "model.safetensors"))
    assert want.keys() == got.keys()
    assert all(torch.equal(want[k], got[k]) for k in want)

    with pytest.raises(InvalidInputError, match="no checkpoint"):
        train_verifier(PAIRS, base, config, tmp_path / "nothing", resume=True)
    train_verifier(PAIRS, base, replace(config, stop_after_steps=1), tmp_path / "other")
    with pytest.raises(InvalidInputError, match="learning_rate"):
        train_verifier(
            PAIRS, base, replace(config, learning_rate=1e-3), tmp_path / "other", resume=True
        )


def test_the_training_pairs_kept_beside_a_checkpoint_read_back_whole(tmp_path: Path) -> None:
    teacher = [[0.1, 0.8, 0.1]] * len(PAIRS)
    write_pairs(tmp_path, PAIRS, teacher)
    assert read_pairs(tmp_path) == (PAIRS, teacher)
    write_pairs(tmp_path / "plain", PAIRS, None)
    assert read_pairs(tmp_path / "plain") == (PAIRS, None)


def test_training_from_the_shipped_fp16_verifier_runs_in_fp32(
    settings: Settings, tmp_path: Path
) -> None:
    shipped = resolve_model("truthgraph-verifier-minilm", settings.models_dir)
    assert shipped.path is not None
    stored = load_file(str(shipped.path / "model.safetensors"))
    assert {t.dtype for t in stored.values()} == {torch.float16}  # as it ships
    # the torch backend and a further fine-tune both read it in fp32
    model = CrossEncoderNLI(shipped)
    assert {p.dtype for p in model._model.parameters()} == {torch.float32}
    config = TrainConfig(epochs=1, batch_size=3, max_length=48, threads=1)
    summary = train_verifier(PAIRS[:3], shipped, config, tmp_path / "ft")
    assert summary["complete"] and summary["final_loss"] == summary["final_loss"]  # not NaN
