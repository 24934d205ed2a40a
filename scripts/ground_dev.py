"""Checking texts against their own documents (issues 31 and 32): score once, judge many ways.

Each item of grounding/dev.jsonl (and WiCE dev) is split into the same evidence sentences
``eval-check`` makes (``MemoryEvidenceStore`` over one document, a paragraph per given
sentence), its text's claims extracted (``builtin`` and ``sentence``), every claim's cosine to
every evidence sentence taken with the real embedder, and the (premise, claim) pairs scored by
the real verifier: on grounding every sentence of the document, read alone (``sentence``) and
after the sentence before it (``previous``); on WiCE the top ``--wice-k`` distinct sentences
read in the ``--wice-forms``. The scores are kept in ``OUT/scores.pkl`` and the items in
``OUT/items.pkl``, so ``scripts/ground_rules.py`` can judge them many ways at no model cost.

Usage: python scripts/ground_dev.py [--data-dir ../shared/data] [--out runs/ground]
       [--sets grounding,wice] [--forms sentence,previous] [--wice-k 20]
       [--wice-forms sentence]
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from truthgraph.check.against import MemoryEvidenceStore
from truthgraph.data.files import atomic_write
from truthgraph.domain import RawDocument
from truthgraph.errors import TruthGraphError
from truthgraph.evaluation.check_eval import CheckItem, load_grounding, load_wice
from truthgraph.extract import ClaimExtractor, DecomposingExtractor, SentenceExtractor
from truthgraph.extract.extractors import extract
from truthgraph.settings import Settings
from truthgraph.wiring import build_embedder, build_nli

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Held:
    """One item: its evidence sentences (with the one before), its claims per extractor, and
    each claim's cosine to every sentence."""

    item: CheckItem
    sentences: list[str]
    previous: list[str | None]
    claims: dict[str, list[str]]  # extractor -> claims ([] : nothing check-worthy)
    cosine: dict[str, np.ndarray]  # claim -> cosine to each sentence


def premise_of(held: Held, i: int, form: str) -> str:
    before = held.previous[i]
    if form == "previous" and before:
        return f"{before} {held.sentences[i]}"
    return held.sentences[i]


def read(items: list[CheckItem], settings: Settings) -> list[Held]:
    embedder = build_embedder(settings)
    extractors: dict[str, ClaimExtractor] = {
        "builtin": DecomposingExtractor(),
        "sentence": SentenceExtractor(),
    }
    out = []
    for number, item in enumerate(items):
        given = [e.strip() for e in item.evidence if e.strip()]
        store = MemoryEvidenceStore(
            [RawDocument(text="\n\n".join(given), source=item.id)], embedder
        )
        claims: dict[str, list[str]] = {}
        for name, extractor in extractors.items():
            try:
                claims[name] = [
                    " ".join(c.text.split()) for c in extract(item.text, extractor).claims
                ]
            except TruthGraphError:
                claims[name] = []
        every = list(dict.fromkeys(c for cs in claims.values() for c in cs))
        cosine = {}
        if every:
            vectors = embedder.embed(every)
            for claim, row in zip(every, np.asarray(vectors) @ store.vectors.T, strict=True):
                cosine[claim] = row.astype(np.float32)
        out.append(
            Held(
                item, [h.text for h in store.hits], [h.previous for h in store.hits], claims, cosine
            )
        )
        if number % 200 == 0:
            print(f"  read {number}/{len(items)}", file=sys.stderr, flush=True)
    return out


def order(held: Held, claim: str, k: int | None) -> list[int]:
    """The sentences read for ``claim``: the top k by cosine, distinct texts (None: all)."""
    row = held.cosine[claim]
    ranked = sorted(range(len(row)), key=lambda i: (-float(row[i]), i))
    seen: set[str] = set()
    out: list[int] = []
    for i in ranked:
        if held.sentences[i] in seen:
            continue
        seen.add(held.sentences[i])
        out.append(i)
        if k is not None and len(out) == k:
            break
    return out


def pairs_for(held: list[Held], forms: list[str], k: int | None) -> list[tuple[str, str]]:
    pairs = []
    for h in held:
        for claim in h.cosine:
            for i in order(h, claim, k):
                for form in forms:
                    pairs.append((premise_of(h, i, form), claim))
    return list(dict.fromkeys(pairs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "runs" / "ground")
    parser.add_argument("--sets", default="grounding,wice")
    parser.add_argument("--forms", default="sentence,previous")
    parser.add_argument("--wice-k", type=int, default=20)
    parser.add_argument("--wice-forms", default="sentence")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    settings = Settings()
    items_path, scores_path = args.out / "items.pkl", args.out / "scores.pkl"
    held: dict[str, list[Held]] = (
        pickle.loads(items_path.read_bytes()) if items_path.is_file() else {}
    )
    known: dict[tuple[str, str], tuple[float, float, float]] = (
        pickle.loads(scores_path.read_bytes()) if scores_path.is_file() else {}
    )
    nli = build_nli(settings)
    for name in args.sets.split(","):
        if name not in held:
            loader = load_grounding if name == "grounding" else load_wice
            held[name] = read(loader(args.data_dir), settings)
            atomic_write(items_path, pickle.dumps(held))
        forms = args.forms.split(",") if name == "grounding" else args.wice_forms.split(",")
        k = None if name == "grounding" else args.wice_k
        todo = [p for p in pairs_for(held[name], forms, k) if p not in known]
        print(f"{name}: scoring {len(todo)} pairs", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        for begin in range(0, len(todo), 2048):
            chunk = todo[begin : begin + 2048]
            for pair, s in zip(chunk, nli.predict(chunk), strict=True):
                known[pair] = (s.entailment, s.neutral, s.contradiction)
            atomic_write(scores_path, pickle.dumps(known))
            done = begin + len(chunk)
            rate = done / (time.perf_counter() - t0)
            print(f"  {done}/{len(todo)} ({rate:.0f} pairs/s)", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
