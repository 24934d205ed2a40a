"""The verifier's calibration and the second opinion: which verifier reads again the claims
the first is unsure of, and the recipe its judge is built from on first use. The models
themselves are built by ``ml.loading``."""

from __future__ import annotations

import functools
from collections.abc import Callable

from truthgraph.ml.loading import build_nli
from truthgraph.ml.registry import is_installed, resolve_model
from truthgraph.ports import LoadedNLIModel, NLICache, NLIModel
from truthgraph.settings import Settings
from truthgraph.verify.calibration import Calibration, read_calibration
from truthgraph.verify.judge import JudgeRecipe, SecondOpinion, same_model
from truthgraph.verify.second_opinion import read_second_opinion


def nli_calibration(settings: Settings) -> Calibration:
    """The verifier folder's calibration.json, unless turned off (or a hub model has none)."""
    if not settings.verification.calibration:
        return Calibration()
    model = resolve_model(settings.model.nli_model, settings.models_dir)
    return read_calibration(model.path) if model.path is not None else Calibration()


def second_opinion(
    settings: Settings,
    store: NLICache | None = None,
    wrap: Callable[[LoadedNLIModel], NLIModel] = same_model,
) -> SecondOpinion | None:
    """The second verifier named in the configured verifier's ``second-opinion.json``, where
    ``settings.verification.second_opinion`` is ``auto`` and that verifier is installed (None
    otherwise). Its model loads on the first claim it reads (``ml.loading.build_nli``, with the
    second verifier's settings), wrapped by ``wrap`` (the service's micro-batcher); ``store``:
    its NLI cache. Nothing in a verdict's path calls back into ``wiring``."""
    verification = settings.verification
    if verification.second_opinion == "off":
        return None
    model = resolve_model(settings.model.nli_model, settings.models_dir)
    record = read_second_opinion(model.path) if model.path is not None else None
    if record is None or not is_installed(record.model, settings.models_dir):
        return None
    second_settings = settings.model_copy(
        update={"model": settings.model.model_copy(update={"nli_model": record.model})}
    )
    calibration = record.calibration if verification.calibration else Calibration()

    recipe = JudgeRecipe(functools.partial(build_nli, second_settings), calibration, store, wrap)
    return SecondOpinion(record.model, verification.second_opinion_below or record.below, recipe)
