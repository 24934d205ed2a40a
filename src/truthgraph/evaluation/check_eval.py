"""``truthgraph eval-check``: how well ``check`` labels whole sentences.

Items are ``{"id", "text", "evidence": [sentence, ...], "label", "dataset"?}`` with the
label ``supported``, ``partially_supported`` or ``not_supported`` (WiCE's; the grounding set's
are the first and the last). Each item's evidence is its own document: it is split and
embedded in memory and the text is checked against it through the whole pipeline
(extraction, retrieval, NLI, roll-up) with ``check.against``: no database, so an item costs
model time and nothing else. The verdict maps SUPPORTED -> supported, PARTLY_SUPPORTED ->
partially_supported, anything else (and a text with no check-worthy sentence) ->
not_supported; with binary labels, everything but SUPPORTED is not_supported (gold
partially_supported included). An item that cannot be read (a control character in its
text or evidence, an empty document) is reported and counted, and the run goes on.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from truthgraph.check.against import MemoryEvidenceStore, check_against
from truthgraph.check.report import CheckReport
from truthgraph.data.jsonl import read_objects
from truthgraph.domain import RawDocument
from truthgraph.errors import DatasetError, NothingToCheckError, TruthGraphError
from truthgraph.extract import ClaimExtractor
from truthgraph.ports import Embedder
from truthgraph.verify.options import VerifyOptions
from truthgraph.verify.verifier import Verifier

CLASSES = ("supported", "partially_supported", "not_supported")
BINARY_CLASSES = ("supported", "not_supported")
_MAP = {"SUPPORTED": "supported", "PARTLY_SUPPORTED": "partially_supported"}
WICE_FILE = Path("wice") / "dev.jsonl"
GROUNDING_FILE = Path("grounding") / "dev.jsonl"


@dataclass(frozen=True, slots=True)
class CheckItem:
    """A text to check, its own evidence and its gold label."""

    id: str
    text: str
    evidence: tuple[str, ...]
    label: str
    dataset: str | None = None  # the source set (the grounding file's ``dataset``)


@dataclass(frozen=True, slots=True)
class CheckPrediction:
    item: CheckItem
    predicted: str
    claims: int
    unmapped: int
    sentences: int
    verdict: str | None
    report: dict[str, Any] | None
    gold: str = ""  # the gold label in the run's classes ("" : the item's own)
    error: str | None = None  # why the item could not be checked (then not measured)

    @property
    def gold_label(self) -> str:
        return self.gold or self.item.label

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "dataset": self.item.dataset,
            "text": self.item.text,
            "gold": self.gold_label,
            "predicted": self.predicted,
            "correct": self.error is None and self.predicted == self.gold_label,
            "error": self.error,
            "verdict": self.verdict,
            "sentences_checked": self.sentences,
            "claims": self.claims,
            "claims_unmapped": self.unmapped,
            "claim_verdicts": (
                [
                    {"text": c["text"], "verdict": c["verdict"], "confidence": c["confidence"]}
                    for s in self.report["sentences"]
                    for c in s["claims"]
                ]
                if self.report
                else []
            ),
        }


def _item(row: dict[str, Any], where: str) -> CheckItem:
    text, label, evidence = row.get("text"), row.get("label"), row.get("evidence")
    if not isinstance(text, str) or not text.strip():
        raise DatasetError(f'{where}: missing or empty "text"')
    if label not in CLASSES:
        raise DatasetError(f'{where}: "label" must be one of {", ".join(CLASSES)}')
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise DatasetError(f'{where}: "evidence" must be a list of sentences')
    dataset = row.get("dataset")
    return CheckItem(
        str(row.get("id", where)),
        text,
        tuple(evidence),
        str(label),
        str(dataset) if dataset is not None else None,
    )


def read_items(path: Path) -> list[CheckItem]:
    """Items from a JSONL file, checked whole before anything runs."""
    items = [_item(row, f"{path}:{number}") for number, row in read_objects(path)]
    if not items:
        raise DatasetError(f"{path}: no items")
    return items


def load_wice(data_dir: Path) -> list[CheckItem]:
    """WiCE dev (Kamoi et al. 2023): each Wikipedia sentence with the sentences of the web
    article it cites. Its ``claim`` is the text; its ``meta.id`` the id."""
    path = data_dir / WICE_FILE
    if not path.is_file():
        raise DatasetError(f"{path}: not found (WiCE dev lives at <data-dir>/wice/dev.jsonl)")
    items = []
    for number, row in read_objects(path):
        meta = row.get("meta") or {}
        converted = {
            "id": meta.get("id", number),
            "text": row.get("claim"),
            "evidence": row.get("evidence"),
            "label": row.get("label"),
        }
        items.append(_item(converted, f"{path}:{number}"))
    return items


def load_grounding(data_dir: Path) -> list[CheckItem]:
    """The grounding dev set: texts (summaries, RAG answers) with the document they came
    with, already split into sentences; label supported / not_supported; ``dataset`` names
    the source set (AggreFact CNN/DM and XSum, ExpertQA, ClaimVerify, AttributedQA)."""
    path = data_dir / GROUNDING_FILE
    if not path.is_file():
        raise DatasetError(
            f"{path}: not found (the grounding set lives at <data-dir>/grounding/dev.jsonl)"
        )
    return read_items(path)


def map_verdict(report: CheckReport | None, labels: str = "three-way") -> str:
    if report is None:
        return "not_supported"
    predicted = _MAP.get(report.label.value, "not_supported")
    return binary_label(predicted) if labels == "binary" else predicted


def binary_label(label: str) -> str:
    return "supported" if label == "supported" else "not_supported"


def evaluate_check(
    items: Sequence[CheckItem],
    verifier: Verifier,
    embedder: Embedder,
    extractor: ClaimExtractor,
    options: VerifyOptions,
    progress: Callable[[int, int], None] | None = None,
    labels: str = "three-way",
) -> list[CheckPrediction]:
    """Check every item against its own evidence, held in memory (nothing is stored). An
    item that cannot be read or checked is a prediction with its ``error``, and the run goes
    on."""
    predictions: list[CheckPrediction] = []
    for position, item in enumerate(items):
        gold = binary_label(item.label) if labels == "binary" else item.label
        try:
            predictions.append(_predict(item, gold, verifier, embedder, extractor, options, labels))
        except TruthGraphError as exc:
            predictions.append(
                CheckPrediction(item, "", 0, 0, 0, None, None, gold, f"{type(exc).__name__}: {exc}")
            )
        if progress is not None:
            progress(position + 1, len(items))
    return predictions


def _predict(
    item: CheckItem,
    gold: str,
    verifier: Verifier,
    embedder: Embedder,
    extractor: ClaimExtractor,
    options: VerifyOptions,
    labels: str,
) -> CheckPrediction:
    sentences = [e.strip() for e in item.evidence if e.strip()]
    if not sentences:
        raise DatasetError("the item's evidence is empty")
    # one document, a paragraph per given sentence: each stays a sentence (the chunking
    # splits at paragraph breaks) and knows the one before it
    document = RawDocument(text="\n\n".join(sentences), source=item.id)
    store = MemoryEvidenceStore([document], embedder)
    try:
        report: CheckReport | None = check_against(
            verifier, item.text, store, extractor, options, labels=labels
        )
    except NothingToCheckError:
        report = None
    return CheckPrediction(
        item=item,
        predicted=map_verdict(report, labels),
        claims=len(report.claims) if report else 0,
        unmapped=report.counts()["claims_unmapped"] if report else 0,
        sentences=report.counts()["sentences_checked"] if report else 0,
        verdict=report.label.value if report else None,
        report=report.to_dict() if report else None,
        gold=gold,
    )


def balanced_accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float | None:
    """The mean recall over the gold classes present (None for no items)."""
    present = sorted(set(gold))
    if not present:
        return None
    recalls = []
    for label in present:
        mine = [q for g, q in zip(gold, predicted, strict=True) if g == label]
        recalls.append(sum(q == label for q in mine) / len(mine))
    return sum(recalls) / len(recalls)


def measure_by_dataset(predictions: Sequence[CheckPrediction]) -> dict[str, Any]:
    """Balanced accuracy per source set (items with a ``dataset``) and their mean, the way
    the LLM-AggreFact family is scored."""
    measured = [p for p in predictions if p.error is None and p.item.dataset is not None]
    names = sorted({p.item.dataset for p in measured if p.item.dataset is not None})
    by: dict[str, dict[str, Any]] = {}
    for name in names:
        mine = [p for p in measured if p.item.dataset == name]
        by[name] = {
            "n": len(mine),
            "balanced_accuracy": balanced_accuracy(
                [p.gold_label for p in mine], [p.predicted for p in mine]
            ),
        }
    scores = [v["balanced_accuracy"] for v in by.values() if v["balanced_accuracy"] is not None]
    return {
        "by_dataset": by,
        "balanced_accuracy_mean": sum(scores) / len(scores) if scores else None,
    }


def measure_check(
    predictions: Sequence[CheckPrediction], labels: str = "three-way"
) -> dict[str, Any]:
    """Accuracy, balanced accuracy, macro-F1 over the gold classes, per-class P/R/F1, the
    confusion matrix, claims per sentence and span-mapping failures, over the items that
    could be checked; ``errors`` counts (and ``failed`` names) the rest; per source set
    (``by_dataset``) where the items name one."""
    failed = [p for p in predictions if p.error is not None]
    everything = predictions
    predictions = [p for p in predictions if p.error is None]
    classes = BINARY_CLASSES if labels == "binary" else CLASSES
    gold = [p.gold_label for p in predictions]
    predicted = [p.predicted for p in predictions]
    per_class: dict[str, dict[str, float]] = {}
    for label in classes:
        tp = sum(g == label and q == label for g, q in zip(gold, predicted, strict=True))
        fp = sum(g != label and q == label for g, q in zip(gold, predicted, strict=True))
        fn = sum(g == label and q != label for g, q in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": gold.count(label),
        }
    present = [c for c in classes if c in gold]
    pairs = list(zip(gold, predicted, strict=True))
    n = len(predictions)
    claims = [p.claims for p in predictions if p.sentences]
    proposed = sum(p.claims + p.unmapped for p in predictions)
    return {
        "n": n,
        "labels": labels,
        "errors": len(failed),
        "failed": [{"id": p.item.id, "error": p.error} for p in failed],
        "n_total": len(everything),
        "accuracy": sum(g == q for g, q in zip(gold, predicted, strict=True)) / n if n else 0.0,
        "balanced_accuracy": balanced_accuracy(gold, predicted),
        **measure_by_dataset(everything),
        "macro_f1": (sum(per_class[c]["f1"] for c in present) / len(present)) if present else 0.0,
        "per_class": per_class,
        "confusion": {g: {q: pairs.count((g, q)) for q in classes} for g in classes},
        "claims": {
            "total": sum(claims),
            "per_text_mean": statistics.fmean(claims) if claims else 0.0,
            "per_text_median": statistics.median(claims) if claims else 0.0,
            "unmapped": sum(p.unmapped for p in predictions),
            "unmapped_share": (
                sum(p.unmapped for p in predictions) / proposed if proposed else 0.0
            ),
            "texts_not_check_worthy": sum(p.verdict is None for p in predictions),
        },
        "predicted_counts": {c: predicted.count(c) for c in classes},
    }


def _classes(report: dict[str, Any]) -> tuple[str, ...]:
    return BINARY_CLASSES if report.get("labels") == "binary" else CLASSES


def _figure(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "n/a"


def render_check_markdown(report: dict[str, Any]) -> str:
    claims = report["claims"]
    classes = _classes(report)
    lines = [
        f"# Checking whole texts: {report['dataset']} (extractor {report['extractor']})",
        "",
        f"`{report['command']}` · {report['created_at']} · {report['machine']}",
        "",
        "| figure | value |",
        "|---|---|",
        f"| texts | {report['n']} (labels {report.get('labels', 'three-way')}) |",
        f"| items that could not be checked | {report.get('errors', 0)} |",
        f"| accuracy | {100 * report['accuracy']:.1f}% |",
        f"| balanced accuracy | {_figure(report.get('balanced_accuracy'))} |",
        f"| macro-F1 | {report['macro_f1']:.3f} |",
        f"| claims per text (mean / median) | {claims['per_text_mean']:.2f} / "
        f"{claims['per_text_median']:.1f} |",
        f"| claims dropped by the span check | {claims['unmapped']} "
        f"({100 * claims['unmapped_share']:.1f}% of proposed) |",
        f"| texts with no check-worthy sentence | {claims['texts_not_check_worthy']} |",
        f"| wall time | {report['wall_s']:.0f} s |",
        "",
        "| class | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for name, row in report["per_class"].items():
        lines.append(
            f"| {name} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | "
            f"{row['support']} |"
        )
    lines += ["", "Confusion (rows gold, columns predicted):", ""]
    lines.append("| gold \\ predicted | " + " | ".join(classes) + " |")
    lines.append("|---" * (len(classes) + 1) + "|")
    for gold, row in report["confusion"].items():
        lines.append(f"| {gold} | " + " | ".join(str(row[c]) for c in classes) + " |")
    if report.get("by_dataset"):
        lines += ["", "Balanced accuracy per source set:", "", "| set | n | balanced accuracy |"]
        lines.append("|---|---|---|")
        for name, row in report["by_dataset"].items():
            lines.append(f"| {name} | {row['n']} | {_figure(row['balanced_accuracy'])} |")
        lines.append(f"| **mean** | | **{_figure(report.get('balanced_accuracy_mean'))}** |")
    if report.get("failed"):
        lines += ["", "Items that could not be checked:", ""]
        lines += [f"- `{f['id']}`: {f['error']}" for f in report["failed"]]
    return "\n".join(lines) + "\n"


def write_check_report(
    out: Path, report: dict[str, Any], predictions: Sequence[CheckPrediction]
) -> None:
    """report.json, report.md, predictions.jsonl and confusion.png in ``out``."""
    from truthgraph.evaluation.plots import plot_confusion

    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out / "report.md").write_text(render_check_markdown(report), encoding="utf-8")
    with (out / "predictions.jsonl").open("w", encoding="utf-8") as handle:
        for prediction in predictions:
            handle.write(json.dumps(prediction.to_dict(), ensure_ascii=False) + "\n")
    plot_confusion(
        report["confusion"],
        out / "confusion.png",
        f"{report['dataset']} ({report['extractor']}, n={report['n']})",
        labels=_classes(report),
        names={"supported": "supp.", "partially_supported": "partly", "not_supported": "not"},
    )
