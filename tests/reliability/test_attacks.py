"""Issue 33's attacks as `truthgraph reliability` runs them: the SSRF names (in process,
through an injected resolver), and the upload flood and the long paragraph against a real
server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from truthgraph.reliability import attacks
from truthgraph.reliability.processes import ingest_demo, scenario_home, serving
from truthgraph.reliability.suite import ReliabilityRun, render


def test_every_ssrf_name_is_refused_and_the_loopback_target_receives_nothing() -> None:
    result = attacks.ssrf()
    assert result.passed, result.details
    assert len(result.details) == len(attacks.SSRF_CASES) + 1  # each case and the control
    assert all("target saw 0 requests" in result.details[c] for c in attacks.SSRF_CASES)
    assert result.details["control (private allowed)"] == "fetched"
    report = render(ReliabilityRun(attacks=[result]), "test")
    assert "## Attacks" in report and "| SSRF |" in report


@pytest.mark.integration
@pytest.mark.models
@pytest.mark.slow
def test_an_upload_flood_and_a_long_paragraph_leave_other_keys_served(
    tmp_path: Path, source_home: Path
) -> None:
    home = scenario_home(tmp_path / "home", source_home)
    ingest_demo(home, "demo")
    with serving(home, tmp_path / "server.log", **attacks.SERVER_ENV) as server:
        flood = attacks.upload_flood(server, "demo", uploads=40, trickle_s=3.0, verifies=3)
        paragraph = attacks.long_paragraph(server, "demo")
    assert flood.passed, flood.details
    assert int(flood.details["uploads refused with Retry-After"]) >= 40 - 16  # the pool's queue
    assert paragraph.passed, paragraph.details
