"""truthgraph eval --dataset kinds without a database or models: export and bad flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgraph.cli.main import app
from truthgraph.evaluation.dataset import KINDS


def test_the_kinds_set_exports_with_its_kinds(runner: CliRunner, tmp_path: Path) -> None:
    env = {"TRUTHGRAPH_HOME": str(tmp_path / "home")}
    out = tmp_path / "generic"
    result = runner.invoke(app, ["eval", "--dataset", "kinds", "--export", str(out)], env=env)
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["n"] == 126 and line["rerun"].endswith("--mode retrieval")
    claims = [json.loads(x) for x in (out / "claims.jsonl").read_text().splitlines()]
    assert {c["kind"] for c in claims} == set(KINDS)
    assert (out / "corpus.jsonl").read_text().count("\n") == 12


@pytest.mark.parametrize(
    "extra", [["--split", "dev"], ["--data-dir", "."], ["--corpus", "corpus.jsonl"]]
)
def test_the_kinds_set_takes_no_split_data_dir_or_corpus(
    runner: CliRunner, tmp_path: Path, extra: list[str]
) -> None:
    env = {"TRUTHGRAPH_HOME": str(tmp_path / "home")}
    result = runner.invoke(app, ["eval", "--dataset", "kinds", *extra], env=env)
    assert result.exit_code == 3, result.output
    assert "--dataset kinds ships with TruthGraph" in result.stderr
