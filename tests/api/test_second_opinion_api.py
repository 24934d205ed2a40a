"""The service with a second opinion: its own micro-batcher, loaded at start, named in the
verdict. The record names the shipped fast verifier (the accurate one is not installed in
CI), with a sharp calibration so that its verdict is the more confident one."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.service import BASE_API_SETTINGS
from truthgraph.api.batching import BatchingNLI
from truthgraph.api.runtime import Resources
from truthgraph.ml.registry import PACKAGE_MODELS_DIR, SHIPPED_VERIFIER
from truthgraph.settings import ApiSettings, Settings
from truthgraph.verify.second_opinion import SECOND_OPINION_FILE

pytestmark = [pytest.mark.integration, pytest.mark.models]


@pytest.fixture(scope="module")
def api_settings(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Settings:
    folder = tmp_path_factory.mktemp("first-verifier")
    (folder / "config.json").symlink_to(PACKAGE_MODELS_DIR / SHIPPED_VERIFIER / "config.json")
    sharp = {"temperature": 0.1, "bias": {}, "similarity_slope": 0.0, "nei_temperature": 0.0}
    record = {"model": SHIPPED_VERIFIER, "below": 1.0, "calibration": sharp}
    (folder / SECOND_OPINION_FILE).write_text(json.dumps(record))
    return settings.model_copy(
        update={
            "api": ApiSettings(**BASE_API_SETTINGS),
            "model": settings.model.model_copy(update={"nli_model": str(folder)}),
        }
    )


def test_a_verdict_names_the_second_opinion_that_gave_it(
    client: TestClient, demo_collection: str
) -> None:
    response = client.post(
        "/api/v1/verify",
        json={"claim": "Luc Besson produced Colombiana.", "collection": demo_collection},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verdict"] == "SUPPORTED"
    assert body["second_opinion"] == {"verifier": SHIPPED_VERIFIER, "adopted": True}
    assert body["confidence"] > 0.99
    assert body["timings_ms"]["second_opinion"] > 0


def test_the_second_model_loaded_at_start_behind_its_own_batcher(resources: Resources) -> None:
    second = resources.verifier.second
    assert second is not None and second.loaded
    assert isinstance(second.judge().nli, BatchingNLI)
    assert second.judge().nli is not resources.nli
