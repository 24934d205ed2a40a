"""A file uploaded in a multipart form: its safe name and its bytes, checked once for every
route that takes one (documents, check)."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from starlette.datastructures import UploadFile

from truthgraph.api.errors import PayloadTooLarge, UnsupportedMediaType
from truthgraph.errors import InvalidInputError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str | None) -> str:
    """The upload's base name with anything but letters, digits, ``._-`` replaced."""
    base = Path(name or "upload").name
    cleaned = _UNSAFE.sub("_", base).strip("._") or "upload"
    stem, dot, suffix = cleaned.rpartition(".")
    if dot:
        return f"{stem[:100]}.{suffix[:10]}"
    return cleaned[:100]


async def read_upload(field: object, suffixes: Collection[str], limit: int) -> tuple[str, bytes]:
    """The safe name and the bytes of the form's ``file`` field: InvalidInputError when it is
    not a file, 415 for a type outside ``suffixes``, 413 past ``limit`` bytes."""
    if not isinstance(field, UploadFile):
        raise InvalidInputError("the upload needs a file field named 'file'")
    filename = safe_filename(field.filename)
    suffix = Path(filename).suffix.lower()
    if suffix not in suffixes:
        raise UnsupportedMediaType(
            f"unsupported file type {suffix or '(none)'}; use one of " + ", ".join(sorted(suffixes))
        )
    data = await field.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the file is larger than {limit} bytes")
    return filename, data
