"""Checking against given documents from Python: ``truthgraph.check_text`` and the in-memory
evidence store, with the real models and no database (its URL points where nothing listens)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import SecretStr

import truthgraph
from truthgraph.check.against import GIVEN_DOCUMENTS, MemoryEvidenceStore, read_against
from truthgraph.domain import RawDocument
from truthgraph.errors import DocumentError, NotFoundError, NothingToCheckError
from truthgraph.grounding import Grounder, split_sources
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel, SearchParams
from truthgraph.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.models]

NO_DATABASE = "postgresql://nobody@127.0.0.1:9/nowhere"
PASSAGE = (
    "Colombiana is a 2011 French action film directed by Olivier Megaton. It was produced by "
    "Luc Besson.\n\nThe film stars Zoe Saldana as a hitwoman."
)


@pytest.fixture()
def grounder(home: Path, embedder: LoadedEmbedder, nli: LoadedNLIModel) -> Grounder:
    return Grounder(Settings(home=home, database_url=SecretStr(NO_DATABASE)), embedder, nli)


def test_check_text_is_one_call_with_no_database(home: Path) -> None:
    report = truthgraph.check_text(
        "Colombiana was directed by Olivier Megaton. Colombiana was directed by Steven Spielberg.",
        against=[PASSAGE],
        settings=Settings(home=home, database_url=SecretStr(NO_DATABASE)),
    )
    assert report.collection == GIVEN_DOCUMENTS
    assert [s.label.value for s in report.sentences if s.label] == ["SUPPORTED", "REFUTED"]
    assert report.verdict == "REFUTED"
    binary = truthgraph.check_text(
        "Olivier Megaton directed Colombiana.",
        against=[PASSAGE],
        settings=Settings(home=home, database_url=SecretStr(NO_DATABASE)),
        labels="binary",
    )
    assert binary.verdict == "SUPPORTED" and binary.to_dict()["labels"] == "binary"


def test_files_urls_and_documents_mix(grounder: Grounder, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("The Volga ends in the Caspian Sea.", encoding="utf-8")
    given = RawDocument(text=PASSAGE, title="Colombiana", source="wiki")
    report = grounder.check(
        "The Volga flows into the Caspian Sea. Zoe Saldana stars in Colombiana.",
        [notes, given],
    )
    hits = [c.verdict.evidence[0].hit for c in report.claims]
    assert [h.source for h in hits] == ["notes.txt", "wiki"]
    assert report.label.value == "SUPPORTED"
    assert report.to_dict()["timings_ms"]["embed_documents"] > 0


def test_bad_input_is_a_document_error(grounder: Grounder, tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="empty"):
        grounder.check("Luc Besson produced Colombiana.", ["   "])
    with pytest.raises(DocumentError, match="no such file"):
        grounder.check("Luc Besson produced Colombiana.", [str(tmp_path / "missing.pdf")])
    with pytest.raises(DocumentError, match="control character"):
        grounder.check("Luc Besson produced Colombiana.", ["Bad \x00 text."])
    with pytest.raises(DocumentError, match="no documents"):
        grounder.check("Luc Besson produced Colombiana.", [])
    with pytest.raises(NothingToCheckError):
        grounder.check("Is it good? I love it.", [PASSAGE])


def test_the_store_searches_in_memory_like_the_database(embedder: LoadedEmbedder) -> None:
    documents = read_against(
        [RawDocument(text=PASSAGE, title="Colombiana", source="wiki", url="https://x.org/c")]
    )
    store = MemoryEvidenceStore(documents, embedder)
    assert store.sentences == 3 and store.documents == 1
    collection = store.get_collection(GIVEN_DOCUMENTS)
    with pytest.raises(NotFoundError):
        store.get_collection("default")
    query = embedder.embed(["Luc Besson was the producer."])
    (hits,) = store.search(collection, query, SearchParams(top_k=2))
    assert len(hits) == 2 and hits[0].similarity >= hits[1].similarity
    best = hits[0]
    assert best.text == "It was produced by Luc Besson."
    assert best.previous is not None and best.previous.startswith("Colombiana is a 2011")
    assert (best.title, best.source, best.url) == ("Colombiana", "wiki", "https://x.org/c")
    assert PASSAGE[best.start : best.end] == best.text
    exact = float(np.dot(query[0], store.vectors[best.evidence_id - 1]))
    assert best.similarity == pytest.approx(exact, abs=1e-5)
    (lexical,) = store.lexical_search(collection, ["Saldana hitwoman"], query, 5)
    assert [h.text for h in lexical] == ["The film stars Zoe Saldana as a hitwoman."]


def test_plain_strings_are_texts_unless_they_name_a_file_or_url(tmp_path: Path) -> None:
    sources = split_sources(["notes.txt", "https://example.org/a", "A plain passage."])
    assert sources[:2] == ["notes.txt", "https://example.org/a"]
    assert isinstance(sources[2], RawDocument) and sources[2].text == "A plain passage."


def test_a_summary_that_fuses_two_sentences_is_supported(home: Path) -> None:
    """Decision 0032: each sentence is read after the one before it, and the claim is
    SUPPORTED when the most entailing reaches the grounding threshold. The same-subject
    sentence alone read as a contradiction before (REFUTED 0.47, the text NOT_SUPPORTED)."""
    document = (
        "Chelsea hosted Stoke City at Stamford Bridge on Saturday. They won 2-1 thanks to goals "
        "from Eden Hazard and Loic Remy."
    )
    settings = Settings(home=home, database_url=SecretStr(NO_DATABASE))
    report = truthgraph.check_text(
        "Chelsea beat Stoke 2-1 at Stamford Bridge on Saturday.",
        against=[document],
        settings=settings,
        labels="binary",
    )
    assert report.verdict == "SUPPORTED"
    [claim] = report.claims
    assert "They won 2-1" in claim.verdict.evidence[0].hit.text
