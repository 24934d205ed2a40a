"""The one mapping from errors to HTTP responses: ``{"error": {"code", "message"}}``.

    TruthGraphError                       500 internal_error
    ├── ConfigError                       500 config_error
    ├── InvalidInputError                 422 invalid_input
    │   ├── DatasetError                  422 invalid_data
    │   │   └── LimitExceededError        413 limit_exceeded
    │   │   └── DocumentError             422 invalid_document
    │   └── NothingToCheckError           422 nothing_to_check
    ├── NotFoundError                     404 not_found
    ├── QueueFullError                    429 too_many_jobs (+ Retry-After)
    ├── UnavailableError                  503 unavailable   (+ Retry-After)
    │   └── Overloaded                    503 overloaded    (+ Retry-After)
    └── ApiError (HTTP only)
        ├── Unauthorized                  401 unauthorized
        ├── Forbidden                     403 forbidden
        ├── PayloadTooLarge               413 payload_too_large
        ├── UnsupportedMediaType          415 unsupported_media_type
        └── RateLimited                   429 rate_limited  (+ Retry-After)

Request bodies that fail validation, and bodies that cannot be parsed at all (not UTF-8, not
JSON, nested too deep, multipart without a boundary), answer 422 ``invalid_input``, the
offending fields in ``details``; there is no 400. Unknown routes answer 404 ``not_found``;
anything unexpected 500 ``internal_error`` with the request id, never a traceback.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from truthgraph.errors import (
    ConfigError,
    DatasetError,
    DocumentError,
    InvalidInputError,
    LimitExceededError,
    NotFoundError,
    NothingToCheckError,
    QueueFullError,
    TruthGraphError,
    UnavailableError,
)

DEFAULT_RETRY_AFTER_S = 1


class ApiError(TruthGraphError):
    """An error that exists only at the HTTP boundary."""

    status = 422
    code = "invalid_input"

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    """The API key is valid but not for this collection."""

    status = 403
    code = "forbidden"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"


class Overloaded(UnavailableError):
    """Too many requests are queued for the models; retry after a moment."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


# most specific first
_TABLE: tuple[tuple[type[TruthGraphError], int, str], ...] = (
    (Overloaded, 503, "overloaded"),
    (UnavailableError, 503, "unavailable"),
    (NotFoundError, 404, "not_found"),
    (QueueFullError, 429, "too_many_jobs"),
    (LimitExceededError, 413, "limit_exceeded"),
    (DocumentError, 422, "invalid_document"),
    (DatasetError, 422, "invalid_data"),
    (NothingToCheckError, 422, "nothing_to_check"),
    (InvalidInputError, 422, "invalid_input"),
    (ConfigError, 500, "config_error"),
)
_HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def status_and_code(exc: TruthGraphError) -> tuple[int, str]:
    """The HTTP status and error code of a TruthGraph error."""
    if isinstance(exc, ApiError):
        return exc.status, exc.code
    for cls, status, code in _TABLE:
        if isinstance(exc, cls):
            return status, code
    return 500, "internal_error"


def error_response(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    details: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _retry_after(exc: Exception) -> dict[str, str]:
    seconds = getattr(exc, "retry_after_s", None)
    if seconds is None and isinstance(exc, UnavailableError):
        seconds = DEFAULT_RETRY_AFTER_S
    if seconds is None:
        return {}
    return {"Retry-After": str(max(1, round(seconds)))}


async def _truthgraph_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TruthGraphError)
    return response_for(exc)


def response_for(exc: TruthGraphError) -> JSONResponse:
    """The JSON error response of ``exc`` (status, code, message, Retry-After)."""
    status, code = status_and_code(exc)
    headers = _retry_after(exc)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'ApiKey header="X-API-Key"'
    message = str(exc) if status < 500 or code != "internal_error" else "internal error"
    return error_response(status, code, message, headers)


def _location(error: dict[str, Any]) -> str:
    """The offending field, dotted; the body itself when the JSON could not be decoded (its
    location then holds a byte offset, not a field)."""
    if error.get("type") == "json_invalid":
        return "body"
    loc = error.get("loc", ())
    return ".".join(str(part) for part in loc if part != "body") or "body"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"field": _location(e), "message": str(e.get("msg", "invalid"))} for e in exc.errors()
    ]
    message = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5]) or "invalid request"
    return error_response(422, "invalid_input", message, details=details)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # a body the framework could not parse (not UTF-8, nesting too deep, a multipart body
        # without a boundary): malformed input, the same 422 as every other malformed body
        return error_response(422, "invalid_input", f"malformed request body: {exc.detail}")
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(
        exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {}) or None
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; unexpected exceptions are caught by the request middleware."""
    app.add_exception_handler(TruthGraphError, _truthgraph_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
