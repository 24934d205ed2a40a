"""The shared JSONL reader: every evaluation file, corpus and upload goes through it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from truthgraph.cli.verify import read_claims
from truthgraph.data.jsonl import read_objects
from truthgraph.errors import DatasetError
from truthgraph.ingest.sources import read_jsonl


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "rows.jsonl"
    path.write_bytes(data)
    return path


def test_objects_come_with_their_line_numbers_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path, b'{"a": 1}\n\n   \n{"a": 2}\r\n')
    assert list(read_objects(path)) == [(1, {"a": 1}), (4, {"a": 2})]


def test_a_line_separator_inside_a_string_does_not_split_the_line(tmp_path: Path) -> None:
    # json.dumps(..., ensure_ascii=False) writes U+2028 raw; str.splitlines() would cut there.
    row = {"text": "first part\u2028second part", "title": "x\u0085y"}
    path = _write(tmp_path, (json.dumps(row, ensure_ascii=False) + "\n").encode())
    assert list(read_objects(path)) == [(1, row)]
    assert [d.text for d in read_jsonl(path)] == [row["text"]]


def test_a_byte_order_mark_before_the_first_line_is_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path, b'\xef\xbb\xbf{"a": 1}\n')
    assert list(read_objects(path)) == [(1, {"a": 1})]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1}\n{"a": \xe9}\n', r"rows\.jsonl:2: not UTF-8 text \(byte 6\)"),
        (b'{"a": 1}\n\n{oops\n', r"rows\.jsonl:3: not valid JSON"),
        (b'{"a": 1}\n[1, 2]\n', r"rows\.jsonl:2: expected a JSON object"),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        list(read_objects(_write(tmp_path, data)))


def test_a_missing_file_and_a_folder_are_named(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such file"):
        list(read_objects(tmp_path / "absent.jsonl"))
    with pytest.raises(DatasetError, match="a folder, not a JSONL file"):
        list(read_objects(tmp_path))


def test_claim_files_for_verify_file_read_text_and_jsonl(tmp_path: Path) -> None:
    text = tmp_path / "claims.txt"
    text.write_bytes("First claim.\r\n\r\nSecond \u2028claim.\r\n".encode())
    assert read_claims(text) == ["First claim.", "Second \u2028claim."]
    rows = tmp_path / "claims.jsonl"
    rows.write_text('{"claim": "A."}\n{"text": "B."}\n{"id": 3}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match=r'claims\.jsonl:3: no "claim" field'):
        read_claims(rows)
    rows.write_text('{"claim": "A."}\n\n{"text": "B."}\n', encoding="utf-8")
    assert read_claims(rows) == ["A.", "B."]
