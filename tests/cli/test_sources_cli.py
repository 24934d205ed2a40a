"""truthgraph ingest with web pages, PDFs and URLs (served on 127.0.0.1), and citations that
name the source, its title, the PDF page and the version: real PostgreSQL, real models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.web import LoopbackSite, Route, article_html, loopback_site, report_pdf, scanned_pdf
from truthgraph.cli.main import app

pytestmark = [pytest.mark.integration, pytest.mark.models]

BAIKAL = "Lake Baikal is the deepest lake in the world."
_names = iter(range(1_000_000))


@pytest.fixture(scope="module")
def env(home: Path, database_url: str) -> dict[str, str]:
    return {
        "TRUTHGRAPH_HOME": str(home),
        "TRUTHGRAPH_DATABASE_URL": "",
        "TRUTHGRAPH_FETCH__TIMEOUT_S": "2",
    }


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with loopback_site() as site:
        site.routes["/rivers"] = Route(body=article_html())
        site.routes["/scan.pdf"] = Route(body=scanned_pdf(), content_type="application/pdf")
        yield site


@pytest.fixture()
def collection() -> str:
    return f"sources-{next(_names)}"


def ingest(runner: CliRunner, env: dict[str, str], *args: str) -> Any:
    return runner.invoke(app, ["ingest", *args], env=env)


def verify(runner: CliRunner, env: dict[str, str], claim: str, collection: str) -> Any:
    result = runner.invoke(app, ["verify", claim, "-c", collection, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_page_a_pdf_and_a_url_are_ingested_and_cited_with_their_provenance(
    runner: CliRunner, env: dict[str, str], site: LoopbackSite, tmp_path: Path, collection: str
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(
        article_html(
            title="Rivers of Asia",
            paragraphs=[
                "The Mekong flows "
                "through six countries of Southeast Asia before it reaches the sea."
            ],
        )
    )
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_pdf())
    result = ingest(runner, env, str(page), str(pdf), site.url("/rivers"), "-c", collection)
    assert result.exit_code == 0, result.output
    assert "3 documents added" in result.stdout

    verdict = verify(runner, env, BAIKAL, collection)
    top = verdict["evidence"][0]
    assert "Baikal" in top["text"]
    assert top["title"] == "Lake Report"
    assert top["page"] == 2
    assert top["version"] == 1
    assert top["origin"] == str(pdf.resolve())
    assert top["fetched_at"] and len(top["content_hash"]) == 64

    rivers = verify(runner, env, "The Danube flows through ten countries.", collection)
    top = rivers["evidence"][0]
    assert "Danube" in top["text"]
    assert top["origin"] == site.url("/rivers")
    assert top["url"] == "https://news.example.org/rivers"  # the page's canonical URL
    assert top["page"] is None and top["version"] == 1

    human = runner.invoke(app, ["verify", BAIKAL, "-c", collection], env=env)
    assert human.exit_code == 0
    assert "Lake Report" in human.stdout and "p. 2" in human.stdout
    assert "version 1" in human.stdout

    again = ingest(runner, env, str(page), str(pdf), site.url("/rivers"), "-c", collection)
    assert again.exit_code == 0
    assert "0 documents added, 3 already present" in again.stdout


def test_a_changed_source_is_a_new_version_and_old_verdicts_cite_the_old_one(
    runner: CliRunner, env: dict[str, str], site: LoopbackSite, collection: str
) -> None:
    url = site.url(f"/changing-{collection}")
    first = ["The Quagga Institute has 40 researchers and was founded in Windhoek in 1987."]
    second = ["The Quagga Institute has 75 researchers and moved to Swakopmund in 2021."]
    site.routes[url.removeprefix(site.base)] = Route(body=article_html("Institute", first))
    assert ingest(runner, env, url, "-c", collection).exit_code == 0
    old = verify(runner, env, "The Quagga Institute was founded in Windhoek.", collection)
    assert old["evidence"][0]["version"] == 1

    site.routes[url.removeprefix(site.base)] = Route(body=article_html("Institute", second))
    changed = ingest(runner, env, url, "-c", collection)
    assert changed.exit_code == 0, changed.output
    assert "1 documents added" in changed.stdout
    unchanged = ingest(runner, env, url, "-c", collection)
    assert "0 documents added" in unchanged.stdout

    new = verify(runner, env, "The Quagga Institute was founded in Windhoek.", collection)
    assert {e["version"] for e in new["evidence"]} == {2}  # version 1 left the search
    assert not any("Windhoek" in e["text"] for e in new["evidence"])
    shown = runner.invoke(app, ["show", str(old["claim_id"]), "--json"], env=env)
    cited = json.loads(shown.stdout)["evidence"][0]
    assert cited["version"] == 1 and "Windhoek" in cited["text"]


def test_a_url_list_is_ingested(
    runner: CliRunner, env: dict[str, str], site: LoopbackSite, tmp_path: Path, collection: str
) -> None:
    site.routes["/report.pdf"] = Route(body=report_pdf(), content_type="application/pdf")
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# reading list\n{site.url('/rivers')}\n\n{site.url('/report.pdf')}\n")
    result = ingest(runner, env, "--urls", str(urls), "-c", collection)
    assert result.exit_code == 0, result.output
    assert "2 documents added" in result.stdout


@pytest.mark.parametrize(
    ("path", "message"),
    [("/missing", "HTTP 404 Not Found"), ("/scan.pdf", "no text layer")],
)
def test_one_bad_source_fails_in_one_line_and_writes_nothing(
    runner: CliRunner,
    env: dict[str, str],
    site: LoopbackSite,
    tmp_path: Path,
    collection: str,
    path: str,
    message: str,
) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(report_pdf())
    result = ingest(runner, env, str(good), site.url("/rivers"), site.url(path), "-c", collection)
    assert result.exit_code == 3, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and site.url(path) in lines[0] and message in lines[0]
    listing = runner.invoke(app, ["collections"], env=env)
    assert collection not in listing.stdout


def test_ingest_without_sources_is_an_input_error(runner: CliRunner, env: dict[str, str]) -> None:
    result = ingest(runner, env)
    assert result.exit_code == 3
    assert "give files, folders or URLs" in result.stderr
