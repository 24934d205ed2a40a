"""The one check on text that comes from outside: claims, documents, names, queries, metadata.

PostgreSQL cannot store U+0000 in ``text`` or ``jsonb``, and the other C0 control characters
are never meaningful in prose. So every text that enters TruthGraph (through the CLI, the HTTP
API or the library) is checked here, before any model runs or anything is written:

- U+0000 and the C0 control characters other than tab, line feed, vertical tab, form feed
  and carriage return are rejected with ``InvalidInputError`` (exit 3, HTTP 422), naming
  what held them and where;
- nothing is stripped silently: a user whose text carries such characters learns it.

Standard library only; used by ``domain`` (documents), ``verify`` (claims), ``db`` (collection
names, queries) and the API's request models.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from truthgraph.errors import InvalidInputError

# C0 controls except \t \n \v \f \r
_FORBIDDEN = re.compile(r"[\x00-\x08\x0e-\x1f]")
MAX_COLLECTION_CHARS = 200


def forbidden_character(text: str) -> tuple[int, str] | None:
    """The first forbidden character in ``text`` and its offset, or None."""
    match = _FORBIDDEN.search(text)
    if match is None:
        return None
    return match.start(), match.group()


def check_characters(text: str, what: str) -> str:
    """``text`` unchanged; InvalidInputError if it holds U+0000 or another control character."""
    found = forbidden_character(text)
    if found is not None:
        offset, char = found
        raise InvalidInputError(
            f"{what} holds the control character U+{ord(char):04X} at offset {offset}; "
            "remove it (NUL and other control characters cannot be stored)"
        )
    return text


def blank_controls(text: str) -> str:
    """``text`` with each forbidden character replaced by a space (offsets unchanged).

    The documented rule for text TruthGraph extracts itself (web pages, PDFs), where such a
    character is an artefact of the format, not something the user wrote.
    """
    return _FORBIDDEN.sub(" ", text)


def check_json(value: Any, what: str) -> Any:
    """``value`` unchanged; every string in it (keys included) passes ``check_characters``."""
    if isinstance(value, str):
        check_characters(value, what)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_characters(str(key), f"{what} (a key)")
            check_json(item, f"{what}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_json(item, f"{what}[{index}]")
    return value


def check_collection_name(name: str) -> str:
    """``name`` unchanged: 1 to 200 characters, not blank, no control characters."""
    if not isinstance(name, str):
        raise InvalidInputError("a collection name must be text")
    if not name.strip() or len(name) > MAX_COLLECTION_CHARS:
        raise InvalidInputError(f"a collection name must be 1 to {MAX_COLLECTION_CHARS} characters")
    return check_characters(name, "the collection name")
