"""The HTTP service fixtures (see tests/service.py)."""

from tests.service import (
    api_settings,
    app,
    client,
    demo_collection,
    logs_to_stderr,
    resources,
    service_parts,
    verifier,
)

__all__ = [
    "api_settings",
    "app",
    "client",
    "demo_collection",
    "logs_to_stderr",
    "resources",
    "service_parts",
    "verifier",
]
