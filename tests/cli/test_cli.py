"""The CLI end to end: real embedded PostgreSQL, real models, the bundled demo corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_DIR
from truthgraph.cli.main import app
from truthgraph.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.models]


@pytest.fixture(scope="module")
def demo_collection(runner: CliRunner, env: dict[str, str]) -> str:
    result = runner.invoke(
        app, ["ingest", str(DEMO_DIR / "corpus.jsonl"), "-c", "cli-demo"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "40 documents added" in result.stdout
    return "cli-demo"


def demo_claims() -> list[dict[str, str]]:
    lines = (DEMO_DIR / "claims.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_ingesting_the_same_corpus_again_adds_nothing(
    runner: CliRunner, env: dict[str, str], demo_collection: str
) -> None:
    result = runner.invoke(
        app, ["ingest", str(DEMO_DIR / "corpus.jsonl"), "-c", demo_collection], env=env
    )
    assert result.exit_code == 0
    assert "0 documents added, 40 already present" in result.stdout


def test_demo_claims_get_their_known_verdicts_with_cited_evidence(
    runner: CliRunner, env: dict[str, str], demo_collection: str, tmp_path: Path
) -> None:
    claims = demo_claims()
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps({"claim": c["claim"]}) for c in claims))
    result = runner.invoke(
        app, ["verify", "--file", str(path), "-c", demo_collection, "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    assert [v["verdict"] for v in verdicts] == [c["expected"] for c in claims]
    for verdict in verdicts:
        assert 0.0 <= verdict["confidence"] <= 1.0
        assert set(verdict["timings_ms"]) >= {"embedding", "retrieval", "nli", "database"}
        if verdict["verdict"] != "NOT_ENOUGH_INFO":
            top = verdict["evidence"][0]
            assert top["label"] == verdict["verdict"]
            assert top["title"] and top["end"] > top["start"]


def test_a_verification_can_be_shown_again_by_id(
    runner: CliRunner, env: dict[str, str], demo_collection: str
) -> None:
    claim = demo_claims()[0]["claim"]
    first = runner.invoke(app, ["verify", claim, "-c", demo_collection, "--json"], env=env)
    verdict = json.loads(first.stdout)
    shown = runner.invoke(app, ["show", str(verdict["claim_id"]), "--json"], env=env)
    assert shown.exit_code == 0
    again = json.loads(shown.stdout)
    assert (again["verdict"], again["claim"]) == (verdict["verdict"], claim)
    assert [e["text"] for e in again["evidence"]] == [e["text"] for e in verdict["evidence"]]


def test_show_reports_the_timings_verify_reported_database_and_total_included(
    runner: CliRunner, env: dict[str, str], demo_collection: str
) -> None:
    claim = demo_claims()[0]["claim"]
    verdict = json.loads(
        runner.invoke(app, ["verify", claim, "-c", demo_collection, "--json"], env=env).stdout
    )

    shown = json.loads(
        runner.invoke(app, ["show", str(verdict["claim_id"]), "--json"], env=env).stdout
    )

    assert {"database", "total"} <= set(shown["timings_ms"])
    assert shown["timings_ms"] == verdict["timings_ms"]


def test_human_output_names_the_verdict_and_the_evidence(
    runner: CliRunner, env: dict[str, str], demo_collection: str
) -> None:
    claim = demo_claims()[0]
    result = runner.invoke(app, ["verify", claim["claim"], "-c", demo_collection], env=env)
    assert result.exit_code == 0
    assert claim["expected"] in result.stdout
    assert "confidence" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["verify", "   ", "-c", "cli-demo"], 3, "the claim is empty"),
        (["verify", "x" * 3000, "-c", "cli-demo"], 3, "the limit is 2000"),
        (["verify", "Cats purr.", "-c", "no-such-collection"], 4, "unknown collection"),
        (["verify"], 3, "give either a CLAIM or --file"),
        (["show", "99999999"], 4, "no verification with id"),
        (["ingest", "/no/such/file.jsonl"], 3, "no such file or folder"),
    ],
)
def test_bad_input_gets_one_line_and_a_distinct_exit_code(
    runner: CliRunner,
    env: dict[str, str],
    demo_collection: str,
    args: list[str],
    code: int,
    message: str,
) -> None:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_malformed_file_writes_nothing(
    runner: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    good = tmp_path / "a.jsonl"
    good.write_text('{"text": "A fine sentence about nothing."}\n', encoding="utf-8")
    bad = tmp_path / "b.txt"
    bad.write_bytes("caf\u00e9".encode("latin-1"))
    result = runner.invoke(app, ["ingest", str(tmp_path), "-c", "never-created"], env=env)
    assert result.exit_code == 3
    assert "not UTF-8" in result.stderr
    listing = runner.invoke(app, ["collections"], env=env)
    assert "never-created" not in listing.stdout


def test_unreachable_database_exits_5(runner: CliRunner, tmp_path: Path) -> None:
    env = {
        "TRUTHGRAPH_HOME": str(tmp_path),
        "TRUTHGRAPH_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1",
    }
    result = runner.invoke(app, ["show", "1"], env=env)
    assert result.exit_code == 5
    assert "database unreachable" in result.stderr


def test_missing_model_files_exit_5(
    runner: CliRunner, env: dict[str, str], demo_collection: str
) -> None:
    result = runner.invoke(
        app,
        ["--nli-model", "/no/such/model", "verify", "Cats purr.", "-c", demo_collection],
        env=env,
    )
    assert result.exit_code == 5
    assert "does not exist" in result.stderr


def test_no_arguments_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["verify", "--top-k", "0", "claim"])
    assert result.exit_code == 2


def test_an_uninstalled_mpnet_model_names_the_install_command(
    runner: CliRunner, tmp_path: Path, database_url: str
) -> None:
    env = {"TRUTHGRAPH_HOME": str(tmp_path), "TRUTHGRAPH_DATABASE_URL": database_url}
    model = "all-mpnet-base-v2"
    result = runner.invoke(app, ["--embedding-model", model, "verify", "Cats purr."], env=env)
    assert result.exit_code == 5
    assert "truthgraph models install all-mpnet-base-v2" in result.stderr
    listed = runner.invoke(app, ["models", "list"], env=env)
    assert listed.exit_code == 0
    row = next(line for line in listed.stdout.splitlines() if f"│ {model} " in line)
    assert "not installed" in row


def test_the_accurate_verifier_needs_no_install(
    runner: CliRunner, tmp_path: Path, database_url: str
) -> None:
    """Its int8 export ships in the package (decision 0033): a fresh home runs it."""
    env = {"TRUTHGRAPH_HOME": str(tmp_path), "TRUTHGRAPH_DATABASE_URL": database_url}
    model = "truthgraph-verifier-mpnet"
    result = runner.invoke(app, ["--nli-model", model, "verify", "Cats purr."], env=env)
    assert "models install" not in result.stderr, result.stderr
    assert result.exit_code != 5, result.stderr
    listed = runner.invoke(app, ["models", "list"], env=env)
    row = next(line for line in listed.stdout.splitlines() if f"│ {model} " in line)
    assert "ready" in row


def test_ingesting_a_file_with_a_nul_exits_3_and_writes_nothing(
    runner: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "Fine."}\n{"text": "Lisbon\\u0000 is in Portugal."}\n')
    result = runner.invoke(app, ["ingest", str(path), "-c", "nul-collection"], env=env)
    assert result.exit_code == 3, result.output
    assert f"{path}:2" in result.output and "U+0000" in result.output
    listed = runner.invoke(app, ["collections"], env=env)
    assert "nul-collection" not in listed.stdout  # no empty collection left behind


def test_keys_are_made_once_listed_without_the_key_and_revoked(
    runner: CliRunner, env: dict[str, str]
) -> None:
    # the session database is shared with the API tests: a key left active would close them
    made = runner.invoke(app, ["keys", "add", "cli-reader", "--read", "cli-demo"], env=env)
    try:
        assert made.exit_code == 0, made.output
        key = made.stdout.strip().splitlines()[-1]
        assert key.startswith("tg_") and len(key) > 40
        listed = runner.invoke(app, ["keys", "list"], env=env)
        assert "cli-reader" in listed.stdout and key not in listed.stdout
        again = runner.invoke(app, ["keys", "add", "cli-reader", "--read", "x"], env=env)
        assert again.exit_code == 3
        no_scope = runner.invoke(app, ["keys", "add", "nothing"], env=env)
        assert no_scope.exit_code == 3
    finally:
        revoked = runner.invoke(app, ["keys", "revoke", "cli-reader"], env=env)
    assert revoked.exit_code == 0
    assert runner.invoke(app, ["keys", "revoke", "nobody"], env=env).exit_code == 4


def test_serving_beyond_loopback_with_no_key_says_so_plainly(
    settings: Settings, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from truthgraph.cli.serve import _loopback, _warn_if_open
    from truthgraph.db.keys import PgKeyStore

    assert _loopback("127.0.0.1") and _loopback("::1") and _loopback("localhost")
    assert not _loopback("0.0.0.0") and not _loopback("192.0.2.7")
    _warn_if_open(settings, "0.0.0.0", 8000)
    assert "no API keys exist" in capsys.readouterr().err
    keys = PgKeyStore(database_url)
    try:
        keys.add("warning-check", read=["x"])
        _warn_if_open(settings, "0.0.0.0", 8000)
        assert capsys.readouterr().err == ""
    finally:  # the session database is shared with the API tests
        keys.revoke("warning-check")
        keys.close()
