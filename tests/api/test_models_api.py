"""Raw model access: POST /embed, /nli, /nli/batch."""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient

pytestmark = [pytest.mark.integration, pytest.mark.models]

API_SETTINGS = {"max_texts": 4, "max_text_chars": 300}


def test_embed_returns_one_normalised_vector_per_text(client: TestClient) -> None:
    response = client.post("/api/v1/embed", json={"texts": ["Paris is in France.", "Hello"]})
    assert response.status_code == 200
    body = response.json()
    assert body["model"] == "all-MiniLM-L6-v2" and body["dimension"] == 384
    assert len(body["embeddings"]) == 2
    for vector in body["embeddings"]:
        assert len(vector) == 384
        assert math.sqrt(sum(x * x for x in vector)) == pytest.approx(1.0, abs=1e-3)


def test_nli_scores_a_pair(client: TestClient) -> None:
    response = client.post(
        "/api/v1/nli",
        json={
            "premise": "Tim Roth is an English actor and director.",
            "hypothesis": "Tim Roth is an actor.",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["label"] == "entailment"
    assert sum(body["scores"].values()) == pytest.approx(1.0, abs=1e-3)
    assert body["confidence"] == max(body["scores"].values())


def test_nli_batch_keeps_the_order_of_the_pairs(client: TestClient) -> None:
    pairs = [
        {"premise": "The cat sat on the mat.", "hypothesis": "A cat sat on a mat."},
        {"premise": "Water boils at 100 degrees.", "hypothesis": "Water never boils."},
    ]
    body = client.post("/api/v1/nli/batch", json={"pairs": pairs}).json()
    assert [r["label"] for r in body["results"]] == ["entailment", "contradiction"]
    single = client.post("/api/v1/nli", json=pairs[1]).json()
    for name, score in single["scores"].items():  # a quantised backend varies with batch-mates
        assert score == pytest.approx(body["results"][1]["scores"][name], abs=0.01)


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/v1/embed", {"texts": []}, "texts"),
        ("/api/v1/embed", {"texts": ["a"] * 5}, "at most 4"),
        ("/api/v1/embed", {"texts": ["ok", " "]}, "texts[1] is empty"),
        ("/api/v1/embed", {"texts": ["x" * 301]}, "the limit is 300"),
        ("/api/v1/embed", {"texts": "one string"}, "texts"),
        ("/api/v1/nli", {"premise": "a"}, "hypothesis"),
        ("/api/v1/nli", {"premise": "a", "hypothesis": "y" * 301}, "the limit is 300"),
        ("/api/v1/nli/batch", {"pairs": []}, "pairs"),
        ("/api/v1/nli/batch", {"pairs": [{"premise": "a", "hypothesis": "b"}] * 5}, "at most 4"),
    ],
)
def test_model_requests_are_validated(
    client: TestClient, path: str, body: dict[str, object], message: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422
    assert message in response.json()["error"]["message"]
