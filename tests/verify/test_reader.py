"""Verdicts a careful reader would give (issue 31), with the default install's models, rule
and evidence context, on short documents of a user's own: one test per kind of mistake.

The documents are checked against in memory (``truthgraph.check_text`` path: the same
verifier, premise and aggregation as a collection), so no database is needed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from truthgraph.check.against import GIVEN_DOCUMENTS, MemoryEvidenceStore
from truthgraph.domain import Label, RawDocument
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel
from truthgraph.settings import Settings
from truthgraph.verify.verifier import Verifier
from truthgraph.wiring import build_grounding_verifier

pytestmark = [pytest.mark.integration, pytest.mark.models]

NO_DATABASE = "postgresql://nobody@127.0.0.1:9/nowhere"
KILIMANJARO = RawDocument(
    text=(
        "Mount Kilimanjaro is a dormant volcano in Tanzania. It is the highest mountain in "
        "Africa. Its summit, Uhuru Peak, stands about 5,895 metres above sea level."
    ),
    title="Mount Kilimanjaro",
    source="kilimanjaro.html",
)
HARBOUR = RawDocument(
    text=(
        "Varrow Harbour Works is a shipyard in the town of Keldby. The company was founded in "
        "1911 by Agnes Morrow and her brother Tomas. It builds wooden fishing boats and employs "
        "about 140 people. In 2019 it launched its first electric ferry, the Sula."
    ),
    title="Varrow Harbour Works",
    source="varrow.md",
)


@pytest.fixture()
def reader(home: Path, embedder: LoadedEmbedder, nli: LoadedNLIModel) -> Verifier:
    """The default verifier (its settings as a fresh install has them) over the two pages."""
    settings = Settings(home=home, database_url=SecretStr(NO_DATABASE))
    store = MemoryEvidenceStore([KILIMANJARO, HARBOUR], embedder)
    return build_grounding_verifier(settings, store, embedder, nli)


def verdict(reader: Verifier, claim: str) -> Label:
    return reader.verify(claim, GIVEN_DOCUMENTS, reader.options_with(persist=False)).label


def test_the_kilimanjaro_page_supports_what_it_says(reader: Verifier) -> None:
    # the page: "It is the highest mountain in Africa." was read without its subject,
    # and the summit sentence's other fact outvoted it (REFUTED, 0.48)
    assert verdict(reader, "Kilimanjaro is the highest mountain in Africa.") is Label.SUPPORTED


@pytest.mark.parametrize(
    ("kind", "claim", "expected"),
    [
        ("pronoun", "Varrow Harbour Works builds wooden fishing boats.", Label.SUPPORTED),
        ("paraphrase", "Kilimanjaro is located in Tanzania.", Label.SUPPORTED),
        ("number", "Varrow Harbour Works employs about 140 people.", Label.SUPPORTED),
        ("number", "Varrow Harbour Works employs about 900 people.", Label.REFUTED),
        ("date", "Varrow Harbour Works was founded in 1911.", Label.SUPPORTED),
        ("date", "Varrow Harbour Works was founded in 1975.", Label.REFUTED),
        (
            "swapped-entity",
            "Varrow Harbour Works is a shipyard in the town of Tanzania.",
            Label.REFUTED,
        ),
        pytest.param(
            "negation",
            "Mount Kilimanjaro is not in Tanzania.",
            Label.REFUTED,
            marks=pytest.mark.xfail(
                strict=True, reason="still fails (decision 0030): read as SUPPORTED"
            ),
        ),
        ("other-fact", "Varrow Harbour Works is owned by a Danish bank.", Label.NOT_ENOUGH_INFO),
        ("unmentioned", "The Keldby library opened in 1987.", Label.NOT_ENOUGH_INFO),
    ],
)
def test_each_kind_of_claim(reader: Verifier, kind: str, claim: str, expected: Label) -> None:
    assert verdict(reader, claim) is expected, kind
