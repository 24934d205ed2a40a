"""uvicorn's options for ``truthgraph serve``: proxies and shutdown from the settings."""

from __future__ import annotations

import pytest

from truthgraph.cli.serve import uvicorn_options
from truthgraph.settings import ApiSettings, Settings


def test_no_proxy_is_trusted_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUTHGRAPH_API_FORWARDED_ALLOW_IPS", raising=False)
    options = uvicorn_options(Settings(api=ApiSettings()))
    assert options["proxy_headers"] is False
    assert options["forwarded_allow_ips"] == []


def test_configured_proxies_and_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUTHGRAPH_API_FORWARDED_ALLOW_IPS", "127.0.0.1, 10.0.0.0/8")
    monkeypatch.setenv("TRUTHGRAPH_API_SHUTDOWN_GRACE_S", "2.5")
    options = uvicorn_options(Settings(api=ApiSettings()))
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == ["127.0.0.1", "10.0.0.0/8"]
    assert options["timeout_graceful_shutdown"] == 2.5
