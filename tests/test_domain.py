"""The one check on outside text: NUL and control characters are refused, nothing else is."""

from __future__ import annotations

import pytest

from truthgraph.domain import RawDocument, check_characters, check_collection_name, check_json
from truthgraph.errors import InvalidInputError


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\x1b", "\x1f"])
def test_control_characters_are_refused_with_their_offset(char: str) -> None:
    with pytest.raises(InvalidInputError, match=f"U\\+{ord(char):04X} at offset 3"):
        check_characters(f"abc{char}def", "the claim")


@pytest.mark.parametrize("text", ["tab\there", "lines\nand\r\n", "form\x0cfeed", "ünïcödé ✓"])
def test_whitespace_and_unicode_pass_unchanged(text: str) -> None:
    assert check_characters(text, "the claim") == text


def test_json_is_checked_in_keys_and_nested_values() -> None:
    assert check_json({"a": [1, "b", {"c": None}]}, "metadata") == {"a": [1, "b", {"c": None}]}
    with pytest.raises(InvalidInputError, match=r"metadata\.a\[1\]"):
        check_json({"a": [1, "b\x00"]}, "metadata")
    with pytest.raises(InvalidInputError, match="a key"):
        check_json({"k\x00": 1}, "metadata")


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "a\x00b"])
def test_bad_collection_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInputError):
        check_collection_name(name)


def test_a_document_with_a_nul_cannot_be_built() -> None:
    with pytest.raises(InvalidInputError, match="document text"):
        RawDocument(text="Lisbon\x00")
    with pytest.raises(InvalidInputError, match="document metadata"):
        RawDocument(text="Lisbon", metadata={"note": "\x00"})
