"""truthgraph check and eval-check end to end: real PostgreSQL, real models, the demo corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_DIR
from truthgraph.cli.main import app

pytestmark = [pytest.mark.integration, pytest.mark.models]

ARTICLE = (
    "# Films\n\nLuc Besson produced Colombiana. Soyuz was part of the Soviet space program "
    "and Janelle Monáe is Canadian.\n\nIs this the best film ever? I think it is amazing.\n"
)


@pytest.fixture(scope="module")
def demo(runner: CliRunner, env: dict[str, str]) -> str:
    result = runner.invoke(
        app, ["ingest", str(DEMO_DIR / "corpus.jsonl"), "-c", "check-demo"], env=env
    )
    assert result.exit_code == 0, result.output
    return "check-demo"


def test_check_a_markdown_file_json_and_html(
    runner: CliRunner, env: dict[str, str], demo: str, tmp_path: Path
) -> None:
    source = tmp_path / "article.md"
    source.write_text(ARTICLE, encoding="utf-8")
    page = tmp_path / "report.html"
    result = runner.invoke(
        app, ["check", str(source), "-c", demo, "--json", "--html", str(page)], env=env
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    checked = [s for s in report["sentences"] if s["checked"]]
    assert [s["verdict"] for s in checked] == ["SUPPORTED", "REFUTED"]
    assert [c["text"] for c in checked[1]["claims"]] == [
        "Soyuz was part of the Soviet space program.",
        "Janelle Monáe is Canadian.",
    ]
    assert [c["verdict"] for c in checked[1]["claims"]] == ["SUPPORTED", "REFUTED"]
    assert report["factuality"] == pytest.approx(2 / 3, abs=1e-3)
    assert {s["skipped"] for s in report["sentences"] if not s["checked"]} >= {
        "question",
        "opinion",
    }
    for sentence in report["sentences"]:
        assert ARTICLE[sentence["start"] : sentence["end"]] == sentence["text"]
    html = page.read_text(encoding="utf-8")
    assert 'data-verdict="REFUTED"' in html and "http://" not in html.split("<script")[0]
    assert "Colombiana" in html


def test_check_stdin_terminal_report(runner: CliRunner, env: dict[str, str], demo: str) -> None:
    result = runner.invoke(
        app, ["check", "-", "-c", demo], input="Luc Besson produced Colombiana.\n", env=env
    )
    assert result.exit_code == 0, result.output
    assert "SUPPORTED" in result.stdout and "factuality 100%" in result.stdout


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        ("   \n\n", 3, "empty"),
        ("Is this true? What do you think? I love it.", 7, "no check-worthy sentence"),
    ],
)
def test_bad_texts_exit_cleanly_and_write_nothing(
    runner: CliRunner, env: dict[str, str], tmp_path: Path, content: str, code: int, message: str
) -> None:
    source = tmp_path / "in.txt"
    source.write_text(content, encoding="utf-8")
    page = tmp_path / "out.html"
    result = runner.invoke(app, ["check", str(source), "--html", str(page)], env=env)
    assert result.exit_code == code, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert not page.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("missing.txt", None, "no such file"),
        ("latin1.txt", "café".encode("latin-1"), "not UTF-8"),
        ("scan.pdf", b"%PDF-1.4 not really a pdf", "scan.pdf"),
        ("table.xlsx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_unreadable_files_exit_3(
    runner: CliRunner,
    env: dict[str, str],
    tmp_path: Path,
    name: str,
    data: bytes | None,
    message: str,
) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    result = runner.invoke(app, ["check", str(path), "--json"], env=env)
    assert result.exit_code == 3, result.output
    assert message in result.stderr
    assert result.stdout == ""


def test_eval_check_on_a_small_items_file(
    runner: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    items = [
        {
            "id": "a",
            "text": "Luc Besson produced Colombiana.",
            "evidence": ["Colombiana is a 2011 French action film produced by Luc Besson."],
            "label": "supported",
        },
        {
            "id": "b",
            "text": "Luc Besson produced Colombiana and Ada Lovelace wrote a poem about it.",
            "evidence": ["Colombiana is a 2011 French action film produced by Luc Besson."],
            "label": "partially_supported",
        },
    ]
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    out = tmp_path / "report"
    result = runner.invoke(app, ["eval-check", str(path), "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(line) >= {"accuracy", "macro_f1", "n"} and line["n"] == 2
    assert line["accuracy"] == 1.0
    for name in ("report.json", "report.md", "predictions.jsonl", "confusion.png"):
        assert (out / name).is_file()
    whole = runner.invoke(
        app, ["eval-check", str(path), "--no-decompose", "--out", str(tmp_path / "w")], env=env
    )
    assert whole.exit_code == 0, whole.output
    assert json.loads(whole.stdout.strip().splitlines()[-1])["claims_per_text"] == 1.0
