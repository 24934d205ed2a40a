"""Write documents of at least --words words each, made of consecutive SciFact abstracts, for
timing a check against given documents (`truthgraph bench check --against`).

Usage: python scripts/scifact_documents.py --data-dir ../shared/data --out runs/against
       [--documents 5] [--words 2000]
then:  truthgraph bench check --against runs/against/doc1.txt ... --answer-words 200 --repeat 5
"""

from __future__ import annotations

import argparse
from pathlib import Path

from truthgraph.data.jsonl import read_objects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("runs/against"))
    parser.add_argument("--documents", type=int, default=5)
    parser.add_argument("--words", type=int, default=2000)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = read_objects(args.data_dir / "scifact" / "corpus.jsonl")
    for number in range(1, args.documents + 1):
        paragraphs: list[str] = []
        words = 0
        while words < args.words:
            _, row = next(rows)
            paragraph = f"{row['title']}\n\n" + " ".join(row["abstract"])
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        path = args.out / f"doc{number}.txt"
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        print(f"{path}: {words} words")


if __name__ == "__main__":
    main()
