"""POST /documents with web pages and PDFs (uploads) and {"url"} (a real HTTP server on
127.0.0.1): provenance on documents and search hits, versions, and bad sources as 422s."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.service import wait_for_job
from tests.web import LoopbackSite, Route, article_html, loopback_site, report_pdf, scanned_pdf

pytestmark = [pytest.mark.integration, pytest.mark.models]

API_SETTINGS = {"max_upload_bytes": 4096, "fetch_private_urls": True}  # the site is loopback
_names = iter(range(1_000_000))


@pytest.fixture()
def collection() -> str:
    return f"web-{next(_names)}"


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with loopback_site() as site:
        site.routes.update(
            {
                "/rivers": Route(body=article_html()),
                "/report.pdf": Route(body=report_pdf(), content_type="application/pdf"),
                "/scan.pdf": Route(body=scanned_pdf(), content_type="application/pdf"),
                "/big": Route(body=b"<p>" + b"word " * 2000 + b"</p>"),
                "/data.json": Route(body=b"{}", content_type="application/json"),
            }
        )
        yield site


def search(client: TestClient, collection: str, query: str) -> list[dict[str, object]]:
    response = client.post(
        "/api/v1/search", json={"query": query, "collection": collection, "mode": "keyword"}
    )
    assert response.status_code == 200, response.text
    results: list[dict[str, object]] = response.json()["results"]
    return results


def test_a_pdf_upload_keeps_its_pages_and_is_versioned_by_file_name(
    client: TestClient, collection: str
) -> None:
    response = client.post(
        "/api/v1/documents",
        data={"collection": collection},
        files={"file": ("lakes.pdf", report_pdf(), "application/pdf")},
    )
    assert response.status_code == 202, response.text
    assert wait_for_job(client, response.json()["id"])["result"]["documents_added"] == 1
    [hit] = search(client, collection, "Baikal")
    assert hit["page"] == 2 and hit["version"] == 1
    assert hit["title"] == "Lake Report" and hit["source"] == "lakes.pdf"
    assert hit["origin"] == "upload:lakes.pdf"

    again = client.post(
        "/api/v1/documents",
        data={"collection": collection},
        files={"file": ("lakes.pdf", report_pdf(title="Lake Report, revised"), "application/pdf")},
    )
    assert wait_for_job(client, again.json()["id"])["result"]["documents_added"] == 1
    [hit] = search(client, collection, "Baikal")
    assert hit["version"] == 2 and hit["title"] == "Lake Report, revised"


def test_an_html_upload_is_its_main_text(client: TestClient, collection: str) -> None:
    response = client.post(
        "/api/v1/documents",
        data={"collection": collection},
        files={"file": ("rivers.html", article_html(), "text/html")},
    )
    assert response.status_code == 202, response.text
    assert wait_for_job(client, response.json()["id"])["status"] == "succeeded"
    [hit] = search(client, collection, "Danube")
    assert hit["url"] == "https://news.example.org/rivers"
    assert search(client, collection, "cookies") == []


def test_a_url_is_fetched_stored_and_read_back_with_its_provenance(
    client: TestClient, collection: str, site: LoopbackSite
) -> None:
    url = site.url("/report.pdf")
    created = client.post("/api/v1/documents", json={"collection": collection, "url": url})
    assert created.status_code == 201, created.text
    document = created.json()["document"]
    assert document["origin"] == url and document["version"] == 1
    assert document["title"] == "Lake Report" and document["fetched_at"]
    assert document["metadata"]["page_count"] == 3
    same = client.post("/api/v1/documents", json={"collection": collection, "url": url})
    assert same.status_code == 200 and same.json()["created"] is False
    [hit] = search(client, collection, "Baikal")
    assert hit["page"] == 2 and hit["origin"] == url


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "HTTP 404"),
        ("/scan.pdf", "no text layer"),
        ("/big", "the cap is 4096"),
        ("/data.json", "neither HTML nor PDF"),
    ],
)
def test_a_bad_url_is_422_naming_it(
    client: TestClient, collection: str, site: LoopbackSite, path: str, message: str
) -> None:
    response = client.post(
        "/api/v1/documents", json={"collection": collection, "url": site.url(path)}
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_data"
    assert error["message"].startswith(site.url(path)) and message in error["message"]


def test_a_scanned_pdf_upload_is_422_naming_the_file(client: TestClient, collection: str) -> None:
    response = client.post(
        "/api/v1/documents",
        data={"collection": collection},
        files={"file": ("scan.pdf", scanned_pdf(), "application/pdf")},
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("scan.pdf: no text layer")


def test_neither_text_nor_an_http_url_is_422(client: TestClient, collection: str) -> None:
    for body in ({"collection": collection}, {"collection": collection, "url": "ftp://x/y"}):
        response = client.post("/api/v1/documents", json=body)
        assert response.status_code == 422, body
