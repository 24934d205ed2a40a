"""Property-based fuzzing of the HTTP API from its own OpenAPI schema (Schemathesis).

For every operation, Schemathesis generates requests that follow the schema and requests
that break it; each is sent to a running server on loopback. Two properties must hold for
every answer: no 5xx, and every error in the documented shape ``{"error": {"code",
"message"}}``. The run is bounded in examples per operation and in time.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from truthgraph.errors import ConfigError

FUZZ_SEED = 20261130


@dataclass
class FuzzReport:
    """What the fuzzer sent and what came back."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)  # "METHOD path -> status: body"
    bad_shapes: list[str] = field(default_factory=list)
    operations: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "operations": self.operations,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "server_errors": len(self.server_errors),
            "bad_shapes": len(self.bad_shapes),
            "seconds": round(self.seconds, 1),
        }


def _error_shape_ok(response: Any) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    error = body.get("error") if isinstance(body, dict) else None
    return (
        isinstance(error, dict)
        and isinstance(error.get("code"), str)
        and isinstance(error.get("message"), str)
    )


def fuzz_api(
    base_url: str,
    max_examples: int = 20,
    seconds: float = 120.0,
    headers: dict[str, str] | None = None,
    exclude_paths: tuple[str, ...] = (),
) -> FuzzReport:
    """Fuzz every operation of the server at ``base_url`` (loopback only)."""
    if not base_url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise ConfigError("the fuzzer only targets servers on this machine's loopback")
    try:
        import schemathesis
        from hypothesis import HealthCheck, Phase, given, seed, settings
    except ImportError as exc:  # pragma: no cover - a dev dependency
        raise ConfigError(
            "fuzzing needs schemathesis: pip install 'truthgraph[reliability]'"
        ) from exc

    schema = schemathesis.openapi.from_url(base_url.rstrip("/") + "/openapi.json")
    report = FuzzReport()
    started = time.monotonic()
    deadline = started + seconds
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema raises
        if any(operation.path.startswith(p) for p in exclude_paths):
            continue
        if time.monotonic() > deadline:
            break
        report.operations += 1
        strategy = operation.as_strategy(
            schemathesis.GenerationMode.POSITIVE
        ) | operation.as_strategy(schemathesis.GenerationMode.NEGATIVE)

        @seed(FUZZ_SEED)
        @settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            if time.monotonic() > deadline:
                return
            response = case.call(base_url=base_url, headers=headers or None, timeout=60)
            report.requests += 1
            report.statuses[response.status_code] += 1
            label = f"{case.method} {case.formatted_path} -> {response.status_code}"
            if response.status_code >= 500:
                report.server_errors.append(f"{label}: {response.text[:200]}")
            elif response.status_code >= 400 and not _error_shape_ok(response):
                report.bad_shapes.append(f"{label}: {response.text[:200]}")

        run()
    report.seconds = time.monotonic() - started
    return report
