"""Faults injected into real processes: nothing lost, nothing doubled, nothing left running.

Each scenario kills or starves a real TruthGraph process (see truthgraph.reliability.faults)
on a home of its own, on loopback only, bounded in time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from truthgraph.reliability import faults

pytestmark = [pytest.mark.integration, pytest.mark.models, pytest.mark.slow]


def test_a_server_killed_mid_batch_job_resumes_with_history_exactly_once(
    tmp_path: Path, source_home: Path
) -> None:
    result = faults.kill_server_mid_job(tmp_path, source_home, claims=24)
    assert (result.lost, result.doubled) == (0, 0), result.details
    assert result.survived, result.details


def test_two_servers_racing_for_one_job_do_each_claim_once(
    tmp_path: Path, source_home: Path
) -> None:
    result = faults.two_servers_one_job(tmp_path, source_home, claims=20)
    assert (result.lost, result.doubled) == (0, 0), result.details
    assert result.survived, result.details


def test_an_ingest_killed_after_a_batch_resumes_losslessly(
    tmp_path: Path, source_home: Path
) -> None:
    result = faults.kill_ingest_and_resume(tmp_path, source_home, documents=200)
    assert result.details["killed_after"] != 200, "the ingest finished before it was killed"
    assert (result.lost, result.doubled) == (0, 0), result.details
    assert result.survived, result.details


def test_the_server_recovers_when_its_database_is_killed(tmp_path: Path, source_home: Path) -> None:
    result = faults.kill_database_under_server(tmp_path, source_home)
    assert result.survived, result.details
    assert result.details["slowest_ready_s"] < 1.0  # type: ignore[operator]


def test_the_server_reconnects_to_an_external_database_started_again(
    tmp_path: Path, source_home: Path
) -> None:
    result = faults.external_database_restarted(tmp_path, source_home, down_s=4.0)
    assert result.survived, result.details


def test_the_embedded_server_stops_after_its_last_user_is_killed(
    tmp_path: Path, source_home: Path
) -> None:
    result = faults.embedded_server_after_kill(tmp_path, source_home)
    assert result.survived, result.details


def test_a_full_or_read_only_home_gives_one_clear_line(tmp_path: Path) -> None:
    result = faults.unwritable_home(tmp_path)
    if any(isinstance(v, str) and v.startswith("not run") for v in result.details.values()):
        pytest.skip(f"tmpfs cannot be mounted here: {result.details}")
    assert result.survived, result.details
