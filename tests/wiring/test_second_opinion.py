"""The second opinion as the composition root assembles it: real models, real PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from truthgraph.db.store import PgvectorEvidenceStore
from truthgraph.domain import Label, RawDocument, SecondOpinionNote
from truthgraph.ingest.pipeline import ingest
from truthgraph.ml.registry import PACKAGE_MODELS_DIR, SHIPPED_VERIFIER
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel
from truthgraph.settings import Settings
from truthgraph.verify.second_opinion import SECOND_OPINION_FILE, SECOND_OPINION_TIMING
from truthgraph.wiring import build_grounding_verifier, build_verifier, second_opinion

pytestmark = [pytest.mark.integration, pytest.mark.models]

# a sharp temperature: the second verifier is the more confident, so its verdict is given
CALIBRATION = {"temperature": 0.1, "bias": {}, "similarity_slope": 0.0, "nei_temperature": 0.0}


def _verifier_folder(tmp_path: Path, second: str, below: float) -> Path:
    """A verifier folder (the shipped fast verifier's config) whose record names ``second``."""
    folder = tmp_path / "first-verifier"
    folder.mkdir()
    (folder / "config.json").symlink_to(PACKAGE_MODELS_DIR / SHIPPED_VERIFIER / "config.json")
    record = {"model": second, "below": below, "calibration": CALIBRATION}
    (folder / SECOND_OPINION_FILE).write_text(json.dumps(record))
    return folder


def _with(settings: Settings, folder: Path, **verification: object) -> Settings:
    return settings.model_copy(
        update={
            "model": settings.model.model_copy(update={"nli_model": str(folder)}),
            "verification": settings.verification.model_copy(update=verification),
        }
    )


def test_the_second_opinion_is_a_recipe_that_never_calls_back_into_wiring(
    settings: Settings, tmp_path: Path
) -> None:
    """The judge is built on first use from parts handed over whole (issue 30): the recipe is
    verify's, its model loader is ml's, and nothing it calls is defined in ``wiring``."""
    import functools

    from truthgraph.ml.loading import build_nli
    from truthgraph.verify.judge import JudgeRecipe

    second = second_opinion(_with(settings, _verifier_folder(tmp_path, SHIPPED_VERIFIER, 0.7)))
    assert second is not None
    recipe = second._build
    assert isinstance(recipe, JudgeRecipe)
    assert isinstance(recipe.load, functools.partial) and recipe.load.func is build_nli
    for part in (recipe.load.func, recipe.wrap, type(recipe).__call__):
        assert not part.__module__.startswith("truthgraph.wiring"), part


def test_auto_finds_the_named_verifier_and_loads_it_on_first_use(
    settings: Settings, tmp_path: Path
) -> None:
    configured = _with(settings, _verifier_folder(tmp_path, SHIPPED_VERIFIER, 0.7))
    second = second_opinion(configured)
    assert second is not None
    assert (second.name, second.below, second.loaded) == (SHIPPED_VERIFIER, 0.7, False)
    [scores] = second.judge().nli.predict(
        [("Soul Food was released by Fox 2000 Pictures.", "Fox 2000 Pictures released Soul Food.")]
    )
    assert scores.entailment > 0.5
    assert second.loaded
    assert second_opinion(_with(configured, Path(configured.model.nli_model))) is not None
    overridden = second_opinion(
        _with(settings, Path(configured.model.nli_model), second_opinion_below=0.5)
    )
    assert overridden is not None and overridden.below == 0.5


def test_off_an_uninstalled_second_or_no_record_means_no_second_opinion(
    settings: Settings, tmp_path: Path
) -> None:
    folder = _verifier_folder(tmp_path, "all-mpnet-base-v2", 0.7)
    assert second_opinion(_with(settings, folder)) is None  # not installed in this home
    (folder / SECOND_OPINION_FILE).unlink()
    assert second_opinion(_with(settings, folder)) is None
    assert (
        second_opinion(
            settings.model_copy(
                update={
                    "verification": settings.verification.model_copy(
                        update={"second_opinion": "off"}
                    )
                }
            )
        )
        is None
    )


def test_an_unsure_verdict_is_given_and_stored_by_the_second_verifier(
    settings: Settings,
    tmp_path: Path,
    store: PgvectorEvidenceStore,
    embedder: LoadedEmbedder,
    nli: LoadedNLIModel,
    collection_name: str,
) -> None:
    configured = _with(settings, _verifier_folder(tmp_path, SHIPPED_VERIFIER, 1.0))
    target = store.ensure_collection(
        collection_name, embedder.name, embedder.dimension, settings.retrieval
    )
    text = "Soul Food is a 1997 film. It was released by Fox 2000 Pictures."
    ingest([RawDocument(text, "Soul Food")], target, store, embedder)
    nli.name = "the-first-verifier"  # a copy of the session's model
    verifier = build_verifier(configured, store, embedder, nli)
    verdict = verifier.verify("Fox 2000 Pictures released the film Soul Food.", collection_name)
    assert verdict.label is Label.SUPPORTED
    assert SECOND_OPINION_TIMING in verdict.timings_ms
    assert verdict.second_opinion == SecondOpinionNote(SHIPPED_VERIFIER, adopted=True)
    assert verdict.confidence > 0.99
    with psycopg.connect(store.url) as conn:
        row = conn.execute(
            "SELECT nli_model, timings_ms FROM verdicts WHERE id = %s", (verdict.verdict_id,)
        ).fetchone()
    assert row is not None
    assert row[0] == SHIPPED_VERIFIER  # the verifier that gave the verdict, cited as such
    assert SECOND_OPINION_TIMING in row[1]


def test_the_shipped_record_gives_claims_a_second_opinion_but_not_checks_against_given_texts(
    settings: Settings, embedder: LoadedEmbedder, nli: LoadedNLIModel
) -> None:
    """Decision 0033: the fast verifier ships its second opinion and the accurate verifier's
    export, so a default install reads unsure claims again; checks against given documents
    leave it out unless asked (it lowered WiCE and grounding dev there)."""
    second = second_opinion(settings)
    assert second is not None and second.name == "truthgraph-verifier-mpnet"
    assert build_grounding_verifier(settings, embedder=embedder, nli=nli).second is None
    asked = settings.model_copy(
        update={"grounding": settings.grounding.model_copy(update={"second_opinion": True})}
    )
    assert build_grounding_verifier(asked, embedder=embedder, nli=nli).second is not None
