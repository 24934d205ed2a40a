from pathlib import Path

import pytest
from pydantic import ValidationError

from truthgraph.domain import Strategy
from truthgraph.settings import Settings


def test_settings_read_prefixed_and_nested_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUTHGRAPH_HOME", "/tmp/tg-home")
    monkeypatch.setenv("TRUTHGRAPH_DATABASE_URL", "postgres://u@h/db")
    monkeypatch.setenv("TRUTHGRAPH_RETRIEVAL__TOP_K", "7")
    monkeypatch.setenv("TRUTHGRAPH_VERIFICATION__STRATEGY", "majority_vote")
    settings = Settings()
    assert settings.home == Path("/tmp/tg-home")
    assert settings.database_url is not None
    assert settings.database_url.get_secret_value() == "postgresql://u@h/db"
    assert settings.retrieval.top_k == 7
    assert settings.verification.strategy is Strategy.MAJORITY_VOTE
    assert settings.pgdata_dir == Path("/tmp/tg-home/pgdata")


def test_blank_database_url_means_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUTHGRAPH_DATABASE_URL", " ")
    assert Settings().database_url is None


def test_out_of_range_settings_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUTHGRAPH_RETRIEVAL__TOP_K", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_embedded_shared_buffers_takes_a_postgres_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUTHGRAPH_EMBEDDED_SHARED_BUFFERS", "4GB")
    assert Settings().embedded_shared_buffers == "4GB"
    monkeypatch.setenv("TRUTHGRAPH_EMBEDDED_SHARED_BUFFERS", "4 gigs; DROP TABLE")
    with pytest.raises(ValidationError):
        Settings()
