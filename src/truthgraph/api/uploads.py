"""A file uploaded in a multipart form: its safe name and its bytes, checked once for every
route that takes one (documents, check); and the upload pool, where uploads are parsed and
URLs fetched.

The upload pool is bounded twice (issue 33): ``UPLOAD_CONCURRENCY`` threads of its own (an
``anyio.CapacityLimiter`` on ``app.state.upload_limiter``, so the default thread pool that API
key checks and the other routes use is never taken by an upload), and ``UPLOAD_QUEUE_DEPTH``
uploads and fetches in flight (an ``AdmissionGate`` on ``app.state.upload_gate``: a multipart
upload is admitted at the door, before its body is read, a URL fetch before it starts; one
more gets 503 with ``Retry-After``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import anyio
from starlette.datastructures import UploadFile
from starlette.requests import Request

from truthgraph.api.admission import AdmissionGate
from truthgraph.api.error_responses import PayloadTooLarge, UnsupportedMediaType
from truthgraph.errors import InvalidInputError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
T = TypeVar("T")


def upload_gate(request: Request) -> AdmissionGate:
    """The gate of uploads and URL fetches (``with upload_gate(request).admit(): ...``)."""
    gate: AdmissionGate = request.app.state.upload_gate
    return gate


async def in_upload_pool(request: Request, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` on a thread of the upload pool, not of the default pool."""
    limiter: anyio.CapacityLimiter = request.app.state.upload_limiter
    return await anyio.to_thread.run_sync(partial(function, *args), limiter=limiter)


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
