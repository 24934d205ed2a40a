"""Decision rules compared on the shipping rule's dev sets (scores from scripts/reader_dev.py).

For each premise form and rule, prints the accuracy of each claim set (with the share of
NOT_ENOUGH_INFO claims called REFUTED, and per kind for the kinds set), WiCE's macro-F1 over
its three sentence labels, the grounding set's mean balanced accuracy over its sources, and
their sum, which the shipping rule of issue 31 compares (a candidate ships when the sum rises
by at least 0.005 and no set falls by more than 0.01). The rules are the real ones:
``verify.aggregate`` (with the shipped calibration for the weighted vote) and the check
roll-up ``extract.rollup``.

Usage: python scripts/reader_rules.py [--out runs/reader] [--forms title,title+referent]
       [--grid] [--top-k 5] [--show KEY] [--baseline KEY]
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reader_dev import REPO, Claim, Item, Scores  # noqa: E402, F401  (Claim: for pickle)

from truthgraph.domain import EvidenceContext, EvidenceHit, Label, NLIScores, Strategy  # noqa: E402
from truthgraph.evaluation.check_eval import balanced_accuracy  # noqa: E402
from truthgraph.extract.rollup import rollup  # noqa: E402
from truthgraph.reading.premise import premise  # noqa: E402
from truthgraph.verify.aggregate import Decisive, aggregate  # noqa: E402
from truthgraph.verify.calibration import Calibration, calibrate, read_calibration  # noqa: E402

Verdict = tuple[Label, float]
Rule = Callable[[Sequence[EvidenceHit], Sequence[NLIScores]], Verdict]
GRID = (  # support, refute, margin, weak refutation
    (0.2, 0.3, 0.4, 0.5, 0.6),
    (0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
    (0.0, 0.2, 1.0),
    (0.0, 0.8),
)
WICE = {"SUPPORTED": "supported", "PARTLY_SUPPORTED": "partially_supported"}


def weighted(calibration: Calibration) -> Rule:
    """The weighted vote, calibrated (the rule shipped before decision 0030)."""

    def rule(hits: Sequence[EvidenceHit], scores: Sequence[NLIScores]) -> Verdict:
        sims = [h.similarity for h in hits]
        result = aggregate(scores, sims)
        if scores:
            result = calibrate(result, calibration, max(sims))
        return result.label, result.confidence

    return rule


def decisive(thresholds: Decisive) -> Rule:
    def rule(hits: Sequence[EvidenceHit], scores: Sequence[NLIScores]) -> Verdict:
        sims = [h.similarity for h in hits]
        result = aggregate(scores, sims, Strategy.DECISIVE, rule=thresholds)
        return result.label, result.confidence

    return rule


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    f1s = []
    for label in sorted(set(gold)):
        pairs = list(zip(gold, predicted, strict=True))
        tp = sum(g == label and p == label for g, p in pairs)
        fp = sum(g != label and p == label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(f1s) / len(f1s)


def sentence_label(verdicts: Sequence[Verdict], weak: float) -> str:
    return rollup([v[0] for v in verdicts], [v[1] for v in verdicts], weak).value


def evaluate(
    sets: dict[str, list[Item]],
    scores: Scores,
    form: EvidenceContext,
    rule: Rule,
    weak: float,
    top_k: int,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, items in sets.items():
        verdicts = [
            [
                rule(
                    c.hits[:top_k], [scores.get((premise(h, form), c.text)) for h in c.hits[:top_k]]
                )
                for c in item.claims
            ]
            for item in items
        ]
        gold = [i.gold for i in items]
        if name == "wice":
            predicted = [WICE.get(sentence_label(v, weak), "not_supported") for v in verdicts]
            out[name] = {"score": macro_f1(gold, predicted), "n": len(items)}
            continue
        if name == "grounding":
            by: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
            for item, v in zip(items, verdicts, strict=True):
                label = sentence_label(v, weak) if v else "NOT_ENOUGH_INFO"
                by[item.extras["source"]][0].append(item.gold)
                by[item.extras["source"]][1].append(
                    "supported" if label == "SUPPORTED" else "not_supported"
                )
            per = {s: balanced_accuracy(g, p) or 0.0 for s, (g, p) in sorted(by.items())}
            out[name] = {"score": sum(per.values()) / len(per), "per_source": per, "n": len(items)}
            continue
        labels = [v[0][0].value for v in verdicts]
        entry: dict[str, Any] = {
            "score": sum(p == g for p, g in zip(labels, gold, strict=True)) / len(items),
            "n": len(items),
        }
        nei = [p for p, g in zip(labels, gold, strict=True) if g == "NOT_ENOUGH_INFO"]
        if nei:
            entry["nei_refuted"] = nei.count("REFUTED") / len(nei)
        if any(i.kind for i in items):
            kinds: dict[str, list[bool]] = defaultdict(list)
            for item, p in zip(items, labels, strict=True):
                kinds[item.kind].append(p == item.gold)
            entry["kinds"] = {k: sum(v) / len(v) for k, v in sorted(kinds.items())}
            confusion = Counter(zip(gold, labels, strict=True))
            entry["confusion"] = {f"{g}->{p}": n for (g, p), n in sorted(confusion.items())}
        out[name] = entry
    out["sum"] = sum(v["score"] for v in out.values())
    return out


def line(name: str, result: dict[str, Any]) -> str:
    parts = [f"{name:44s} sum {result['sum']:.3f}"]
    for key, value in result.items():
        if key != "sum":
            extra = f" (nei->R {value['nei_refuted']:.2f})" if "nei_refuted" in value else ""
            parts.append(f"{key} {value['score']:.3f}{extra}")
    return " | ".join(parts)


def ships(candidate: dict[str, Any], baseline: dict[str, Any]) -> bool:
    """The shipping rule: the sum up by 0.005 or more, no set down by more than 0.01."""
    if candidate["sum"] < baseline["sum"] + 0.005:
        return False
    return all(candidate[k]["score"] >= baseline[k]["score"] - 0.01 for k in baseline if k != "sum")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "runs" / "reader")
    parser.add_argument("--forms", default="title,title+referent")
    parser.add_argument("--grid", action="store_true")
    parser.add_argument("--top-k", type=int, default=10)
    parser.add_argument("--calibration", type=Path, default=None)
    parser.add_argument("--show", default="")
    parser.add_argument("--baseline", default="")
    args = parser.parse_args()
    sets = pickle.loads((args.out / "items.pkl").read_bytes())
    scores = Scores(args.out / "scores.pkl")
    model = REPO / "src" / "truthgraph" / "models" / "truthgraph-verifier-minilm"
    calibration = (
        Calibration()
        if str(args.calibration) == "none"
        else read_calibration(args.calibration or model)
    )
    results: dict[str, dict[str, Any]] = {}
    for form in args.forms.split(","):
        for weak in (0.0, 0.7, 0.8, 0.9):
            results[f"weighted {form} weak={weak}"] = evaluate(
                sets,
                scores,
                form,
                weighted(calibration),
                weak,
                args.top_k,
            )
        if args.grid:
            grid = itertools.product(*GRID)
            for support, refute, margin, weak in grid:
                key = f"decisive {form} s={support} r={refute} m={margin} weak={weak}"
                rule = decisive(Decisive(support, refute, margin))
                results[key] = evaluate(sets, scores, form, rule, weak, args.top_k)
    for key, result in sorted(results.items(), key=lambda kv: -kv[1]["sum"])[:20]:
        print(line(key, result))
    if args.baseline:
        base = results[args.baseline]
        passing = [k for k, r in results.items() if ships(r, base)]
        print(f"{len(passing)} candidates pass the shipping rule against {args.baseline}")
        for key in sorted(passing, key=lambda k: -results[k]["sum"])[:10]:
            print(line(key, results[key]))
    (args.out / f"rules-top{args.top_k}.json").write_text(json.dumps(results, indent=1))
    if args.show:
        print(json.dumps(results[args.show], indent=1))


if __name__ == "__main__":
    main()
