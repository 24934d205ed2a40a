"""atomic_write: a file written whole or not at all, with no temporary file left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from truthgraph.data.files import atomic_write


def test_text_bytes_and_a_writer_each_replace_the_file(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    assert atomic_write(path, "é\n") == path
    assert path.read_bytes() == "é\n".encode()
    atomic_write(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    atomic_write(path, lambda temporary: temporary.write_text("by a writer"))
    assert path.read_text() == "by a writer"
    assert os.listdir(tmp_path) == ["out.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text("old")

    def fails(temporary: Path) -> None:
        temporary.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(path, fails)
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_the_file_gets_the_permissions_of_a_new_file(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        path = atomic_write(tmp_path / "report.html", "<p>")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_relative_path_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    atomic_write(Path("here.txt"), "x")
    assert (tmp_path / "here.txt").read_text() == "x"
