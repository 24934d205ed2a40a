"""The reader's development harness: every dev set of the shipping rule, scored once, judged
many ways.

Each dev set is read into memory: its corpus split into sentences (with title and the sentence
before), each claim's top-k sentences found by exact cosine search over the real embedder's
vectors, and every (premise, claim) pair scored by the real verifier under each premise form
(the scores are kept in ``OUT/scores.pkl`` so a second run costs nothing). Then each decision
rule (``truthgraph.verify.aggregate`` and the check roll-up) is applied to the same scores, and
the figures per set, per kind, and summed (the shipping rule of issue 31) are printed.

This chooses forms and rules on dev quickly; the shipped figures come from ``truthgraph eval``
and ``truthgraph eval-check`` (scripts/eval_results.py), which run the whole pipeline.

Usage: python scripts/reader_dev.py [--data-dir ../shared/data] [--out runs/reader]
       [--sets kinds,fever,...] [--grounding-items N]
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from truthgraph.data.files import atomic_write
from truthgraph.data.jsonl import read_objects
from truthgraph.domain import EvidenceHit, Label, NLIScores, RawDocument
from truthgraph.evaluation.check_eval import load_wice
from truthgraph.evaluation.convert import convert
from truthgraph.evaluation.dataset import read_claims, read_corpus
from truthgraph.extract import DecomposingExtractor
from truthgraph.extract.extractors import extract
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel
from truthgraph.reading.premise import premise
from truthgraph.reading.sentences import split_document
from truthgraph.settings import Settings
from truthgraph.verify.distinct import distinct_hits
from truthgraph.wiring import build_embedder, build_nli

REPO = Path(__file__).resolve().parent.parent
TOP_K = 10
FORMS = ("title", "sentence", "previous", "title+previous")


@dataclass
class Claim:
    text: str
    hits: list[EvidenceHit]


@dataclass
class Item:
    """A claim (``claims`` of one) or a checked text (its extracted claims), with its gold."""

    id: str
    dataset: str
    gold: str
    claims: list[Claim]
    kind: str = ""
    extras: dict[str, str] = field(default_factory=dict)


class Scores:
    """NLI scores by (premise, hypothesis), computed once and kept on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[tuple[str, str], tuple[float, float, float]] = {}
        if path.is_file():
            self.known = pickle.loads(path.read_bytes())
        self.nli: LoadedNLIModel | None = None

    def fill(self, pairs: Sequence[tuple[str, str]]) -> None:
        todo = list(dict.fromkeys(p for p in pairs if p not in self.known))
        if not todo:
            return
        if self.nli is None:
            self.nli = build_nli(Settings())
        print(f"  scoring {len(todo)} pairs", file=sys.stderr, flush=True)
        for begin in range(0, len(todo), 512):
            chunk = todo[begin : begin + 512]
            for pair, s in zip(chunk, self.nli.predict(chunk), strict=True):
                self.known[pair] = (s.entailment, s.neutral, s.contradiction)
            self.save()

    def save(self) -> None:
        atomic_write(self.path, pickle.dumps(self.known))

    def get(self, pair: tuple[str, str]) -> NLIScores:
        return NLIScores(*self.known[pair])


class Vectors:
    """Embeddings by text, computed once and kept on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[str, np.ndarray] = {}
        if path.is_file():
            self.known = pickle.loads(path.read_bytes())
        self.embedder: LoadedEmbedder | None = None

    def of(self, texts: Sequence[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self.known))
        if todo:
            if self.embedder is None:
                self.embedder = build_embedder(Settings())
            for begin in range(0, len(todo), 1024):
                chunk = todo[begin : begin + 1024]
                for text, v in zip(chunk, self.embedder.embed(chunk), strict=True):
                    self.known[text] = v / max(np.linalg.norm(v), 1e-9)
        return np.stack([self.known[t] for t in texts])

    def save(self) -> None:
        atomic_write(self.path, pickle.dumps(self.known))


def sentences_of(documents: Sequence[RawDocument]) -> list[EvidenceHit]:
    """Every sentence of the documents as a hit (similarity 0), with title and previous."""
    hits: list[EvidenceHit] = []
    for d, document in enumerate(documents):
        previous = None
        for s in split_document(document):
            hits.append(
                EvidenceHit(
                    len(hits), d, s.text, s.start, s.end, 0.0, document.title, None, None, previous
                )
            )
            previous = s.text
    return hits


def search(
    vectors: Vectors, corpus: list[EvidenceHit], claims: Sequence[str]
) -> list[list[EvidenceHit]]:
    matrix = vectors.of([h.text for h in corpus])
    queries = vectors.of(list(claims))
    sims = queries @ matrix.T
    out = []
    for row in sims:
        order = np.argsort(-row)[: TOP_K * 3]
        found = (_with_similarity(corpus[i], float(row[i])) for i in order)
        out.append(distinct_hits(found, TOP_K))
    return out


def _with_similarity(hit: EvidenceHit, similarity: float) -> EvidenceHit:
    return replace(hit, similarity=similarity)


def claim_set(name: str, data_dir: Path, vectors: Vectors) -> list[Item]:
    if name == "kinds":
        folder = REPO / "src" / "truthgraph" / "evaluation" / "kinds"
        claims = read_claims(folder / "claims.jsonl")
        kinds = {
            str(r.get("id", f"line-{n}")): str(r.get("kind", ""))
            for n, r in read_objects(folder / "claims.jsonl")
        }
        corpus = read_corpus(folder / "corpus.jsonl").documents
        oracle = False
    else:
        eval_set = convert(name, data_dir, "dev")
        claims = eval_set.claims
        kinds = {}
        oracle = eval_set.default_mode == "oracle"
        corpus = eval_set.corpus.documents if eval_set.corpus is not None else ()
        if not oracle and eval_set.corpus is None:
            from truthgraph.evaluation.dataset import pooled_corpus

            corpus = pooled_corpus(claims, name).documents
    if oracle:
        rows = [
            [EvidenceHit(0, 0, e, 0, len(e), 1.0) for e in dict.fromkeys(c.evidence)]
            for c in claims
        ]
    else:
        rows = search(vectors, sentences_of(corpus), [c.claim for c in claims])
    return [
        Item(c.id, name, c.label.value, [Claim(c.claim, row)], kinds.get(c.id, ""))
        for c, row in zip(claims, rows, strict=True)
    ]


def check_set(name: str, data_dir: Path, vectors: Vectors, limit: int) -> list[Item]:
    if name == "wice":
        raw = [(i.id, i.text, list(i.evidence), i.label, "wice") for i in load_wice(data_dir)]
    else:
        raw = [
            (str(r["id"]), r["text"], r["evidence"], r["label"], r.get("dataset", "grounding"))
            for _, r in read_objects(data_dir / "grounding" / "dev.jsonl")
        ]
        if limit and len(raw) > limit:
            by = defaultdict(list)
            for r in raw:
                by[r[4]].append(r)
            rng = random.Random(7)
            raw = [
                r
                for rows in by.values()
                for r in rng.sample(rows, min(len(rows), limit // len(by)))
            ]
    extractor = DecomposingExtractor()
    items = []
    for id_, text, evidence, label, dataset in raw:
        claims = [c.text for c in extract(text, extractor).claims]
        documents = [RawDocument(text=e) for e in evidence if e.strip()]
        # one document: each evidence entry a sentence, the entry before it its previous
        corpus: list[EvidenceHit] = []
        previous = None
        for e in (d.text for d in documents):
            corpus.append(
                EvidenceHit(len(corpus), 0, e, 0, len(e), 0.0, None, None, None, previous)
            )
            previous = e
        rows = search(vectors, corpus, claims) if claims and corpus else [[] for _ in claims]
        items.append(
            Item(
                id_,
                name,
                label,
                [Claim(c, r) for c, r in zip(claims, rows, strict=True)],
                extras={"source": dataset},
            )
        )
    return items


def pairs_of(items: Sequence[Item], forms: Sequence[str]) -> list[tuple[str, str]]:
    return [
        (premise(h, form), claim.text)  # type: ignore[arg-type]
        for item in items
        for claim in item.claims
        for h in claim.hits
        for form in forms
    ]


Decide = Callable[[str, Sequence[EvidenceHit], Sequence[NLIScores]], Label]


def judge(items: Sequence[Item], scores: Scores, form: str, decide: Decide) -> list[list[Label]]:
    return [
        [
            decide(c.text, c.hits, [scores.get((premise(h, form), c.text)) for h in c.hits])  # type: ignore[arg-type]
            for c in item.claims
        ]
        for item in items
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "runs" / "reader")
    parser.add_argument("--sets", default="kinds,fever,scifact,fever-symmetric,fm2,wice,grounding")
    parser.add_argument("--forms", default=",".join(FORMS))
    parser.add_argument("--grounding-items", type=int, default=500)
    parser.add_argument(
        "--rescore",
        action="store_true",
        help="score the sets already in OUT/items.pkl (another verifier, the same evidence)",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    vectors = Vectors(args.out / "vectors.pkl")
    scores = Scores(args.out / "scores.pkl")
    forms = args.forms.split(",")
    if args.rescore:
        held: dict[str, list[Item]] = pickle.loads((args.out / "items.pkl").read_bytes())
        for name in args.sets.split(","):
            print(f"scoring {name}", file=sys.stderr, flush=True)
            scores.fill(pairs_of(held[name], forms))
        return
    sets: dict[str, list[Item]] = {}
    for name in args.sets.split(","):
        print(f"reading {name}", file=sys.stderr, flush=True)
        if name in ("wice", "grounding"):
            sets[name] = check_set(name, args.data_dir, vectors, args.grounding_items)
        else:
            sets[name] = claim_set(name, args.data_dir, vectors)
        vectors.save()
        scores.fill(pairs_of(sets[name], forms))
    known = args.out / "items.pkl"
    merged = pickle.loads(known.read_bytes()) if known.is_file() else {}
    merged.update(sets)
    known.write_bytes(pickle.dumps(merged))
    print(json.dumps({k: len(v) for k, v in sets.items()}))


if __name__ == "__main__":
    main()
