"""Every CLI command has help text and is documented in the README."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from truthgraph.cli.main import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, Any]]:
    root: Any = typer.main.get_command(app)
    found: list[tuple[str, Any]] = []
    for name, command in root.commands.items():
        if hasattr(command, "commands"):
            found.extend((f"{name} {sub}", c) for sub, c in command.commands.items())
        else:
            found.append((name, command))
    return found


def test_every_command_has_help_text() -> None:
    for name, command in _commands():
        assert command.help and command.help.strip(), name


def test_every_command_is_in_the_readme() -> None:
    missing = [name for name, _ in _commands() if f"truthgraph {name}" not in README]
    assert missing == []
