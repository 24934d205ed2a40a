"""The model card's reproduce line and storage note follow the training config."""

from __future__ import annotations

from truthgraph.ml.nli.card import reproduce_command


def test_the_default_recipe_reproduces_with_the_short_command() -> None:
    command = reproduce_command({"epochs": 3, "title_rate": 0.0, "base_model": "all-MiniLM-L6-v2"})
    assert command == (
        "truthgraph train-verifier --data-dir ../shared/data --out DIR --epochs 3 --title-rate 0.0"
    )


def test_an_adapter_recipe_names_its_base_rank_and_learning_rate() -> None:
    command = reproduce_command(
        {
            "epochs": 1,
            "title_rate": 0.5,
            "base_model": "all-mpnet-base-v2",
            "lora_rank": 16,
            "learning_rate": 3e-4,
        }
    )
    assert "--base-model all-mpnet-base-v2" in command
    assert "--lora-rank 16" in command
    assert "--learning-rate 0.0003" in command
    assert "--title-rate 0.5" in command


def test_a_distilled_recipe_names_its_teacher_and_weight() -> None:
    command = reproduce_command(
        {
            "epochs": 3,
            "title_rate": 0.5,
            "teacher_model": "truthgraph-verifier-mpnet",
            "distill_weight": 0.7,
        }
    )
    assert command.endswith("--teacher-model truthgraph-verifier-mpnet --distill-weight 0.7")


def test_a_resumed_recipe_names_the_adapter_it_went_on_from_and_its_seed() -> None:
    config = {
        "epochs": 1,
        "title_rate": 0.5,
        "base_model": "all-mpnet-base-v2",
        "lora_rank": 16,
        "init_adapter": "runs/verifier-mpnet-lora/adapter",
        "seed": 14,
    }
    command = reproduce_command(config)
    assert "--lora-rank 16 --init-adapter runs/verifier-mpnet-lora/adapter" in command
    assert command.endswith("--seed 14")
    assert "--seed" not in reproduce_command({**config, "seed": 13})
