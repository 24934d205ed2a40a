"""Real texts and labelled pairs for checking the ONNX backend without the development data.

- ``demo_sentences()``: the sentences of the demo corpus (``demo/corpus.jsonl``), split the
  way ingestion splits them;
- ``demo_pairs()``: ``demo/nli_pairs.jsonl``, (evidence, claim, label) pairs for the demo
  candidate claims, written by ``build_demo_pairs`` from the development data: the FEVER gold
  evidence of each SUPPORTS / REFUTES candidate (those sentences are the demo corpus), and for
  each NOT ENOUGH INFO candidate the demo-corpus sentence nearest to it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from truthgraph.data.datasets import load_fever
from truthgraph.data.jsonl import read_objects
from truthgraph.domain import Label
from truthgraph.ml.nli.pair import Pair
from truthgraph.ports import Embedder
from truthgraph.reading.sentences import split_sentences

DEMO_DIR = Path(__file__).resolve().parent.parent.parent / "demo"
DEMO_PAIRS_FILE = DEMO_DIR / "nli_pairs.jsonl"


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [row for _, row in read_objects(path)]


def demo_sentences() -> list[str]:
    """Every sentence of the demo corpus, in corpus order."""
    rows = _read_jsonl(DEMO_DIR / "corpus.jsonl")
    return [s.text for row in rows for s in split_sentences(str(row["text"]))]


def demo_pairs() -> list[Pair]:
    """The labelled demo pairs (see the module doc)."""
    return [
        Pair(str(r["premise"]), str(r["hypothesis"]), Label(str(r["label"])), str(r["source"]))
        for r in _read_jsonl(DEMO_PAIRS_FILE)
    ]


def build_demo_pairs(data_dir: Path, embedder: Embedder) -> list[Pair]:
    """Pairs for the demo candidate claims from FEVER paper_dev (see the module doc)."""
    wanted = {str(row["id"]) for row in _read_jsonl(DEMO_DIR / "candidate_claims.jsonl")}
    claims = [c for c in load_fever(data_dir, "heldout") if c.id in wanted]
    sentences = demo_sentences()
    pairs: list[Pair] = []
    unsupported = [c for c in claims if c.label is Label.NOT_ENOUGH_INFO]
    for claim in claims:
        pairs.extend(Pair(e, claim.claim, claim.label, "demo-fever") for e in claim.evidence)
    if unsupported:
        similarities = embedder.embed([c.claim for c in unsupported]) @ embedder.embed(sentences).T
        for claim, row in zip(unsupported, similarities, strict=True):
            premise = sentences[int(row.argmax())]
            pairs.append(Pair(premise, claim.claim, Label.NOT_ENOUGH_INFO, "demo-fever-nei"))
    return pairs


def write_pairs(pairs: Sequence[Pair], path: Path = DEMO_PAIRS_FILE) -> Path:
    """Write ``pairs`` as JSON lines (premise, hypothesis, label, source)."""
    lines = [
        json.dumps(
            {
                "premise": p.premise,
                "hypothesis": p.hypothesis,
                "label": p.label.value,
                "source": p.source,
            },
            ensure_ascii=False,
        )
        for p in pairs
    ]
    path.write_text("\n".join(lines) + "\n")
    return path
