"""The generic evaluation formats: labelled claims and a corpus, read, checked and written.

``CLAIMS.jsonl``, one object per line::

    {"id": "c1", "claim": "...", "label": "SUPPORTED", "evidence": ["a gold sentence", ...]}

``label`` is SUPPORTED, REFUTED or NOT_ENOUGH_INFO (FEVER's SUPPORTS, REFUTES and
"NOT ENOUGH INFO" are read too); ``id`` is optional (default: the line number) and unique;
``evidence`` is optional: the oracle mode verifies a claim against it, and it is what
evidence recall and the strict score look for; ``kind`` is optional: a name for the kind of
claim (``pronoun``, ``negation``, ...), and the report gives the accuracy per kind when any
claim has one. Other keys are ignored.

The kinds set (``KINDS_DIR``, ``--dataset kinds``) is written by hand for TruthGraph in this
format: see ``benchmarks/kinds/README.md``.

``CORPUS.jsonl``: ``{"id", "text", "title"?}`` per line, read by the same reader as
``truthgraph ingest`` (which also takes .csv, .txt and .md files).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from truthgraph.data.datasets import LabeledClaim, Split, parse_label
from truthgraph.data.jsonl import read_objects
from truthgraph.domain import RawDocument
from truthgraph.errors import DatasetError, InvalidInputError

Mode = Literal["retrieval", "oracle"]
MODES: tuple[Mode, ...] = ("retrieval", "oracle")

KINDS_PACKAGE = "truthgraph.evaluation"  # the kinds set: kinds/claims.jsonl, kinds/corpus.jsonl
KINDS: tuple[str, ...] = (
    "pronoun",
    "paraphrase",
    "number",
    "date",
    "swapped-entity",
    "negation",
    "two-sentences",
    "other-fact",
    "unmentioned",
)


@dataclass(frozen=True, slots=True)
class Corpus:
    """The documents retrieval mode searches, and the digest that names their collection."""

    documents: tuple[RawDocument, ...]
    sha256: str
    description: str

    def jsonl(self) -> str:
        """The documents in the generic corpus format."""
        return corpus_jsonl(self.documents)


@dataclass(frozen=True, slots=True)
class EvalSet:
    """Labelled claims to evaluate, the corpus to retrieve from, and how to run them."""

    name: str
    claims: tuple[LabeledClaim, ...]
    corpus: Corpus | None
    default_mode: Mode
    split: Split | None = None
    source: str = ""
    notes: tuple[str, ...] = ()

    def first(self, limit: int | None) -> EvalSet:
        """The first ``limit`` claims (all for None); the corpus stays whole."""
        return self if limit is None else replace(self, claims=self.claims[:limit])


def _claim(row: dict[str, Any], where: str, number: int, dataset: str) -> LabeledClaim:
    claim = row.get("claim")
    if not isinstance(claim, str) or not claim.strip():
        raise DatasetError(f'{where}: missing or empty "claim"')
    raw_label = row.get("label")
    label = parse_label(raw_label) if isinstance(raw_label, str) else None
    if label is None:
        raise DatasetError(
            f"{where}: label {raw_label!r} is not SUPPORTED, REFUTED or NOT_ENOUGH_INFO"
        )
    evidence = row.get("evidence", [])
    if isinstance(evidence, str):
        evidence = [evidence]
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise DatasetError(f'{where}: "evidence" must be a list of texts')
    kind = row.get("kind", "")
    if not isinstance(kind, str):
        raise DatasetError(f'{where}: "kind" must be a text')
    raw_id = row.get("id", f"line-{number}")
    if not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
        raise DatasetError(f'{where}: "id" must be a string or an integer')
    return LabeledClaim(
        id=str(raw_id),
        claim=claim.strip(),
        label=label,
        evidence=tuple(e.strip() for e in evidence if e.strip()),
        dataset=dataset,
        kind=kind.strip(),
    )


def read_claims(path: Path) -> tuple[LabeledClaim, ...]:
    """Every claim of a generic claims file, checked whole before any is used."""
    claims: list[LabeledClaim] = []
    seen: dict[str, int] = {}
    for number, row in read_objects(path):
        claim = _claim(row, f"{path}:{number}", number, path.stem)
        if claim.id in seen:
            raise DatasetError(f"{path}:{number}: id {claim.id!r} repeats line {seen[claim.id]}")
        seen[claim.id] = number
        claims.append(claim)
    if not claims:
        raise DatasetError(f"{path}: no claims")
    return tuple(claims)


def read_corpus(path: Path) -> Corpus:
    """A corpus file, read as ``truthgraph ingest`` reads it; its digest is the file's."""
    from truthgraph.ingest.pipeline import load_documents

    if not path.is_file():
        raise DatasetError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    _, documents = load_documents([path])
    return Corpus(
        documents=tuple(documents),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        description=f"{path} ({len(documents)} documents)",
    )


def kinds_set() -> EvalSet:
    """The kinds set, shipped inside the package: 126 claims written by hand, each with its
    kind (``KINDS``), verified by retrieval over its 12 invented documents. It is never
    trained or calibrated on (``benchmarks/kinds/README.md``)."""
    folder = resources.files(KINDS_PACKAGE).joinpath("kinds")
    with resources.as_file(folder) as path:
        claims = tuple(replace(c, dataset="kinds") for c in read_claims(path / "claims.jsonl"))
        corpus = read_corpus(path / "corpus.jsonl")
    return EvalSet(
        name="kinds",
        claims=claims,
        corpus=replace(corpus, description=f"the kinds set ({len(corpus.documents)} documents)"),
        default_mode="retrieval",
        source="truthgraph/evaluation/kinds (written by hand for TruthGraph)",
    )


def corpus_from_documents(documents: Sequence[RawDocument], description: str) -> Corpus:
    """A corpus built in memory; its digest is that of its generic JSONL form, so the
    exported file names the same collection."""
    if not documents:
        raise DatasetError(f"{description}: no documents")
    text = corpus_jsonl(documents)
    return Corpus(tuple(documents), hashlib.sha256(text.encode()).hexdigest(), description)


def pooled_corpus(claims: Sequence[LabeledClaim], source: str) -> Corpus:
    """One document per distinct gold evidence text of ``claims`` (first-seen order).

    Document ids are the first 12 hex digits of the text's SHA-1.
    """
    documents: dict[str, RawDocument] = {}
    for claim in claims:
        for text in claim.evidence:
            if text not in documents:
                digest = hashlib.sha1(text.encode()).hexdigest()[:12]
                documents[text] = RawDocument(text=text, source=source, external_id=digest)
    if not documents:
        raise InvalidInputError(
            'retrieval needs a corpus: give --corpus, or gold "evidence" in the claims file'
        )
    return corpus_from_documents(
        list(documents.values()),
        f"the gold evidence of {len(claims)} claims, pooled ({len(documents)} texts)",
    )


def claims_jsonl(claims: Sequence[LabeledClaim]) -> str:
    """Claims in the generic claims format."""
    lines = []
    for c in claims:
        row: dict[str, Any] = {"id": c.id, "claim": c.claim, "label": c.label.value}
        if c.kind:
            row["kind"] = c.kind
        if c.evidence:
            row["evidence"] = list(c.evidence)
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    return "".join(lines)


def corpus_jsonl(documents: Sequence[RawDocument]) -> str:
    """Documents in the generic corpus format (``id``, ``title`` when set, ``text``)."""
    lines = []
    for number, doc in enumerate(documents, start=1):
        row: dict[str, Any] = {"id": doc.external_id or str(number)}
        if doc.title is not None:
            row["title"] = doc.title
        row["text"] = doc.text
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    return "".join(lines)


def export(eval_set: EvalSet, folder: Path) -> dict[str, Path]:
    """Write ``claims.jsonl`` (and ``corpus.jsonl`` when there is a corpus) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {"claims": folder / "claims.jsonl"}
    written["claims"].write_text(claims_jsonl(eval_set.claims), encoding="utf-8")
    if eval_set.corpus is not None:
        written["corpus"] = folder / "corpus.jsonl"
        written["corpus"].write_text(eval_set.corpus.jsonl(), encoding="utf-8")
    return written


def collection_name(corpus: Corpus, embedding_model: str) -> str:
    """``eval-<12 hex of the corpus digest>-<embedding model>``: the same corpus and model
    always land in the same collection, apart from the user's own."""
    short = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(embedding_model).name or embedding_model)
    return f"eval-{corpus.sha256[:12]}-{short.strip('._') or 'model'}"
