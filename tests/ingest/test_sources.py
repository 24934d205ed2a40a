from pathlib import Path

import pytest

from truthgraph.errors import DatasetError
from truthgraph.ingest.pipeline import content_hash, load_documents
from truthgraph.ingest.sources import discover, read_documents


def test_jsonl_rows_become_documents_with_metadata(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": 7, "text": "Body.", "title": "T", "lang": "en"}\n\n', encoding="utf-8")
    [doc] = list(read_documents(path))
    assert (doc.external_id, doc.title, doc.text, doc.metadata) == (
        "7",
        "T",
        "Body.",
        {"lang": "en"},
    )
    assert doc.source == "docs.jsonl"


def test_csv_uses_its_text_column(tmp_path: Path) -> None:
    path = tmp_path / "docs.csv"
    path.write_text("Title,Content\nA,First text.\nB,Second text.\n", encoding="utf-8")
    docs = list(read_documents(path))
    assert [(d.title, d.text) for d in docs] == [("A", "First text."), ("B", "Second text.")]


def test_csv_fields_keep_line_breaks_and_separators_inside_quotes(tmp_path: Path) -> None:
    # Rows end with CRLF; a quoted field holds a newline and U+2028, which str.splitlines()
    # would have taken for row ends.
    path = tmp_path / "docs.csv"
    path.write_bytes('title,text\r\nA,"One line\nand a second\u2028third."\r\nB,Two.\r\n'.encode())
    docs = list(read_documents(path))
    assert [(d.title, d.text) for d in docs] == [
        ("A", "One line\nand a second\u2028third."),
        ("B", "Two."),
    ]


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Soul Food\n\nA 1997 film.\n", encoding="utf-8")
    [doc] = list(read_documents(path))
    assert doc.title == "Soul Food"


def test_folders_are_walked_for_supported_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Alpha.", encoding="utf-8")
    (tmp_path / "b.md").write_text("Beta.", encoding="utf-8")
    (tmp_path / "c.bin").write_bytes(b"\x00")
    assert [p.name for p in discover([tmp_path])] == ["b.md", "a.txt"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.jsonl", b'{"text": "ok"}\n{broken\n', "bad.jsonl:2: not valid JSON"),
        ("empty.jsonl", b'{"title": "no text"}\n', 'missing or empty "text"'),
        ("latin.txt", "caf\u00e9".encode("latin-1"), "not UTF-8"),
        ("nocol.csv", b"a,b\n1,2\n", "no text column"),
    ],
)
def test_malformed_sources_raise_a_dataset_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=message):
        load_documents([path])


def test_unsupported_and_missing_paths_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(b"\x89PNG")
    with pytest.raises(DatasetError, match="unsupported file type"):
        discover([tmp_path / "x.png"])
    with pytest.raises(DatasetError, match="no such file"):
        discover([tmp_path / "missing.txt"])


def test_empty_corpus_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "blank.txt").write_text("   \n", encoding="utf-8")
    with pytest.raises(DatasetError, match="no documents"):
        load_documents([tmp_path])


def test_content_hash_depends_on_text_and_title(tmp_path: Path) -> None:
    from truthgraph.domain import RawDocument

    assert content_hash(RawDocument("a", "t")) == content_hash(RawDocument("a", "t", source="x"))
    assert content_hash(RawDocument("a", "t")) != content_hash(RawDocument("a", "u"))
