"""Extraction figures on WiCE dev, no models: how many sentences the check-worthiness rules
keep, claims per sentence, and claims dropped by the span check, for both offline extractors.

    python scripts/check_extraction_stats.py --data-dir ../shared/data

WiCE's claims are Wikipedia sentences (all statements of fact); its evidence is the text of
the cited web pages, boilerplate included, so the share of evidence lines skipped and the
reasons show what the filter drops from real pages.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter
from pathlib import Path

from truthgraph.evaluation.check_eval import load_wice
from truthgraph.extract import DecomposingExtractor, SentenceExtractor, extract, skip_reason


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    items = load_wice(args.data_dir)
    result: dict[str, object] = {"n": len(items)}
    for extractor in (SentenceExtractor(), DecomposingExtractor()):
        extractions = [extract(item.text, extractor) for item in items]
        per_text = [len(e.claims) for e in extractions]
        checked = [len(e.checked) for e in extractions]
        result[extractor.name] = {
            "texts_with_a_claim": sum(bool(c) for c in per_text),
            "claims": sum(per_text),
            "claims_per_text_mean": statistics.fmean(per_text),
            "claims_per_checked_sentence": sum(per_text) / max(1, sum(checked)),
            "texts_split": sum(c > 1 for c in per_text),
            "unmapped": sum(e.unmapped for e in extractions),
            "skip_reasons": Counter(
                s.skip for e in extractions for s in e.sentences if s.skip
            ).most_common(),
        }
    lines = [line for item in items for line in item.evidence if line.strip()]
    reasons = Counter(skip_reason(line) for line in lines)
    result["evidence_lines"] = {
        "n": len(lines),
        "kept": reasons.pop(None, 0),
        "skipped": reasons.most_common(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
