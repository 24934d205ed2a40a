"""Raw model access, as the design document's services offer: POST /embed, /nli, /nli/batch.

Requests share the models with verification through the micro-batchers, so they never run
inference on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter

from truthgraph.api.deps import PrincipalDep, ResourcesDep
from truthgraph.api.schemas import (
    EmbedRequest,
    EmbedResponse,
    ErrorOut,
    NLIBatchRequest,
    NLIBatchResponse,
    NLIRequest,
    NLIResponse,
    NLIResultOut,
    NLIScoresOut,
)
from truthgraph.domain import NLIScores
from truthgraph.errors import InvalidInputError
from truthgraph.ml.nli.labels import VERDICT_TO_NLI
from truthgraph.settings import ApiSettings

router = APIRouter(tags=["models"])
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (422, 429, 503)}


def _check_count(count: int, api: ApiSettings, what: str) -> None:
    if count > api.max_texts:
        raise InvalidInputError(f"{count} {what}; a request holds at most {api.max_texts}")


def _check_texts(texts: Sequence[str], api: ApiSettings, what: str) -> None:
    for index, text in enumerate(texts):
        if not text.strip():
            raise InvalidInputError(f"{what}[{index}] is empty")
        if len(text) > api.max_text_chars:
            raise InvalidInputError(
                f"{what}[{index}] is {len(text)} characters long; the limit is {api.max_text_chars}"
            )


def _result(scores: NLIScores) -> NLIResultOut:
    return NLIResultOut(
        label=VERDICT_TO_NLI[scores.label],
        confidence=round(max(scores.entailment, scores.neutral, scores.contradiction), 4),
        scores=NLIScoresOut(
            entailment=round(scores.entailment, 4),
            neutral=round(scores.neutral, 4),
            contradiction=round(scores.contradiction, 4),
        ),
    )


@router.post("/embed", response_model=EmbedResponse, responses=ERRORS)
async def embed(body: EmbedRequest, res: ResourcesDep, who: PrincipalDep) -> EmbedResponse:
    """L2-normalised embeddings of the texts, in order."""
    _check_count(len(body.texts), res.settings.api, "texts")
    _check_texts(body.texts, res.settings.api, "texts")
    vectors = await asyncio.wrap_future(res.embedder.submit(body.texts))
    return EmbedResponse(
        model=res.embedder.name,
        dimension=res.embedder.dimension,
        embeddings=[[round(float(x), 6) for x in v] for v in vectors],
    )


@router.post("/nli", response_model=NLIResponse, responses=ERRORS)
async def nli(body: NLIRequest, res: ResourcesDep, who: PrincipalDep) -> NLIResponse:
    """Whether the premise (evidence) entails, contradicts or is neutral to the hypothesis."""
    _check_texts([body.premise, body.hypothesis], res.settings.api, "texts")
    [scores] = await asyncio.wrap_future(res.nli.submit([(body.premise, body.hypothesis)]))
    return NLIResponse(model=res.nli.name, **_result(scores).model_dump())


@router.post("/nli/batch", response_model=NLIBatchResponse, responses=ERRORS)
async def nli_batch(
    body: NLIBatchRequest, res: ResourcesDep, who: PrincipalDep
) -> NLIBatchResponse:
    """Many (premise, hypothesis) pairs at once, in order."""
    _check_count(len(body.pairs), res.settings.api, "pairs")
    for index, pair in enumerate(body.pairs):
        _check_texts([pair.premise, pair.hypothesis], res.settings.api, f"pairs[{index}]")
    scores = await asyncio.wrap_future(
        res.nli.submit([(p.premise, p.hypothesis) for p in body.pairs])
    )
    return NLIBatchResponse(model=res.nli.name, results=[_result(s) for s in scores])
