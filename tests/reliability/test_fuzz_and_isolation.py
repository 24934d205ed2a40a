"""The HTTP API fuzzed from its OpenAPI schema, and the isolation matrix of API keys, each
against a real server on loopback with a home of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from truthgraph.reliability.fuzz import fuzz_api
from truthgraph.reliability.isolation import isolation_matrix
from truthgraph.reliability.processes import ingest_demo, scenario_home, serving

pytestmark = [pytest.mark.integration, pytest.mark.models, pytest.mark.slow]


def test_fuzzing_the_api_finds_no_5xx_and_no_misshapen_error(
    tmp_path: Path, source_home: Path
) -> None:
    home = scenario_home(tmp_path / "home", source_home)
    ingest_demo(home, "default")
    with serving(home, tmp_path / "server.log") as server:
        report = fuzz_api(server.url, max_examples=12, seconds=240)
    assert report.operations >= 15 and report.requests >= 100, report.as_dict()
    assert report.server_errors == []
    assert report.bad_shapes == []


def test_no_key_reads_lists_or_changes_a_collection_it_was_not_given(
    tmp_path: Path, source_home: Path
) -> None:
    home = scenario_home(tmp_path / "home", source_home)
    with serving(home, tmp_path / "server.log") as server:
        cells = isolation_matrix(server.url, home)
    assert [c for c in cells if c.leak] == []
    assert [c for c in cells if c.wrongly_refused] == []
    keys = {c.key for c in cells}
    assert {"no key", "revoked", "alpha-reader", "alpha-writer", "beta-writer"} <= keys
    # key 2 cannot delete key 1's document (the defect found before)
    [cell] = [
        c
        for c in cells
        if (c.key, c.collection, c.operation) == ("beta-writer", "alpha", "delete document")
    ]
    assert cell.status == 404
