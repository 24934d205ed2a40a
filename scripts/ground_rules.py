"""Judge the scores ``scripts/ground_dev.py`` kept, many ways: grounding dev (balanced accuracy
per source and their mean, in-sample and leave-one-source-out where a threshold is fitted) and
WiCE dev (macro-F1 and accuracy over its three labels).

The ``pipeline`` rule is what ``eval-check`` does (top-k by cosine, the real weighted vote,
calibration and roll-up); the ``min-max`` rule gives each claim the largest entailment over
the sentences read, and a text the smallest over its claims, supported at a threshold.

Usage: python scripts/ground_rules.py [--out runs/ground]
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ground_dev import Held, order, premise_of  # noqa: E402

from truthgraph.domain import Aggregate, Label, NLIScores, Strategy  # noqa: E402
from truthgraph.evaluation.check_eval import balanced_accuracy  # noqa: E402
from truthgraph.extract.rollup import rollup  # noqa: E402
from truthgraph.settings import Settings  # noqa: E402
from truthgraph.verify.aggregate import Decisive, aggregate  # noqa: E402
from truthgraph.verify.calibration import Calibration, calibrate  # noqa: E402
from truthgraph.wiring import nli_calibration  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
Known = dict[tuple[str, str], tuple[float, float, float]]


def claim_scores(
    h: Held, claim: str, known: Known, k: int | None, forms: Sequence[str]
) -> list[NLIScores]:
    return [
        NLIScores(*known[(premise_of(h, i, f), claim)]) for i in order(h, claim, k) for f in forms
    ]


def _rolled_up(
    h: Held,
    extractor: str,
    known: Known,
    k: int | None,
    forms: Sequence[str],
    verdict: Callable[[list[NLIScores], list[float]], Aggregate],
) -> str:
    """The roll-up of the claims' verdicts, each from its scores and similarities ("" : no
    claims)."""
    claims = h.claims[extractor]
    if not claims:
        return ""
    labels, confidences = [], []
    for c in claims:
        sims = [float(h.cosine[c][i]) for i in order(h, c, k) for _ in forms]
        result = verdict(claim_scores(h, c, known, k, forms), sims)
        labels.append(result.label)
        confidences.append(result.confidence)
    return rollup(labels, confidences).value


def pipeline_label(
    h: Held, extractor: str, known: Known, k: int | None, forms: Sequence[str], cal: Calibration
) -> str:
    """SUPPORTED, PARTLY_SUPPORTED, ... as eval-check's roll-up gives it ("" : no claims)."""
    return _rolled_up(
        h,
        extractor,
        known,
        k,
        forms,
        lambda scores, sims: calibrate(aggregate(scores, sims), cal, max(sims) if sims else None),
    )


def decisive_label(
    h: Held, extractor: str, known: Known, k: int | None, forms: Sequence[str], rule: Decisive
) -> str:
    """The roll-up of the claims' ``decisive`` verdicts (as the pipeline gives it)."""
    return _rolled_up(
        h,
        extractor,
        known,
        k,
        forms,
        lambda scores, sims: aggregate(scores, sims, Strategy.DECISIVE, rule=rule),
    )


def text_score(
    h: Held, extractor: str, known: Known, k: int | None, forms: Sequence[str], combine: str
) -> float | None:
    """The smallest (or mean) over the text's claims of the largest entailment read."""
    claims = h.claims[extractor]
    if not claims:
        return None
    best = [max(s.entailment for s in claim_scores(h, c, known, k, forms)) for c in claims]
    if combine == "min":
        return min(best)
    if combine == "mean":
        return float(np.mean(best))
    return float(np.prod(best))


def grounding_figures(held: Sequence[Held], predicted: Sequence[str]) -> dict[str, float]:
    by: dict[str, tuple[list[str], list[str]]] = {}
    for h, p in zip(held, predicted, strict=True):
        gold, pred = by.setdefault(h.item.dataset or "", ([], []))
        gold.append(h.item.label)
        pred.append(p)
    out = {name: balanced_accuracy(g, p) or 0.0 for name, (g, p) in sorted(by.items())}
    out["mean"] = float(np.mean(list(out.values())))
    return out


def binary(label: str, empty: str) -> str:
    if not label:
        return empty
    return "supported" if label == "SUPPORTED" else "not_supported"


def fit_threshold(held: Sequence[Held], scores: Sequence[float | None], empty: str) -> float:
    grid = np.round(np.arange(0.02, 1.0, 0.02), 2)
    best, chosen = -1.0, 0.5
    for t in grid:
        predicted = [_by_threshold(s, t, empty) for s in scores]
        figure = grounding_figures(held, predicted)["mean"]
        if figure > best:
            best, chosen = figure, float(t)
    return chosen


def _by_threshold(score: float | None, t: float, empty: str) -> str:
    if score is None:
        return empty
    return "supported" if score >= t else "not_supported"


def loso(held: Sequence[Held], scores: Sequence[float | None], empty: str) -> dict[str, float]:
    """Fit the threshold on four sources, score the fifth; the figure per source and mean."""
    names = sorted({h.item.dataset or "" for h in held})
    out = {}
    for name in names:
        train = [(h, s) for h, s in zip(held, scores, strict=True) if h.item.dataset != name]
        t = fit_threshold([h for h, _ in train], [s for _, s in train], empty)
        test = [(h, s) for h, s in zip(held, scores, strict=True) if h.item.dataset == name]
        gold = [h.item.label for h, _ in test]
        out[name] = balanced_accuracy(gold, [_by_threshold(s, t, empty) for _, s in test]) or 0.0
        out[f"t_{name}"] = t
    out["mean"] = float(np.mean([out[n] for n in names]))
    return out


def wice_figures(held: Sequence[Held], predicted: Sequence[str]) -> dict[str, float]:
    classes = ("supported", "partially_supported", "not_supported")
    gold = [h.item.label for h in held]
    f1s = []
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, predicted, strict=True))
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    return {"macro_f1": float(np.mean(f1s)), "accuracy": accuracy}


def three_way(label: str) -> str:
    return {"SUPPORTED": "supported", "PARTLY_SUPPORTED": "partially_supported"}.get(
        label, "not_supported"
    )


def threshold_rollup(
    h: Held, extractor: str, known: Known, k: int | None, forms: Sequence[str], t: float
) -> str:
    """Each claim SUPPORTED where its largest entailment reaches ``t`` (else lacking
    evidence), rolled up."""
    claims = h.claims[extractor]
    if not claims:
        return ""
    labels = [
        Label.SUPPORTED
        if max(s.entailment for s in claim_scores(h, c, known, k, forms)) >= t
        else Label.NOT_ENOUGH_INFO
        for c in claims
    ]
    return rollup(labels).value


def show(name: str, figures: dict[str, float]) -> None:
    parts = [f"{k} {v:.3f}" for k, v in figures.items() if not k.startswith("t_")]
    ts = [f"{v:.2f}" for k, v in figures.items() if k.startswith("t_")]
    print(f"{name}: " + ", ".join(parts) + (f" (t {'/'.join(ts)})" if ts else ""), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "runs" / "ground")
    parser.add_argument("--only", default="grounding,wice")
    args = parser.parse_args()
    held: dict[str, list[Held]] = pickle.loads((args.out / "items.pkl").read_bytes())
    known: Known = pickle.loads((args.out / "scores.pkl").read_bytes())
    cal = nli_calibration(Settings())
    ks: list[int | None] = [5, 10, 20, None]
    if "grounding" in args.only and "grounding" in held:
        g = held["grounding"]
        empty_gold = [h.item.label for h in g if not h.claims["builtin"]]
        print(
            f"grounding: {len(empty_gold)} texts without claims (builtin), gold "
            f"supported {empty_gold.count('supported')}"
        )
        for extractor in ("builtin", "sentence"):
            for forms in (["sentence"], ["previous"], ["sentence", "previous"]):
                for k in ks:
                    tag = f"{extractor} {'+'.join(forms)} k={k or 'all'}"
                    try:
                        labels = [pipeline_label(h, extractor, known, k, forms, cal) for h in g]
                    except KeyError:
                        continue
                    show(
                        f"pipeline {tag}",
                        grounding_figures(g, [binary(x, "not_supported") for x in labels]),
                    )
                    for combine in ("min", "mean"):
                        scores = [text_score(h, extractor, known, k, forms, combine) for h in g]
                        for empty in ("not_supported", "supported"):
                            t = fit_threshold(g, scores, empty)
                            inside = grounding_figures(
                                g, [_by_threshold(s, t, empty) for s in scores]
                            )
                            show(
                                f"  {combine}-max {tag} empty={empty[:3]} t={t:.2f} in-sample",
                                inside,
                            )
                            show(
                                f"  {combine}-max {tag} empty={empty[:3]} LOSO",
                                loso(g, scores, empty),
                            )
    if "wice" in args.only and "wice" in held:
        w = held["wice"]
        for extractor in ("builtin", "sentence"):
            for forms in (["sentence"], ["previous"]):
                for k in (5, 10, 20):
                    tag = f"{extractor} {forms[0]} k={k}"
                    try:
                        labels = [pipeline_label(h, extractor, known, k, forms, cal) for h in w]
                    except KeyError:
                        continue
                    show(f"wice pipeline {tag}", wice_figures(w, [three_way(x) for x in labels]))
                    for sup in (0.3, 0.4, 0.5, 0.56, 0.6, 0.7):
                        for ref in (0.6, 0.8, 0.95):
                            for margin in (0.2, 0.5, 1.0):
                                rule = Decisive(sup, ref, margin)
                                labels = [
                                    decisive_label(h, extractor, known, k, forms, rule) for h in w
                                ]
                                show(
                                    f"  wice decisive {tag} s={sup} r={ref} m={margin}",
                                    wice_figures(w, [three_way(x) for x in labels]),
                                )


if __name__ == "__main__":
    main()
