"""The web page end to end in a real headless browser (Debian's /usr/bin/chromium, driven by
Playwright, which never downloads a browser of its own here) against a real uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.service import running_server
from tests.web import Route, article_html, loopback_site, report_pdf

pytestmark = [pytest.mark.integration, pytest.mark.models]

API_SETTINGS = {"fetch_private_urls": True}  # the test's web site listens on loopback

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CLAIM = "Tim Roth is an English actor."
SUPPORTED_GREEN = "rgb(30, 126, 52)"  # --supported in style.css


@pytest.fixture(scope="module")
def server(app: FastAPI, demo_collection: str) -> Iterator[str]:
    with running_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail("the browser test needs Debian's chromium: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=server)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def open_page(page: Page, view: str = "verify") -> None:
    page.goto(f"/#{view}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def test_verifying_a_claim_shows_the_verdict_confidence_evidence_and_timings(
    page: Page, demo_collection: str
) -> None:
    open_page(page)
    expect(page.locator(f"#collection option[value='{demo_collection}']")).to_be_attached()
    page.select_option("#collection", demo_collection)
    page.fill("#claim", CLAIM)
    page.click("#verify-button")

    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#verdict")).to_have_text("SUPPORTED")
    expect(page.locator("#result-claim")).to_have_text(CLAIM)
    width = page.locator("#confidence-fill").evaluate("e => parseFloat(e.style.width)")
    assert 0 < width <= 100
    cards = page.locator(".evidence-card")
    assert cards.count() >= 1
    top = cards.first
    expect(top).to_have_attribute("data-label", "SUPPORTED")
    assert top.evaluate("e => getComputedStyle(e).borderLeftColor") == SUPPORTED_GREEN
    expect(top.locator("mark")).to_contain_text("Roth")  # the supporting span, highlighted
    expect(top.locator("a")).to_have_attribute("href", "https://en.wikipedia.org/wiki/Tim_Roth")
    expect(top.locator(".source")).to_contain_text("Wikipedia")
    labels = set(cards.evaluate_all("cards => cards.map(c => c.dataset.label)"))
    assert labels <= {"SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"}
    for stage in ("embedding", "retrieval", "nli", "aggregation", "database", "total"):
        expect(page.locator(f"#timings tr[data-stage='{stage}'] td")).to_contain_text("ms")


def test_an_error_from_the_api_is_shown_on_the_page(page: Page) -> None:
    open_page(page)
    page.locator("#claim").evaluate("e => e.removeAttribute('maxlength')")  # as a script could
    page.fill("#claim", "x" * 2100)
    page.click("#verify-button")
    expect(page.locator("#verify-error")).to_contain_text("the limit is 2000")


def test_uploading_a_file_shows_ingestion_progress_until_it_is_done(
    page: Page, tmp_path: Path
) -> None:
    notes = tmp_path / "rivers.md"
    notes.write_text("# Rivers\n\nThe Danube flows through ten countries.\n", encoding="utf-8")
    open_page(page, "documents")
    page.fill("#upload-collection", "browser-upload")
    page.set_input_files("#upload-file", str(notes))
    page.click("#upload-button")
    expect(page.locator("#ingest-status")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("#ingest-status")).to_contain_text("1 added")
    assert page.locator("#ingest-progress").evaluate("e => e.value") == 1
    expect(page.locator("#collections tbody tr", has_text="browser-upload")).to_be_visible()


def test_an_uploaded_pdf_is_cited_with_its_page_and_version(page: Page, tmp_path: Path) -> None:
    report = tmp_path / "lakes.pdf"
    report.write_bytes(report_pdf())
    open_page(page, "documents")
    page.fill("#upload-collection", "browser-pdf")
    page.set_input_files("#upload-file", str(report))
    page.click("#upload-button")
    expect(page.locator("#ingest-status")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("#ingest-status")).to_contain_text("1 added")

    open_page(page)
    expect(page.locator("#collection option[value='browser-pdf']")).to_be_attached()
    page.select_option("#collection", "browser-pdf")
    page.fill("#claim", "Lake Baikal is the deepest lake in the world.")
    page.click("#verify-button")
    top = page.locator(".evidence-card").first
    expect(top.locator("mark")).to_contain_text("Baikal")
    expect(top.locator("strong")).to_have_text("Lake Report")
    expect(top.locator(".source")).to_have_text("lakes.pdf")
    expect(top.locator(".provenance .page")).to_have_text("p. 2")
    expect(top.locator(".provenance .version")).to_contain_text("version 1")


def test_a_web_page_is_fetched_from_its_url_and_cited_with_its_origin(page: Page) -> None:
    with loopback_site() as site:
        site.routes["/rivers"] = Route(body=article_html())
        open_page(page, "documents")
        page.fill("#url-collection", "browser-url")
        page.fill("#url-address", site.url("/rivers"))
        page.click("#url-button")
        expect(page.locator("#ingest-status")).to_have_attribute("data-status", "succeeded")
        expect(page.locator("#ingest-status")).to_contain_text('stored "Rivers of Europe"')
    open_page(page)
    expect(page.locator("#collection option[value='browser-url']")).to_be_attached()
    page.select_option("#collection", "browser-url")
    page.fill("#claim", "The Danube flows through ten countries.")
    page.click("#verify-button")
    top = page.locator(".evidence-card").first
    expect(top.locator("mark")).to_contain_text("Danube")
    expect(top.locator("a")).to_have_attribute("href", "https://news.example.org/rivers")
    expect(top.locator(".source")).to_have_text(site.url("/rivers"))  # the URL it was read from
    expect(top.locator(".provenance .version")).to_contain_text("version 1")


def test_history_lists_past_verifications_and_reopens_one(
    page: Page, server: str, demo_collection: str
) -> None:
    claim = "Saxony is in Ireland."
    response = httpx.post(
        f"{server}/api/v1/verify", json={"claim": claim, "collection": demo_collection}
    )
    verdict = response.json()["verdict"]
    open_page(page, "history")
    page.fill("#history-query", "Saxony")
    page.click("#history-form button")
    row = page.locator("#history tbody tr", has_text=claim).first
    expect(row).to_be_visible()
    row.click()
    expect(page.locator("#view-verify")).to_be_visible()
    expect(page.locator("#result-claim")).to_have_text(claim)
    expect(page.locator("#verdict")).to_have_attribute("data-label", verdict)


def test_checking_a_text_highlights_it_by_verdict_with_evidence_on_click(
    page: Page, demo_collection: str
) -> None:
    open_page(page, "check")
    page.fill(
        "#check-text",
        "Luc Besson produced Colombiana. Is it a good film?\n\n"
        "Soyuz was part of the Soviet space program and Janelle Monáe is Canadian.",
    )
    expect(page.locator(f"#check-collection option[value='{demo_collection}']")).to_be_attached()
    page.select_option("#check-collection", demo_collection)
    page.click("#check-button")
    expect(page.locator("#check-result")).to_be_visible()
    marks = page.locator("#check-text-view mark")
    expect(marks).to_have_count(2)  # the question is not highlighted
    expect(marks.nth(0)).to_have_attribute("data-verdict", "SUPPORTED")
    expect(marks.nth(1)).to_have_attribute("data-verdict", "REFUTED")
    expect(page.locator("#check-text-view")).to_contain_text("Is it a good film?")
    expect(page.locator("#check-summary")).to_contain_text("factuality 67%")
    # what a person reads: counts, not "[object Object],[object Object]"
    expect(page.locator("#check-summary")).to_contain_text("2 of 3 sentences checked")
    expect(page.locator("#check-summary")).not_to_contain_text("object")
    marks.nth(1).click()
    claims = page.locator("#check-details .claim")
    expect(claims).to_have_count(2)
    expect(claims.nth(1)).to_contain_text("Janelle Monáe is Canadian.")
    expect(claims.nth(1).locator(".badge")).to_have_text("REFUTED")
    expect(claims.nth(1).locator(".evidence").first).to_contain_text("Janelle")


def test_checking_a_text_with_nothing_to_check_shows_the_error(
    page: Page, demo_collection: str
) -> None:
    open_page(page, "check")
    page.fill("#check-text", "Is this true? What do you think?")
    page.select_option("#check-collection", demo_collection)
    page.click("#check-button")
    expect(page.locator("#check-error")).to_contain_text("no check-worthy sentence")


def test_the_check_tab_offers_the_existing_collections_only(
    page: Page, demo_collection: str
) -> None:
    open_page(page, "check")
    options = page.locator("#check-collection option")
    expect(options.first).to_be_attached()
    names = options.evaluate_all("os => os.map(o => o.value)")
    assert (
        demo_collection in names
        and page.locator("#check-collection").evaluate("e => e.tagName") == "SELECT"
    )


def test_checking_a_text_against_pasted_documents_and_a_url_with_binary_labels(
    page: Page,
) -> None:
    with loopback_site() as site:
        site.routes["/rivers"] = Route(body=article_html())
        open_page(page, "check")
        page.fill(
            "#check-text",
            "Colombiana was directed by Olivier Megaton. Is it good?\n\n"
            "Colombiana was directed by Steven Spielberg. The Danube flows through ten countries.",
        )
        page.check("#check-against-documents")
        expect(page.locator("#check-documents-fields")).to_be_visible()
        expect(page.locator("#check-collection")).to_be_disabled()
        page.fill(
            "#check-documents",
            "Colombiana is a 2011 French action film directed by Olivier Megaton.\n---\n"
            "It was produced by Luc Besson.",
        )
        page.fill("#check-document-urls", site.url("/rivers"))
        page.select_option("#check-labels", "binary")
        page.click("#check-button")
        expect(page.locator("#check-result")).to_be_visible()
        marks = page.locator("#check-text-view mark")
        expect(marks).to_have_count(3)
        expect(marks.nth(0)).to_have_attribute("data-verdict", "SUPPORTED")
        expect(marks.nth(1)).to_have_attribute("data-verdict", "NOT_SUPPORTED")
        expect(marks.nth(2)).to_have_attribute("data-verdict", "SUPPORTED")
        summary = page.locator("#check-summary")
        expect(summary).to_contain_text("NOT SUPPORTED")
        expect(summary).to_contain_text("3 of 4 sentences checked")
        expect(summary).not_to_contain_text("object")
        marks.nth(2).click()
        expect(page.locator("#check-details .evidence").first).to_contain_text("Rivers of Europe")
        # each sentence was read after the one before it (decision 0032), and the page says so
        details = page.locator("#check-details")
        expect(details).to_contain_text("(read after: ")
        expect(details).not_to_contain_text("undefined")
        expect(details).not_to_contain_text("null")


def test_checking_against_documents_with_none_given_says_so(page: Page) -> None:
    open_page(page, "check")
    page.fill("#check-text", "Colombiana was directed by Olivier Megaton.")
    page.check("#check-against-documents")
    page.click("#check-button")
    expect(page.locator("#check-error")).to_contain_text("at least one document")
