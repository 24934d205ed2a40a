"""``--ray`` end to end on a local Ray: the same documents, vectors and verdicts as one
process, every document exactly once when a worker is killed mid-run, and the errors a run
gives before it starts."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import psycopg
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from tests.conftest import DEMO_DIR
from truthgraph.cli.main import app
from truthgraph.cli.ray_flags import with_ray_default
from truthgraph.db.store import PgvectorEvidenceStore
from truthgraph.distributed.ray_setup import RayOptions, import_ray
from truthgraph.errors import ConfigError, InvalidInputError
from truthgraph.ingest.pipeline import ingest, load_documents
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel
from truthgraph.settings import Settings
from truthgraph.wiring import build_embedder, build_verifier

pytestmark = [pytest.mark.integration, pytest.mark.models]

SINGLE = "scale-single"
RAY = "scale-ray"


def evidence_rows(url: str, collection: str) -> list[tuple[Any, ...]]:
    """(content hash, position, text, start, end) of every sentence, and its vector."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT d.content_hash, e.position, e.text, e.start_char, e.end_char, "
            "e.embedding::text FROM evidence e JOIN documents d ON d.id = e.document_id "
            "JOIN collections c ON c.id = e.collection_id WHERE c.name = %s "
            "ORDER BY 1, 2",
            (collection,),
        ).fetchall()


def document_counts(url: str, collection: str) -> list[int]:
    """How many times each content hash is stored in ``collection``."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT count(*) FROM documents d JOIN collections c ON c.id = d.collection_id "
            "WHERE c.name = %s GROUP BY d.content_hash",
            (collection,),
        ).fetchall()
    return [int(r[0]) for r in rows]


@contextmanager
def kill_a_writer_mid_run(url: str, collection: str) -> Iterator[list[int]]:
    """Once a Ray writer process (a ``WriteStage`` actor) runs and not all documents are
    stored, SIGKILL it; yields the stored-document count at the kill (empty: no kill). On a
    quiet machine all 40 documents can land between two polls, so the first writer seen is
    killed, whether or not its first batch has committed yet."""
    killed_at: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.05):
            stored = sum(document_counts(url, collection))
            if stored >= 40:
                return
            for process in psutil.process_iter(["cmdline"]):
                if "MapBatches(WriteStage)" in " ".join(process.info["cmdline"] or []):
                    process.send_signal(signal.SIGKILL)
                    killed_at.append(stored)
                    return

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield killed_at
    finally:
        stop.set()
        thread.join(10)


def test_ray_ingest_stores_what_one_process_stores_even_when_a_writer_is_killed(
    ray_cluster: Any, external_env: dict[str, str], external_database_url: str, settings: Settings
) -> None:
    # float32 ONNX on both sides: int8's dynamic quantization scales activations per batch,
    # so its vectors depend on which sentences share a batch (docs/scale.md)
    fp32 = settings.model_copy(
        update={"model": settings.model.model_copy(update={"backend": "onnx"})}
    )
    url = external_database_url
    store = PgvectorEvidenceStore(url)
    try:
        embedder = build_embedder(fp32)
        target = store.ensure_collection(
            SINGLE, embedder.name, embedder.dimension, settings.retrieval
        )
        _, documents = load_documents([DEMO_DIR / "corpus.jsonl"])
        ingest(documents, target, store, embedder)
    finally:
        store.close()

    with kill_a_writer_mid_run(url, RAY) as killed_at:
        result = CliRunner().invoke(
            app,
            ["ingest", str(DEMO_DIR / "corpus.jsonl"), "-c", RAY, "--ray", "--ray-workers", "2"],
            env={**external_env, "TRUTHGRAPH_MODEL__BACKEND": "onnx"},
        )
    assert result.exit_code == 0, result.output
    assert "40 documents added" in result.stdout
    assert killed_at, "no writer was killed while the run was under way"
    assert document_counts(url, RAY) == [1] * 40
    single, on_ray = evidence_rows(url, SINGLE), evidence_rows(url, RAY)
    assert [r[:5] for r in on_ray] == [r[:5] for r in single]
    vectors = [np.array(json.loads(r[5]), dtype=np.float32) for r in single]
    ray_vectors = [np.array(json.loads(r[5]), dtype=np.float32) for r in on_ray]
    np.testing.assert_allclose(np.stack(ray_vectors), np.stack(vectors), atol=1e-5)


def test_ray_verify_gives_the_verdicts_of_one_process_and_stores_them(
    ray_cluster: Any,
    external_env: dict[str, str],
    external_database_url: str,
    settings: Settings,
    embedder_session: LoadedEmbedder,
    nli_session: LoadedNLIModel,
    tmp_path: Path,
) -> None:
    claims = tmp_path / "claims.jsonl"
    claims.write_text((DEMO_DIR / "claims.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    if not document_counts(external_database_url, RAY):  # run alone: ingest on one process
        ingested = CliRunner().invoke(
            app, ["ingest", str(DEMO_DIR / "corpus.jsonl"), "-c", RAY], env=external_env
        )
        assert ingested.exit_code == 0, ingested.output

    result = CliRunner().invoke(
        app, ["verify", "--file", str(claims), "-c", RAY, "--json", "--ray"], env=external_env
    )
    assert result.exit_code == 0, result.output
    on_ray = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]

    store = PgvectorEvidenceStore(external_database_url)
    try:
        external = settings.model_copy(update={"database_url": SecretStr(external_database_url)})
        verifier = build_verifier(external, store, embedder_session, nli_session, caches=False)
        texts = [json.loads(line)["claim"] for line in claims.read_text().splitlines()]
        single = verifier.verify_many(texts, RAY, verifier.options_with(persist=False))
        stored = [store.get_verdict(int(v["claim_id"])) for v in on_ray]
    finally:
        store.close()
    assert len(on_ray) == len(single) == 8
    for ray_verdict, verdict, saved in zip(on_ray, single, stored, strict=True):
        assert ray_verdict["verdict"] == verdict.label.value == saved.label.value
        assert ray_verdict["confidence"] == pytest.approx(verdict.confidence, abs=1e-4)  # printed
        assert saved.confidence == pytest.approx(verdict.confidence, abs=1e-5)  # as computed
        cited = [e["evidence_id"] for e in ray_verdict["evidence"]]
        assert cited == [e.hit.evidence_id for e in verdict.evidence]


def test_ray_check_of_two_texts_gives_the_reports_of_one_process(
    ray_cluster: Any, external_env: dict[str, str], external_database_url: str, tmp_path: Path
) -> None:
    texts = [
        "Luc Besson produced Colombiana. Is it any good? Colombiana is a 2011 French film.",
        "Soul Food is a 1997 American comedy-drama film. It was released by Fox 2000 Pictures.",
    ]
    sources = []
    for index, text in enumerate(texts):
        path = tmp_path / f"text{index}.txt"
        path.write_text(text, encoding="utf-8")
        sources.append(str(path))
    if not document_counts(external_database_url, RAY):  # run alone: ingest on one process
        ingested = CliRunner().invoke(
            app, ["ingest", str(DEMO_DIR / "corpus.jsonl"), "-c", RAY], env=external_env
        )
        assert ingested.exit_code == 0, ingested.output

    def reports(*extra: str) -> list[dict[str, Any]]:
        result = CliRunner().invoke(
            app, ["check", *sources, "-c", RAY, "--json", *extra], env=external_env
        )
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]

    on_ray, single = reports("--ray"), reports()

    assert len(on_ray) == len(single) == 2
    for ray_report, report in zip(on_ray, single, strict=True):
        assert ray_report["source"] == report["source"]
        assert ray_report["verdict"] == report["verdict"]
        assert ray_report["factuality"] == report["factuality"]
        assert [s["verdict"] for s in ray_report["sentences"]] == [
            s["verdict"] for s in report["sentences"]
        ]
        assert any(s["verdict"] is not None for s in report["sentences"])


def test_a_cluster_run_against_the_embedded_database_stops_before_it_starts(
    home: Path,
) -> None:
    result = CliRunner().invoke(
        app,
        ["ingest", str(DEMO_DIR / "corpus.jsonl"), "--ray", "auto"],
        env={"TRUTHGRAPH_HOME": str(home), "TRUTHGRAPH_DATABASE_URL": ""},
    )
    assert result.exit_code == ConfigError.exit_code
    assert "TRUTHGRAPH_DATABASE_URL" in result.output


def test_a_missing_ray_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what an install without the extra has
    with pytest.raises(ConfigError, match=r"truthgraph\[ray\]"):
        import_ray()


def test_ray_without_an_address_means_a_local_run() -> None:
    assert with_ray_default(["ingest", "docs", "--ray"]) == ["ingest", "docs", "--ray", "local"]
    assert with_ray_default(["ingest", "--ray", "docs"]) == ["ingest", "--ray", "local", "docs"]
    assert with_ray_default(["verify", "--ray", "auto"]) == ["verify", "--ray", "auto"]
    assert with_ray_default(["eval", "--ray", "ray://head:10001"])[-1] == "ray://head:10001"


def test_bad_ray_options_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        RayOptions(address="not an address")
    with pytest.raises(InvalidInputError):
        RayOptions(workers=0)
