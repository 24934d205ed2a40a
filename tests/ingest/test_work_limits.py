"""Every unit of work is bounded (issue 33): sentence splitting is linear in the text's
length, and a document over a limit (pages of a PDF, characters, sentences, a paragraph's
length) is refused with a message naming its setting."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import truthgraph.reading.sentences as chunking
from truthgraph.bench.sample_sources import text_pdf
from truthgraph.errors import LimitExceededError
from truthgraph.ingest.sources import read_page_or_pdf
from truthgraph.reading.sentences import check_sentence_limit, check_text_limits, split_sentences
from truthgraph.settings import LimitsSettings

SENTENCES = (
    "The river Danube flows through ten countries and four capital cities. It is 2850 km "
    "long, e.g. longer than the Rhine! Dr. Smith said so in 1999? "
)


def _paragraph(chars: int) -> str:
    return (SENTENCES * (chars // len(SENTENCES) + 1))[:chars]


def test_a_200_kb_paragraph_is_split_within_2_s() -> None:
    # pysbd alone took about 40 s on this one paragraph (quadratic in its length).
    text = _paragraph(200_000)
    started = time.perf_counter()
    sentences = split_sentences(text)
    assert time.perf_counter() - started < 2.0
    assert len(sentences) > 4000
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_windowed_splitting_matches_whole_paragraph_splitting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = _paragraph(12_000)
    windowed = [(s.start, s.end) for s in split_sentences(text)]
    monkeypatch.setattr(chunking, "SEGMENT_WINDOW_CHARS", 10**9)
    whole = [(s.start, s.end) for s in split_sentences(text)]
    assert windowed == whole


def test_a_long_run_without_sentence_ends_is_still_cut_and_covered() -> None:
    text = "word " * 5000 + "x" * 7000
    sentences = split_sentences(text)
    assert all(len(s.text) <= chunking.MAX_SENTENCE_CHARS for s in sentences)
    kept = sum(len(s.text.replace(" ", "")) for s in sentences)
    assert kept >= len(text.replace(" ", "")) - 10  # pieces under 3 characters are dropped


def test_text_limits_name_their_setting() -> None:
    limits = LimitsSettings(max_document_chars=5000, max_paragraph_chars=1000)
    with pytest.raises(LimitExceededError, match="TRUTHGRAPH_LIMITS__MAX_DOCUMENT_CHARS"):
        check_text_limits("a" * 5001, limits)
    with pytest.raises(LimitExceededError, match="TRUTHGRAPH_LIMITS__MAX_PARAGRAPH_CHARS"):
        check_text_limits("Short one.\n\n" + _paragraph(1500), limits)
    check_text_limits("Short one.\n\n" + _paragraph(900), limits)
    with pytest.raises(LimitExceededError, match="TRUTHGRAPH_LIMITS__MAX_DOCUMENT_SENTENCES"):
        check_sentence_limit(11, LimitsSettings(max_document_sentences=10))


def test_a_pdf_with_too_many_pages_is_refused_before_its_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "many.pdf"
    names = ["Danube", "Rhine", "Volga", "Loire", "Elbe", "Oder", "Po", "Tagus", "Ebro"]
    names += ["Seine", "Vistula", "Dnieper"]
    path.write_bytes(text_pdf([[f"The {name} is a river of Europe."] for name in names]))
    with pytest.raises(LimitExceededError, match="12 pages; the limit is 10"):
        read_page_or_pdf(path, "pdf", limits=LimitsSettings(max_pdf_pages=10))
    assert read_page_or_pdf(path, "pdf", limits=LimitsSettings(max_pdf_pages=12)).text


def test_a_pdf_whose_text_is_too_long_is_refused_as_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(text_pdf([[_paragraph(900)]] * 3))
    with pytest.raises(LimitExceededError, match="over 1000 characters by page 2"):
        read_page_or_pdf(path, "pdf", limits=LimitsSettings(max_document_chars=1000))
