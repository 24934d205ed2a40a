"""Build the bundled demo / test corpus from FEVER held-out claims (reproducible).

Each document is one Wikipedia page: the distinct gold evidence sentences of the held-out
FEVER claims whose evidence comes from that single page. The candidate claims are those
claims plus the held-out NOT ENOUGH INFO claims that name one of the pages. Writes
``src/truthgraph/demo/corpus.jsonl`` and ``src/truthgraph/demo/candidate_claims.jsonl``.

    python scripts/build_demo_corpus.py --data-dir ../shared/data --pages 40
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from truthgraph.data.datasets import load_fever, page_title
from truthgraph.domain import Label
from truthgraph.reading.sentences import split_sentences

OUT = Path(__file__).resolve().parent.parent / "src" / "truthgraph" / "demo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--pages", type=int, default=40)
    args = parser.parse_args()
    claims = [c for c in load_fever(args.data_dir, "heldout") if len(c.pages) == 1]
    counts = Counter(c.pages[0] for c in claims)
    chosen = sorted(p for p, _ in counts.most_common(args.pages))
    sentences: dict[str, list[str]] = defaultdict(list)
    for claim in claims:
        page = claim.pages[0]
        if page not in chosen:
            continue
        for evidence in claim.evidence:
            for sentence in split_sentences(evidence):
                if sentence.text not in sentences[page]:
                    sentences[page].append(sentence.text)
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for page in chosen:
            row = {
                "id": page,
                "title": page_title([page]),
                "text": " ".join(sentences[page]),
                "source": "Wikipedia via FEVER 1.0 (CC BY-SA 3.0)",
                "url": f"https://en.wikipedia.org/wiki/{page}",
            }
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    names = [str(page_title([p])).split(" (")[0] for p in chosen]
    unverifiable = [
        c
        for c in load_fever(args.data_dir, "heldout")
        if c.label is Label.NOT_ENOUGH_INFO and any(name in c.claim for name in names)
    ]
    with (OUT / "candidate_claims.jsonl").open("w", encoding="utf-8") as handle:
        for claim in [c for c in claims if c.pages[0] in chosen] + unverifiable:
            row = {"id": claim.id, "claim": claim.claim, "expected": claim.label.value}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(chosen)} pages written to {OUT / 'corpus.jsonl'}")


if __name__ == "__main__":
    main()
