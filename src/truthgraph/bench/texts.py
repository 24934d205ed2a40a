"""Real texts and pairs for benchmarks: sentences of a corpus and claims, never "Test {i}"."""

from __future__ import annotations

import json
from itertools import cycle, islice
from pathlib import Path

from truthgraph.data.jsonl import read_objects
from truthgraph.errors import DatasetError
from truthgraph.ingest.pipeline import load_documents
from truthgraph.reading.sentences import split_sentences

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
DEFAULT_CORPUS = DEMO_DIR / "corpus.jsonl"
DEFAULT_CLAIMS = DEMO_DIR / "candidate_claims.jsonl"


def _is_scifact(corpus: Path) -> bool:
    if corpus.suffix != ".jsonl" or not corpus.is_file():
        return False
    with corpus.open(encoding="utf-8") as handle:
        first = handle.readline()
    try:
        return isinstance(json.loads(first).get("abstract"), list)
    except (json.JSONDecodeError, AttributeError):
        return False


def corpus_sentences(corpus: Path = DEFAULT_CORPUS) -> list[str]:
    """The distinct sentences of a corpus: any format ``truthgraph ingest`` reads, or a SciFact
    ``corpus.jsonl`` (abstracts already split into sentences)."""
    seen: dict[str, None] = {}
    if _is_scifact(corpus):
        for _, row in read_objects(corpus):
            for sentence in row["abstract"]:
                if sentence.strip():
                    seen.setdefault(sentence.strip(), None)
        return list(seen)
    _, documents = load_documents([corpus])
    for document in documents:
        for sentence in split_sentences(document.text):
            seen.setdefault(sentence.text, None)
    return list(seen)


def claims(path: Path = DEFAULT_CLAIMS) -> list[str]:
    """Claims from a JSONL file with a ``claim`` field per line."""
    return [str(row["claim"]) for _, row in read_objects(path)]


def sample_texts(n: int, corpus: Path = DEFAULT_CORPUS) -> list[str]:
    """``n`` real sentences, cycling through the corpus when it has fewer."""
    sentences = corpus_sentences(corpus)
    if not sentences:
        raise DatasetError(f"{corpus}: no sentences")
    return list(islice(cycle(sentences), n))


def sample_pairs(
    n: int, corpus: Path = DEFAULT_CORPUS, claims_path: Path = DEFAULT_CLAIMS
) -> list[tuple[str, str]]:
    """``n`` (evidence sentence, claim) pairs from real sentences and real claims."""
    sentences = corpus_sentences(corpus)
    claim_list = claims(claims_path)
    return [
        (sentences[i % len(sentences)], claim_list[(i * 7) % len(claim_list)]) for i in range(n)
    ]
