"""Command help wraps to the terminal: no line of a command's description ends where the next
line's first word would still have fitted (a line break kept from the docstring's source)."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main
import typer.rich_utils
from typer.testing import CliRunner

from truthgraph.cli.help_text import unwrap
from truthgraph.cli.main import app


def _commands() -> list[list[str]]:
    """Every command whose --help typer prints (the bench tools hand theirs to argparse)."""
    root: Any = typer.main.get_command(app)
    found = []
    for name, command in root.commands.items():
        group = command.commands if hasattr(command, "commands") else {"": command}
        for sub, each in group.items():
            if each.add_help_option:
                found.append([name, sub] if sub else [name])
    return found


COMMANDS = _commands()


def _description(output: str) -> list[str]:
    """The help's prose: the lines after the usage line and before the first panel."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if "Usage:" in line) + 1
    end = next(i for i, line in enumerate(lines) if line.lstrip().startswith("╭"))
    return [line.rstrip() for line in lines[start:end]]


def ragged(lines: list[str], width: int) -> list[str]:
    """Lines followed, in the same paragraph, by a line whose first word would have fitted at
    their end: a break the terminal's wrapping did not make. (The text area is the width less
    a space each side.)"""
    found = []
    for line, after in zip(lines, lines[1:], strict=False):
        if not line.strip() or not after.strip():
            continue
        if len(line) + 1 + len(after.split()[0]) <= width - 1:
            found.append(line)
    return found


def _help(args: list[str], width: int) -> str:
    """``truthgraph ARGS --help`` on a terminal ``width`` columns wide (typer reads
    TERMINAL_WIDTH once, when first imported: its MAX_WIDTH is set for the call)."""
    env = {"COLUMNS": str(width), "NO_COLOR": "1"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.rich_utils, "MAX_WIDTH", width)
        result = CliRunner().invoke(app, [*args, "--help"], env=env)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_check_help_wraps_at_the_terminal_width(width: int) -> None:
    description = _description(_help(["check"], width))
    assert sum(1 for line in description if line.strip()) >= 4  # the prose is there
    assert ragged(description, width) == []
    assert max(len(line) for line in description) <= width


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_s_help_wraps_cleanly(args: list[str]) -> None:
    assert len(COMMANDS) > 20
    assert ragged(_description(_help(args, 80)), 80) == []


def test_the_check_finds_a_break_kept_from_the_source() -> None:
    lines = [" Each sentence gets SUPPORTED, REFUTED,", " or NOT_ENOUGH_INFO."]
    assert ragged(lines, 80) == [lines[0]]
    assert ragged([" " + "word " * 15 + "end,", " another"], 80) == []


def test_unwrap_joins_paragraph_lines_and_keeps_lists_and_marked_blocks() -> None:
    text = "First line\ngoes on.\n\nA list:\n- one\n  more\n- two\n\n\bkept\nas is\n\fhidden\nx"
    assert unwrap(text) == (
        "First line goes on.\n\nA list:\n- one more\n- two\n\n\bkept\nas is\n\fhidden\nx"
    )
    assert unwrap("See ``verify --ray``.") == "See verify --ray."
