"""Web pages, PDFs and URLs: extraction, pages, charsets, and every bad-input case, read from
files the tests write and from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web import (
    BOILERPLATE,
    RIVER_PARAGRAPHS,
    LoopbackSite,
    Route,
    article_html,
    loopback_site,
    report_pdf,
    scanned_pdf,
)
from truthgraph.bench.sample_sources import text_pdf
from truthgraph.errors import DatasetError, SourceError
from truthgraph.ingest.pipeline import load_documents
from truthgraph.ingest.sources import discover, read_url, read_url_list
from truthgraph.reading.sentences import split_document
from truthgraph.settings import FetchSettings

FAST = FetchSettings(timeout_s=0.5, max_bytes=64 * 1024, max_redirects=3)


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with loopback_site() as site:
        site.routes.update(
            {
                "/rivers": Route(body=article_html()),
                "/report.pdf": Route(body=report_pdf(), content_type="application/pdf"),
                "/moved": Route(status=301, location="/rivers"),
                "/loop-a": Route(status=302, location="/loop-b"),
                "/loop-b": Route(status=302, location="/loop-a"),
                "/slow": Route(body=article_html(), delay_s=2.0),
                "/huge": Route(body=b"<p>" + b"x" * (128 * 1024) + b"</p>"),
                "/huge-unsized": Route(
                    body=b"<p>" + b"x" * (128 * 1024) + b"</p>", send_length=False
                ),
                "/logo.png": Route(body=b"\x89PNG\r\n\x1a\n", content_type="image/png"),
                "/cp1252": Route(
                    body=article_html(paragraphs=["Café society met in Zürich – often."] * 3)
                    .decode()
                    .replace('<meta charset="utf-8">', "")
                    .encode("cp1252"),
                    content_type="text/html; charset=windows-1252",
                ),
                "/latin1-undeclared": Route(
                    body=article_html(paragraphs=["Café society met in Zürich often."] * 3)
                    .decode()
                    .replace('<meta charset="utf-8">', "")
                    .encode("latin-1"),
                    content_type="text/html",
                ),
                "/scan.pdf": Route(body=scanned_pdf(), content_type="application/pdf"),
                "/empty": Route(body=b"<html><body><nav>Home</nav><script>app()</script></body>"),
                "/server-error": Route(status=503, body=b"busy"),
            }
        )
        yield site


def test_a_web_page_keeps_its_main_text_and_metadata_without_boilerplate(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rivers.html"
    path.write_bytes(article_html())
    _, [doc] = load_documents([path])
    for paragraph in RIVER_PARAGRAPHS:
        assert paragraph in doc.text
    for junk in BOILERPLATE:
        assert junk not in doc.text, junk
    assert doc.title == "Rivers of Europe"
    assert doc.metadata["author"] == "Ada Lovelace"
    assert doc.metadata["date"] == "2024-03-05"
    assert doc.url == "https://news.example.org/rivers"  # the canonical URL
    assert doc.source == "rivers.html"
    assert doc.origin == str(path.resolve())
    assert doc.fetched_at and doc.fetched_at.startswith("20")
    assert len(doc.metadata["sha256"]) == 64


def test_a_pdf_keeps_the_page_of_every_sentence(tmp_path: Path) -> None:
    path = tmp_path / "lakes.pdf"
    path.write_bytes(report_pdf())
    _, [doc] = load_documents([path])
    assert doc.title == "Lake Report"
    assert doc.metadata["author"] == "Ilse Marangu"
    assert doc.metadata["page_count"] == 3
    sentences = split_document(doc)
    pages = {s.text: s.page for s in sentences}
    assert pages["Lake Baikal in Siberia is the deepest lake in the world, at 1642 metres."] == 2
    assert pages["Lake Toba in Sumatra fills the caldera of a supervolcano."] == 3
    assert all(s.page is not None for s in sentences)
    assert all(doc.text[s.start : s.end] == s.text for s in sentences)


def test_html_and_pdf_files_are_found_in_folders(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(article_html())
    (tmp_path / "b.htm").write_bytes(article_html())
    (tmp_path / "c.pdf").write_bytes(report_pdf())
    (tmp_path / "d.png").write_bytes(b"\x89PNG")
    assert [p.name for p in discover([tmp_path])] == ["a.html", "b.htm", "c.pdf"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", scanned_pdf(), "no text layer on any of its 2 page(s)"),
        ("broken.pdf", b"%PDF-1.4\nnot really", "not a readable PDF"),
        ("empty.html", b"<html><body><nav>Home</nav></body></html>", "no main text"),
        ("latin1.html", "<p>caf\xe9 " * 50 + "</p>", "not UTF-8"),
    ],
)
def test_bad_files_fail_with_one_line_naming_the_file(
    tmp_path: Path, name: str, content: bytes | str, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content.encode("latin-1") if isinstance(content, str) else content)
    with pytest.raises(SourceError) as caught:
        load_documents([path])
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text
    assert "\n" not in text


def test_a_page_is_decoded_by_its_declared_charset(site: LoopbackSite) -> None:
    doc = read_url(site.url("/cp1252"), FAST)
    assert "Café society met in Zürich – often." in doc.text


def test_a_url_is_read_as_html_or_pdf_by_its_content_type(site: LoopbackSite) -> None:
    page = read_url(site.url("/rivers"), FAST)
    assert RIVER_PARAGRAPHS[0] in page.text
    assert page.origin == page.source == site.url("/rivers")
    assert page.metadata["fetched_url"] == site.url("/rivers")
    assert page.url == "https://news.example.org/rivers"  # canonical
    pdf = read_url(site.url("/report.pdf"), FAST)
    assert pdf.pages and pdf.title == "Lake Report"
    assert pdf.url == site.url("/report.pdf")
    assert site.user_agents and all(ua.startswith("TruthGraph/") for ua in site.user_agents)


def test_redirects_are_followed_and_the_asked_url_stays_the_origin(site: LoopbackSite) -> None:
    doc = read_url(site.url("/moved"), FAST)
    assert doc.origin == site.url("/moved")
    assert doc.metadata["fetched_url"] == site.url("/rivers")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "HTTP 404 Not Found"),
        ("/server-error", "HTTP 503"),
        ("/slow", "timed out after 0.5 s"),
        ("/loop-a", "more than 3 redirects (a redirect loop?)"),
        ("/huge", "the body is 131079 bytes; the cap is 65536"),
        ("/huge-unsized", "larger than the cap of 65536 bytes"),
        ("/logo.png", "content type image/png is neither HTML nor PDF"),
        ("/latin1-undeclared", "not UTF-8 (byte"),
        ("/scan.pdf", "no text layer"),
        ("/empty", "no main text"),
    ],
)
def test_bad_urls_fail_with_one_line_naming_the_url(
    site: LoopbackSite, path: str, message: str
) -> None:
    with pytest.raises(SourceError) as caught:
        read_url(site.url(path), FAST)
    text = str(caught.value)
    assert text.startswith(f"{site.url(path)}: ") and message in text, text
    assert "\n" not in text


def test_a_refused_connection_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="cannot fetch"):
        read_url("http://127.0.0.1:9/nothing-listens-here", FAST)


def test_one_bad_source_stops_the_whole_load(site: LoopbackSite, tmp_path: Path) -> None:
    good = tmp_path / "rivers.html"
    good.write_bytes(article_html())
    with pytest.raises(SourceError, match="404"):
        load_documents([good, site.url("/rivers"), site.url("/missing")], FAST)


def test_a_url_list_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "urls.txt"
    path.write_text("# sources\nhttps://a.example/x\n\n  http://b.example/y#part  \n")
    assert read_url_list(path) == ["https://a.example/x", "http://b.example/y#part"]
    path.write_text("https://a.example/x\nftp://c.example/z\n")
    with pytest.raises(DatasetError, match=r"urls.txt:2: not an http\(s\) URL"):
        read_url_list(path)


def test_a_short_article_keeps_its_heading_apart_from_its_first_sentence(tmp_path: Path) -> None:
    path = tmp_path / "short.html"
    sentence = "The Danube flows through ten countries and four capital cities."
    path.write_bytes(article_html(paragraphs=[sentence]))
    _, [doc] = load_documents([path])
    assert sentence in [s.text for s in split_document(doc)]
    assert "By Ada Lovelace" not in doc.text


def test_a_file_is_decoded_by_the_charset_its_meta_tag_declares(tmp_path: Path) -> None:
    path = tmp_path / "cafe.html"
    text = "The café in Zürich – opened in 1911 – still serves coffee."
    path.write_bytes(article_html(paragraphs=[text], charset="windows-1252"))
    _, [doc] = load_documents([path])
    assert text in doc.text
    path.write_bytes(path.read_bytes().replace(b"windows-1252", b"no-such-charset"))
    with pytest.raises(SourceError, match="unknown charset 'no-such-charset'"):
        load_documents([path])


def test_a_documentation_page_is_titled_by_its_title_not_its_first_heading(
    tmp_path: Path,
) -> None:
    path = tmp_path / "policy.html"
    paragraph = "This document describes how Python is packaged and which rules packages follow."
    path.write_text(
        "<html><head><title>Python Policy 1.0 documentation</title></head><body>"
        '<div class="related">Navigation Python Policy 1.0 documentation &raquo;</div>'
        '<div class="body"><h1>Abstract<a class="headerlink" href="#a">\u00b6</a></h1>'
        f"<p>{paragraph}</p><p>{paragraph.replace('Python', 'Perl')}</p></div></body></html>",
        encoding="utf-8",
    )
    _, [doc] = load_documents([path])
    assert doc.title == "Python Policy 1.0 documentation"
    assert "\u00b6" not in doc.text and paragraph in doc.text


def test_pdf_running_heads_and_page_numbers_are_left_out_and_headings_stand_alone(
    tmp_path: Path,
) -> None:
    districts = ["Altstadt", "Neustadt", "Hafen", "Nordend"]
    pages = [
        [
            "Annual Transport Report 2023",
            f"{n} Results for {name}",
            f"The trams of {name} carried {n * 3} million passengers in 2023, {n} percent more "
            f"than the year before, and the new line through {name} ran every {n + 4} minutes "
            "on weekdays.",
            str(n),
        ]
        for n, name in enumerate(districts, start=1)
    ]
    path = tmp_path / "report.pdf"
    path.write_bytes(text_pdf(pages))
    _, [doc] = load_documents([path])
    sentences = split_document(doc)
    texts = [s.text for s in sentences]
    assert not any("Annual Transport Report" in t for t in texts)
    assert not any(t.strip().isdigit() or t.endswith(" 3") for t in texts)
    assert ("3 Results for Hafen", 3) in [(s.text, s.page) for s in sentences]
    assert any(t.startswith("The trams of Hafen") and t.endswith("on weekdays.") for t in texts)


def test_private_addresses_can_be_refused(site: LoopbackSite) -> None:
    with pytest.raises(SourceError, match="127.0.0.1 is a loopback, private or reserved"):
        read_url(site.url("/rivers"), FAST, allow_private=False)
