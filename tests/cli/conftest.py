"""What the CLI tests share: a runner, and an environment on the session's home and database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def env(home: Path, database_url: str) -> dict[str, str]:
    return {"TRUTHGRAPH_HOME": str(home), "TRUTHGRAPH_DATABASE_URL": ""}
