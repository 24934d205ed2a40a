"""Command help that wraps to the terminal: docstrings are hard-wrapped at the source's line
length, and typer keeps the line breaks of every paragraph after the first, so a narrower or
wider terminal printed ragged lines. ``unwrap_help`` joins each paragraph's lines once, for
every command of an app, and lets rich wrap them to the terminal's width."""

from __future__ import annotations

import inspect
import re

import typer

_ITEM = re.compile(r"^(?:[-*] |\d+[.)] )")  # a list item starts a line of its own
_LITERAL = re.compile(r"``([^`]+)``")  # reST's inline literal: shown without the backticks


def unwrap(text: str) -> str:
    """``text`` with the line breaks inside each paragraph (blank-line separated) replaced by
    spaces; list items (``- ``, ``* ``, ``1. ``) keep their own lines, and a paragraph that
    starts with ``\\b`` (click's "do not rewrap" mark) and anything after ``\\f`` stay as
    they are. Inline literals lose their double backticks."""
    shown, bar, hidden = text.partition("\f")
    paragraphs = []
    for paragraph in shown.split("\n\n"):
        if paragraph.lstrip("\n").startswith("\b"):
            paragraphs.append(paragraph)
            continue
        lines: list[str] = []
        for line in paragraph.split("\n"):
            if lines and line.strip() and not _ITEM.match(line.strip()):
                lines[-1] = f"{lines[-1]} {line.strip()}"
            else:
                lines.append(line.strip())
        paragraphs.append("\n".join(lines))
    return _LITERAL.sub(r"\1", "\n\n".join(paragraphs)) + bar + hidden


def unwrap_help(app: typer.Typer) -> None:
    """Every command's help in ``app`` and its groups unwrapped (``unwrap``), in place: a
    command's ``help=`` or, when it has none, its function's docstring."""
    for command in app.registered_commands:
        text = command.help or inspect.getdoc(command.callback)
        if text:
            command.help = unwrap(text)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            unwrap_help(group.typer_instance)
