"""truthgraph check --against: a text checked against the documents it came with, end to end
with the real models, and no database at all (its URL points where nothing listens)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.web import LoopbackSite, Route, article_html, loopback_site, report_pdf, scanned_pdf
from truthgraph.check.against import GIVEN_DOCUMENTS
from truthgraph.cli.main import app

pytestmark = [pytest.mark.integration, pytest.mark.models]

NOTES = (
    "# Colombiana\n\nColombiana is a 2011 French action film directed by Olivier Megaton. "
    "It was produced by Luc Besson.\n\nThe film stars Zoe Saldana as a hitwoman.\n"
)
ANSWER = (
    "The Danube flows through ten countries. Colombiana was directed by Steven Spielberg. "
    "Lake Baikal is the deepest lake in the world.\n"
)


@pytest.fixture(scope="module")
def env(home: Path) -> dict[str, str]:
    # no database: anything that tried to open one would fail
    return {
        "TRUTHGRAPH_HOME": str(home),
        "TRUTHGRAPH_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/nowhere",
        "TRUTHGRAPH_FETCH__TIMEOUT_S": "2",
    }


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with loopback_site() as site:
        site.routes["/rivers"] = Route(body=article_html())
        site.routes["/gone"] = Route(status=404, body=b"gone")
        yield site


@pytest.fixture()
def sources(tmp_path: Path) -> dict[str, Path]:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    pdf = tmp_path / "lakes.pdf"
    pdf.write_bytes(report_pdf())
    answer = tmp_path / "answer.md"
    answer.write_text(ANSWER, encoding="utf-8")
    return {"notes": notes, "pdf": pdf, "answer": answer}


def test_a_file_checked_against_a_pdf_a_url_and_notes_json_and_html(
    runner: CliRunner,
    env: dict[str, str],
    site: LoopbackSite,
    sources: dict[str, Path],
    tmp_path: Path,
) -> None:
    page = tmp_path / "report.html"
    args = ["check", str(sources["answer"]), "--json", "--html", str(page)]
    args += ["--against", str(sources["pdf"]), "--against", site.url("/rivers")]
    args += ["--against", str(sources["notes"])]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["collection"] == GIVEN_DOCUMENTS
    checked = [s for s in report["sentences"] if s["checked"]]
    assert [s["verdict"] for s in checked] == ["SUPPORTED", "REFUTED", "SUPPORTED"]
    cited = [s["claims"][0]["evidence"][0] for s in checked]
    assert cited[0]["title"] == "Rivers of Europe" and "Danube" in cited[0]["text"]
    # each sentence is read after the one before it (decision 0032): the reading that refutes
    # most may be that of the sentence after the one naming the director, and then the cited
    # evidence says which sentence was read in front of it
    assert cited[1]["title"] == "Colombiana"
    assert "Megaton" in cited[1]["text"] or "Megaton" in (cited[1]["read_with"] or "")
    assert all(e["read_with"] is None or e["read_with"] != e["text"] for e in cited)
    assert cited[2]["page"] == 2 and "Baikal" in cited[2]["text"]
    for stage in ("read", "split", "embed_documents", "embedding", "retrieval", "nli", "total"):
        assert report["timings_ms"][stage] >= 0
    html = page.read_text(encoding="utf-8")
    assert 'data-verdict="REFUTED"' in html and "Spielberg" in html


def test_stdin_against_a_file_with_binary_labels(
    runner: CliRunner, env: dict[str, str], sources: dict[str, Path]
) -> None:
    text = "Luc Besson produced Colombiana. Colombiana was directed by Steven Spielberg.\n"
    args = ["check", "-", "--against", str(sources["notes"]), "--labels", "binary", "--json"]
    result = runner.invoke(app, args, input=text, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["labels"] == "binary" and report["verdict"] == "NOT_SUPPORTED"
    verdicts = [s["verdict"] for s in report["sentences"] if s["checked"]]
    assert verdicts[1] == "NOT_SUPPORTED" and set(verdicts) <= {"SUPPORTED", "NOT_SUPPORTED"}
    assert set(report["sentences_by_verdict"]) == {"SUPPORTED", "NOT_SUPPORTED"}
    shown = runner.invoke(
        app, ["check", "-", "-a", str(sources["notes"]), "--labels", "binary"], input=text, env=env
    )
    assert shown.exit_code == 0, shown.output
    assert "NOT_SUPPORTED" in shown.stdout and "REFUTED  " not in shown.stdout.splitlines()[-1]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("  \n\n", encoding="utf-8"), "empty"),
        (lambda p: p.with_suffix(".pdf").write_bytes(scanned_pdf()), "text"),
        (lambda p: p.with_suffix(".pdf").write_bytes(b"%PDF-1.4 not really"), "pdf"),
        (lambda p: p.write_text("Ok.\x01 Then.", encoding="utf-8"), "control character"),
    ],
    ids=["empty", "scanned-pdf", "broken-pdf", "control-character"],
)
def test_an_unusable_document_is_one_line_and_exit_8(
    runner: CliRunner,
    env: dict[str, str],
    sources: dict[str, Path],
    tmp_path: Path,
    make: object,
    message: str,
) -> None:
    doc = tmp_path / "doc.txt"
    assert callable(make)
    make(doc)
    target = doc if doc.exists() else doc.with_suffix(".pdf")
    result = runner.invoke(app, ["check", str(sources["answer"]), "-a", str(target)], env=env)
    assert result.exit_code == 8, result.output
    assert message in result.stderr.lower() and len(result.stderr.strip().splitlines()) <= 2
    assert "Traceback" not in result.output


def test_a_failing_url_and_a_missing_file_are_exit_8(
    runner: CliRunner, env: dict[str, str], site: LoopbackSite, sources: dict[str, Path]
) -> None:
    for target, message in ((site.url("/gone"), "404"), ("/nowhere/doc.txt", "no such file")):
        result = runner.invoke(app, ["check", str(sources["answer"]), "-a", target], env=env)
        assert result.exit_code == 8, result.output
        assert message in result.stderr


def test_100_mb_of_text_is_refused_before_it_is_read(
    runner: CliRunner, env: dict[str, str], sources: dict[str, Path], tmp_path: Path
) -> None:
    big = tmp_path / "big.txt"
    line = ("The river flows to the sea. " * 36 + "\n").encode()
    with big.open("wb") as out:
        for _ in range(100 * 1024 * 1024 // len(line) + 1):
            out.write(line)
    result = runner.invoke(app, ["check", str(sources["answer"]), "-a", str(big)], env=env)
    assert result.exit_code == 8, result.output
    assert "bytes" in result.stderr and "big.txt" in result.stderr
    long_answer = tmp_path / "long.txt"
    long_answer.write_bytes(line * (1_000_000 // len(line) + 1))
    result = runner.invoke(app, ["check", str(long_answer), "-a", str(sources["notes"])], env=env)
    assert result.exit_code == 3 and "limit" in result.stderr


def test_against_refuses_a_collection(
    runner: CliRunner, env: dict[str, str], sources: dict[str, Path]
) -> None:
    result = runner.invoke(
        app,
        ["check", str(sources["answer"]), "-a", str(sources["notes"]), "-c", "default"],
        env=env,
    )
    assert result.exit_code == 3 and "--against" in result.stderr


def test_eval_check_runs_in_memory_and_counts_an_unreadable_item(
    runner: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    passage = ["Colombiana is a 2011 French action film.", "It was produced by Luc Besson."]
    items = [
        {"id": "a", "text": "Luc Besson produced Colombiana.", "evidence": passage},
        {"id": "b", "text": "Colombiana is a 1995 German comedy.", "evidence": passage},
        {"id": "c", "text": "Luc Besson produced Colombiana.", "evidence": ["Bad \u0001 text."]},
        {"id": "d", "text": "The Danube flows through ten countries.", "evidence": passage},
    ]
    labels = ["supported", "not_supported", "supported", "not_supported"]
    datasets = ["films", "films", "films", "rivers"]
    path = tmp_path / "items.jsonl"
    path.write_text(
        "".join(
            json.dumps({**item, "label": label, "dataset": dataset}) + "\n"
            for item, label, dataset in zip(items, labels, datasets, strict=True)
        ),
        encoding="utf-8",
    )
    out = tmp_path / "report"
    result = runner.invoke(app, ["eval-check", str(path), "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["labels"] == "binary" and line["n"] == 3 and line["errors"] == 1
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["failed"][0]["id"] == "c" and "U+0001" in report["failed"][0]["error"]
    assert set(report["by_dataset"]) == {"films", "rivers"}
    assert report["by_dataset"]["films"]["n"] == 2
    assert report["balanced_accuracy_mean"] is not None
    assert "Balanced accuracy per source set" in (out / "report.md").read_text(encoding="utf-8")
    predictions = (out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(predictions) == 4 and json.loads(predictions[2])["error"]


def test_eval_check_reads_the_grounding_set_layout(
    runner: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    data = tmp_path / "data" / "grounding"
    data.mkdir(parents=True)
    row = {
        "id": "x",
        "text": "Luc Besson produced Colombiana.",
        "evidence": ["Colombiana is a 2011 French action film.", "It was produced by Luc Besson."],
        "label": "supported",
        "dataset": "films",
    }
    (data / "dev.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    args = ["eval-check", "--dataset", "grounding", "--data-dir", str(tmp_path / "data")]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "r")], env=env)
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["labels"] == "binary" and line["n"] == 1
    assert "films: balanced accuracy" in result.stdout


def test_bench_check_against_reports_every_stage(
    runner: CliRunner, env: dict[str, str], sources: dict[str, Path]
) -> None:
    args = ["bench", "check", "--against", str(sources["notes"]), "--against"]
    args += [str(sources["pdf"]), "--answer-words", "20", "--repeat", "1"]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["documents"] == 2 and figures["answer_words"] >= 20
    for stage in ("read", "split", "embed_documents", "embedding", "retrieval", "nli", "total"):
        assert stage in figures["stages_ms"]
    assert figures["p50_s"] > 0
