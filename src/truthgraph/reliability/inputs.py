"""Hostile input: what a careless or malicious client sends, and what it must get back.

Every case must be answered with a 4xx in the documented error shape, and write nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

NUL = "\x00"


@dataclass(frozen=True, slots=True)
class HostileCase:
    name: str
    method: str
    path: str
    request: dict[str, Any]  # httpx keyword arguments: json, content, params, headers, files
    expected: int


def hostile_cases(collection: str) -> list[HostileCase]:
    """The cases, aimed at ``collection`` (which exists) and at new collections (which must
    not be created by a failing request)."""
    doc = {"collection": "nul-doc-" + collection, "text": "Lisbon is in Portugal."}
    nested = "[" * 100_000 + "]" * 100_000
    return [
        HostileCase(
            "NUL in a claim",
            "POST",
            "/api/v1/verify",
            {"json": {"claim": f"Lisbon{NUL} is in Portugal.", "collection": collection}},
            422,
        ),
        HostileCase(
            "NUL in a collection name",
            "POST",
            "/api/v1/verify",
            {"json": {"claim": "Lisbon is in Portugal.", "collection": f"c{NUL}"}},
            422,
        ),
        HostileCase(
            "control character in a claim",
            "POST",
            "/api/v1/verify",
            {"json": {"claim": "Lisbon\x07 is in Portugal.", "collection": collection}},
            422,
        ),
        HostileCase(
            "NUL in a batch claim",
            "POST",
            "/api/v1/verify/batch",
            {"json": {"claims": ["ok", f"bad{NUL}"], "collection": collection}},
            422,
        ),
        HostileCase(
            "NUL in a history query",
            "GET",
            "/api/v1/claims",
            {"params": {"query": f"Lis{NUL}bon"}},
            422,
        ),
        HostileCase(
            "NUL in a history collection",
            "GET",
            "/api/v1/claims",
            {"params": {"collection": f"c{NUL}"}},
            422,
        ),
        HostileCase(
            "NUL in a search query",
            "POST",
            "/api/v1/search",
            {"json": {"query": f"Lis{NUL}bon", "collection": collection}},
            422,
        ),
        HostileCase(
            "NUL in a document's text",
            "POST",
            "/api/v1/documents",
            {"json": {**doc, "text": f"Lisbon{NUL} is in Portugal."}},
            422,
        ),
        HostileCase(
            "NUL in a document's metadata",
            "POST",
            "/api/v1/documents",
            {"json": {**doc, "metadata": {"note": f"a{NUL}b"}}},
            422,
        ),
        HostileCase(
            "NUL in a metadata key",
            "POST",
            "/api/v1/documents",
            {"json": {**doc, "metadata": {f"k{NUL}": "v"}}},
            422,
        ),
        HostileCase(
            "NUL in a JSONL upload",
            "POST",
            "/api/v1/documents",
            {
                "files": {"file": ("bad.jsonl", b'{"text": "Lisbon\\u0000 is here."}\n')},
                "data": {"collection": doc["collection"]},
            },
            422,
        ),
        HostileCase(
            "NUL in an embed text", "POST", "/api/v1/embed", {"json": {"texts": [f"a{NUL}b"]}}, 422
        ),
        HostileCase(
            "a body that is not UTF-8",
            "POST",
            "/api/v1/verify",
            {
                "content": b'{"claim": "\xff\xfe", "collection": "x"}',
                "headers": {"Content-Type": "application/json"},
            },
            422,
        ),
        HostileCase(
            "a body that is not JSON",
            "POST",
            "/api/v1/verify",
            {"content": b'{"claim": ', "headers": {"Content-Type": "application/json"}},
            422,
        ),
        HostileCase(
            "JSON nested 100,000 deep",
            "POST",
            "/api/v1/verify",
            {"content": nested.encode(), "headers": {"Content-Type": "application/json"}},
            422,
        ),
        HostileCase(
            "a 5,000-digit integer",
            "POST",
            "/api/v1/verify",
            {
                "content": b'{"claim": "x", "top_k": ' + b"9" * 5000 + b"}",
                "headers": {"Content-Type": "application/json"},
            },
            422,
        ),
        HostileCase(
            "multipart without a boundary",
            "POST",
            "/api/v1/documents",
            {"content": b"--x\r\n", "headers": {"Content-Type": "multipart/form-data"}},
            422,
        ),
        HostileCase(
            "an empty document", "POST", "/api/v1/documents", {"json": {**doc, "text": "   "}}, 422
        ),
        HostileCase(
            "an unknown field",
            "POST",
            "/api/v1/verify",
            {"json": {"claim": "x", "collection": collection, "topk": 3}},
            422,
        ),
        HostileCase("a negative document id", "GET", "/api/v1/documents/-1", {}, 422),
        HostileCase("a document id past bigint", "GET", "/api/v1/documents/" + "9" * 30, {}, 422),
        HostileCase("a job id that is not a UUID", "GET", "/api/v1/jobs/not-a-uuid", {}, 422),
    ]


@dataclass(frozen=True, slots=True)
class HostileResult:
    case: HostileCase
    status: int
    shaped: bool  # the body is {"error": {"code", "message"}}

    @property
    def ok(self) -> bool:
        return self.status == self.case.expected and self.shaped


class Answer(Protocol):
    """What ``probe`` reads of a response (httpx's, or a test client's)."""

    @property
    def status_code(self) -> int: ...

    def json(self) -> Any: ...


def probe(send: Callable[..., Answer], collection: str) -> list[HostileResult]:
    """Send every hostile case with ``send`` (an HTTP client's ``request`` method)."""
    results = []
    for case in hostile_cases(collection):
        response = send(case.method, case.path, **case.request)
        try:
            error = response.json().get("error", {})
            shaped = isinstance(error.get("code"), str) and isinstance(error.get("message"), str)
        except (ValueError, AttributeError):
            shaped = False
        results.append(HostileResult(case, response.status_code, shaped))
    return results
