"""truthgraph eval end to end: real embedded PostgreSQL, real models, a tiny demo fixture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_DIR
from truthgraph.cli.main import app
from truthgraph.db.store import PgvectorEvidenceStore
from truthgraph.reading.sentences import split_sentences

pytestmark = [pytest.mark.integration, pytest.mark.models]

PAGES = ("Soyuz_-LRB-spacecraft-RRB-", "Libya", "West_Ham_United_F.C.", "Bea_Arthur")
REPORT_KEYS = {
    "dataset",
    "n",
    "accuracy",
    "macro_f1",
    "per_class",
    "confusion",
    "evidence",
    "strict",
    "calibration",
    "latency_ms",
    "config",
}


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four demo claims (one per label, FEVER spellings for two) over their four demo pages,
    with gold sentences taken from those pages."""
    folder = tmp_path_factory.mktemp("eval-fixture")
    lines = (DEMO_DIR / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    pages = {d["id"]: d for d in map(json.loads, lines) if d["id"] in PAGES}

    def gold(page: str, words: str) -> list[str]:
        return [s.text for s in split_sentences(pages[page]["text"]) if words in s.text]

    claims: list[dict[str, Any]] = [
        {
            "id": "soyuz",
            "claim": "Soyuz was part of the Soviet space program.",
            "label": "SUPPORTED",
            "evidence": gold(PAGES[0], "Soviet space programme"),
        },
        {
            "id": "libya",
            "claim": "Libya is a country outside of Africa.",
            "label": "REFUTES",
            "evidence": gold(PAGES[1], "Maghreb"),
        },
        {
            "id": "west-ham",
            "claim": "West Ham United F.C. was originally called the Patriots.",
            "label": "NOT ENOUGH INFO",
        },
        {
            "id": "bea",
            "claim": "Bea Arthur's birth name was Bernice Frankel.",
            "label": "SUPPORTED",
            "evidence": gold(PAGES[3], "Bernice Frankel"),
        },
    ]
    assert all(c.get("evidence", [""]) for c in claims)
    (folder / "claims.jsonl").write_text(
        "".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8"
    )
    (folder / "corpus.jsonl").write_text(
        "".join(
            json.dumps({"id": p["id"], "title": p["title"], "text": p["text"]}) + "\n"
            for p in pages.values()
        ),
        encoding="utf-8",
    )
    return folder


def last_json(stdout: str) -> dict[str, Any]:
    line: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return line


def test_retrieval_mode_writes_the_report_plots_and_predictions(
    runner: CliRunner,
    env: dict[str, str],
    fixture_dir: Path,
    tmp_path: Path,
    store: PgvectorEvidenceStore,
) -> None:
    _, claims_before = store.list_claims()
    out = tmp_path / "report"
    args = [
        "eval",
        str(fixture_dir / "claims.jsonl"),
        "--corpus",
        str(fixture_dir / "corpus.jsonl"),
    ]
    result = runner.invoke(app, [*args, "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    summary = last_json(result.stdout)
    assert summary["n"] == 4 and summary["mode"] == "retrieval"
    assert 0.0 <= summary["accuracy"] <= 1.0 and 0.0 <= summary["macro_f1"] <= 1.0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert set(report) >= REPORT_KEYS
    assert report["accuracy"] == summary["accuracy"]
    # 7 sentences in all and the top 10 retrieved: every gold sentence is found
    assert report["evidence"] == {"k": 5, "recall_at_k": 1.0, "claims_with_gold": 3}
    assert report["strict"]["n"] == 4
    assert len(report["calibration"]["bins"]) == 10
    assert report["latency_ms"]["p50"] > 0
    config = report["config"]
    assert config["collection"].startswith("eval-") and config["collection"].endswith(
        "-all-MiniLM-L6-v2"
    )
    assert config["ingest"]["documents_added"] in (0, 4)
    assert {"nli_model", "embedding_model", "strategy", "top_k", "git_sha", "machine"} <= set(
        config
    )
    for name in ("report.md", "confusion.png", "reliability.png"):
        assert (out / name).stat().st_size > 0
    assert (out / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    predictions = [json.loads(x) for x in (out / "predictions.jsonl").read_text().splitlines()]
    assert [p["id"] for p in predictions] == ["soyuz", "libya", "west-ham", "bea"]
    assert [p["gold"] for p in predictions] == [
        "SUPPORTED",
        "REFUTED",
        "NOT_ENOUGH_INFO",
        "SUPPORTED",
    ]
    assert all(1 <= len(p["cited"]) <= 5 for p in predictions)  # the 5 carrying most
    assert "| accuracy |" in (out / "report.md").read_text(encoding="utf-8")
    assert store.list_claims()[1] == claims_before  # no verdict stored

    again = runner.invoke(app, [*args, "--out", str(out), "--top-k", "3"], env=env)
    assert again.exit_code == 0, again.output
    rerun = json.loads((out / "report.json").read_text(encoding="utf-8"))["config"]
    assert rerun["collection"] == config["collection"]
    assert rerun["ingest"]["documents_added"] == 0 and rerun["top_k"] == 3


def test_oracle_mode_verifies_each_claim_against_its_own_evidence(
    runner: CliRunner, env: dict[str, str], fixture_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "oracle"
    result = runner.invoke(
        app, ["eval", str(fixture_dir / "claims.jsonl"), "--out", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    summary = last_json(result.stdout)
    assert (summary["mode"], summary["n"], summary["evidence_recall_at_k"]) == ("oracle", 4, None)
    predictions = [json.loads(x) for x in (out / "predictions.jsonl").read_text().splitlines()]
    by_id = {p["id"]: p for p in predictions}
    assert by_id["west-ham"]["predicted"] == "NOT_ENOUGH_INFO"  # no evidence given
    assert by_id["west-ham"]["cited"] == []
    assert by_id["bea"]["cited"][0]["text"].startswith("Bea Arthur (born Bernice Frankel")
    assert by_id["bea"]["predicted"] == "SUPPORTED"
    assert (out / "reliability.png").is_file()


def test_a_named_dataset_converts_exports_and_runs(
    runner: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    data = tmp_path / "data" / "nli-samples" / "vitaminc"
    data.mkdir(parents=True)
    rows = [
        {
            "id": "v1",
            "claim": "Ann won the cup .",
            "evidence": "Ann won the cup .",
            "label": "SUPPORTS",
        },
        {
            "id": "v2",
            "claim": "Ann lost the cup .",
            "evidence": "Ann won the cup .",
            "label": "REFUTES",
        },
    ]
    (data / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    base = ["eval", "--dataset", "vitaminc", "--data-dir", str(tmp_path / "data")]
    exported = runner.invoke(app, [*base, "--export", str(tmp_path / "generic")], env=env)
    assert exported.exit_code == 0, exported.output
    line = last_json(exported.stdout)
    assert line["n"] == 2 and "--mode oracle" in line["rerun"]
    assert (tmp_path / "generic" / "claims.jsonl").read_text().count("\n") == 2
    assert (tmp_path / "generic" / "corpus.jsonl").is_file()
    out = tmp_path / "vitaminc-report"
    result = runner.invoke(app, [*base, "--limit", "1", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    summary = last_json(result.stdout)
    assert (summary["dataset"], summary["split"], summary["n"]) == ("vitaminc", "heldout", 1)


def test_the_kinds_set_is_reported_per_kind(
    runner: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "kinds"
    args = ["eval", "--dataset", "kinds", "--limit", "3", "--mode", "oracle", "--out", str(out)]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert last_json(result.stdout)["per_kind"].keys() == {"pronoun"}
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["per_kind"]["pronoun"]["n"] == 3
    assert "## Per kind of claim" in (out / "report.md").read_text(encoding="utf-8")
    predictions = [json.loads(x) for x in (out / "predictions.jsonl").read_text().splitlines()]
    assert [p["kind"] for p in predictions] == ["pronoun"] * 3


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ('{"claim": "A.", "label": "MAYBE"}\n', [], "is not SUPPORTED, REFUTED or NOT_ENOUGH_INFO"),
        ('{"claim": "A.", "label": "SUPPORTED"}\nnot json\n', [], ":2: not valid JSON"),
        ('{"claim": "A.", "label": "SUPPORTED"}\n', [], 'oracle mode needs gold "evidence"'),
        ('{"claim": "A.", "label": "SUPPORTED"}\n', ["--split", "all"], "go with --dataset"),
        ('{"claim": "A.", "label": "SUPPORTED"}\n', ["--corpus", "/no/such.jsonl"], "no such file"),
        ('{"claim": "A.", "label": "SUPPORTED"}\n', ["--dataset", "fever"], "not both"),
    ],
)
def test_bad_input_exits_3_with_one_line_and_writes_nothing(
    runner: CliRunner,
    env: dict[str, str],
    tmp_path: Path,
    content: str,
    extra: list[str],
    message: str,
) -> None:
    claims = tmp_path / "claims.jsonl"
    claims.write_text(content, encoding="utf-8")
    out = tmp_path / "never-written"
    result = runner.invoke(app, ["eval", str(claims), *extra, "--out", str(out)], env=env)
    assert result.exit_code == 3, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval"], "give either a CLAIMS file or --dataset"),
        (["eval", "/no/such/claims.jsonl"], "no such file"),
        (["eval", "--dataset", "fever"], "--dataset needs --data-dir"),
        (["eval", "--dataset", "fever", "--data-dir", "/no/such/dir"], "no such file"),
    ],
)
def test_missing_input_exits_3(
    runner: CliRunner, env: dict[str, str], args: list[str], message: str
) -> None:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 3, result.output
    assert message in result.stderr


def test_an_unknown_mode_is_a_usage_error(runner: CliRunner, fixture_dir: Path) -> None:
    result = runner.invoke(app, ["eval", str(fixture_dir / "claims.jsonl"), "--mode", "guess"])
    assert result.exit_code == 2


def test_a_candidate_verifier_that_does_not_exist_exits_5(
    runner: CliRunner, env: dict[str, str], fixture_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "candidate"
    claims = str(fixture_dir / "claims.jsonl")
    args = ["eval", claims, "--nli-model", "/no/such/model", "--out", str(out)]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 5, result.output
    assert "does not exist" in result.stderr
    assert not out.exists()
