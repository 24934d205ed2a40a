"""``truthgraph eval-check``: how well ``check`` labels whole sentences.

Items are ``{"id", "text", "evidence": [sentence, ...], "label"}`` with the label
``supported``, ``partially_supported`` or ``not_supported`` (WiCE's). Each item's evidence is
its own corpus: it is ingested into a fresh collection of its own, the text is checked against
it through the whole pipeline (extraction, retrieval, NLI, roll-up), and the collection is
dropped. The verdict maps SUPPORTED -> supported, PARTLY_SUPPORTED -> partially_supported,
anything else (and a text with no check-worthy sentence) -> not_supported.
"""

from __future__ import annotations

import json
import statistics
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from truthgraph.check.report import CheckReport
from truthgraph.check.run import check_text
from truthgraph.domain import RawDocument
from truthgraph.errors import DatasetError, NothingToCheckError
from truthgraph.extract import ClaimExtractor
from truthgraph.ingest.pipeline import IngestStore, ingest
from truthgraph.jsonl import read_objects
from truthgraph.ports import Embedder
from truthgraph.settings import RetrievalSettings
from truthgraph.verify.options import VerifyOptions
from truthgraph.verify.verifier import Verifier

CLASSES = ("supported", "partially_supported", "not_supported")
_MAP = {"SUPPORTED": "supported", "PARTLY_SUPPORTED": "partially_supported"}
WICE_FILE = Path("wice") / "dev.jsonl"


@dataclass(frozen=True, slots=True)
class CheckItem:
    """A text to check, its own evidence and its gold label."""

    id: str
    text: str
    evidence: tuple[str, ...]
    label: str


@dataclass(frozen=True, slots=True)
class CheckPrediction:
    item: CheckItem
    predicted: str
    claims: int
    unmapped: int
    sentences: int
    verdict: str | None
    report: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "text": self.item.text,
            "gold": self.item.label,
            "predicted": self.predicted,
            "correct": self.predicted == self.item.label,
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
    return CheckItem(str(row.get("id", where)), text, tuple(evidence), str(label))


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


def map_verdict(report: CheckReport | None) -> str:
    if report is None:
        return "not_supported"
    return _MAP.get(report.label.value, "not_supported")


class CheckStore(IngestStore, Protocol):
    """What eval-check needs of the store: ingestion, and making and dropping collections."""

    def ensure_collection(
        self, name: str, embedding_model: str, embedding_dim: int, retrieval: RetrievalSettings
    ) -> Any: ...

    def drop_collection(self, name: str) -> None: ...


def evaluate_check(
    items: Sequence[CheckItem],
    verifier: Verifier,
    store: CheckStore,
    embedder: Embedder,
    dimension: int,
    retrieval: RetrievalSettings,
    extractor: ClaimExtractor,
    options: VerifyOptions,
    progress: Callable[[int, int], None] | None = None,
) -> list[CheckPrediction]:
    """Check every item against a fresh collection of its own evidence, dropped after."""
    run = uuid.uuid4().hex[:8]
    predictions: list[CheckPrediction] = []
    for position, item in enumerate(items):
        name = f"eval-check-{run}-{position}"
        target = store.ensure_collection(name, embedder.name, dimension, retrieval)
        try:
            documents = [
                RawDocument(text=e, source=f"{item.id}#{i}")
                for i, e in enumerate(item.evidence)
                if e.strip()
            ]
            ingest(documents, target, store, embedder)
            try:
                report: CheckReport | None = check_text(
                    verifier, item.text, name, extractor, options
                )
            except NothingToCheckError:
                report = None
        finally:
            store.drop_collection(name)
        predictions.append(
            CheckPrediction(
                item=item,
                predicted=map_verdict(report),
                claims=len(report.claims) if report else 0,
                unmapped=report.counts()["claims_unmapped"] if report else 0,
                sentences=report.counts()["sentences_checked"] if report else 0,
                verdict=report.label.value if report else None,
                report=report.to_dict() if report else None,
            )
        )
        if progress is not None:
            progress(position + 1, len(items))
    return predictions


def measure_check(predictions: Sequence[CheckPrediction]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the gold classes, per-class P/R/F1, the confusion matrix,
    claims per sentence and span-mapping failures."""
    gold = [p.item.label for p in predictions]
    predicted = [p.predicted for p in predictions]
    per_class: dict[str, dict[str, float]] = {}
    for label in CLASSES:
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
    present = [c for c in CLASSES if c in gold]
    pairs = list(zip(gold, predicted, strict=True))
    n = len(predictions)
    claims = [p.claims for p in predictions if p.sentences]
    proposed = sum(p.claims + p.unmapped for p in predictions)
    return {
        "n": n,
        "accuracy": sum(g == q for g, q in zip(gold, predicted, strict=True)) / n if n else 0.0,
        "macro_f1": (sum(per_class[c]["f1"] for c in present) / len(present)) if present else 0.0,
        "per_class": per_class,
        "confusion": {g: {q: pairs.count((g, q)) for q in CLASSES} for g in CLASSES},
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
        "predicted_counts": {c: predicted.count(c) for c in CLASSES},
    }


def render_check_markdown(report: dict[str, Any]) -> str:
    claims = report["claims"]
    lines = [
        f"# Checking whole texts: {report['dataset']} (extractor {report['extractor']})",
        "",
        f"`{report['command']}` · {report['created_at']} · {report['machine']}",
        "",
        "| figure | value |",
        "|---|---|",
        f"| texts | {report['n']} |",
        f"| accuracy | {100 * report['accuracy']:.1f}% |",
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
    lines.append("| gold \\ predicted | " + " | ".join(CLASSES) + " |")
    lines.append("|---" * (len(CLASSES) + 1) + "|")
    for gold, row in report["confusion"].items():
        lines.append(f"| {gold} | " + " | ".join(str(row[c]) for c in CLASSES) + " |")
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
        labels=CLASSES,
        names={"supported": "supp.", "partially_supported": "partly", "not_supported": "not"},
    )
