"""Verifier training on a handful of pairs: it runs, saves a loadable model, and repeats."""

from __future__ import annotations

import json
from pathlib import Path

from truthgraph.domain import Label
from truthgraph.ml.nli.data import Pair
from truthgraph.ml.nli.model import CrossEncoderNLI
from truthgraph.ml.nli.training import TrainConfig, train_verifier
from truthgraph.ml.registry import ResolvedModel, resolve_model
from truthgraph.settings import Settings

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
