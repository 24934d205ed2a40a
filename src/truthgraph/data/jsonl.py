"""JSON Lines files, read one object a line, with errors that name the file and the line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from truthgraph.errors import DatasetError


def read_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-blank line of a UTF-8 JSONL file, streamed.

    A folder, a missing or unreadable file, a line that is not UTF-8 or not valid JSON, and a
    JSON value that is not an object each raise ``DatasetError`` naming the file and line. A
    byte-order mark in front of the first line is skipped.
    """
    if path.is_dir():
        raise DatasetError(f"{path}: a folder, not a JSONL file")
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise DatasetError(f"{path}: no such file") from exc
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from exc
    with handle:
        try:
            for number, raw in enumerate(handle, start=1):
                line = _decode(raw, path, number)
                if line.strip():
                    yield number, _parse(line, path, number)
        except OSError as exc:
            raise DatasetError(f"{path}: cannot read ({exc.strerror})") from exc


def objects_in(data: bytes, where: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``read_objects`` of a file's bytes held in memory; errors name ``where``."""
    for number, raw in enumerate(data.splitlines(), start=1):
        line = _decode(raw, where, number)
        if line.strip():
            yield number, _parse(line, where, number)


def _decode(raw: bytes, path: Path | str, number: int) -> str:
    try:
        return raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}:{number}: not UTF-8 text (byte {exc.start})") from exc


def _parse(line: str, path: Path | str, number: int) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
    if not isinstance(row, dict):
        raise DatasetError(f"{path}:{number}: expected a JSON object")
    return row
