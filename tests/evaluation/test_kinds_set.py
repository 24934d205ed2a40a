"""The kinds set (hand-written claims by kind over invented documents) and the per-kind report."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from truthgraph.data.datasets import LabeledClaim
from truthgraph.domain import Label, Strategy, Verdict
from truthgraph.errors import DatasetError
from truthgraph.evaluation.dataset import KINDS, KINDS_PACKAGE, claims_jsonl, kinds_set, read_claims
from truthgraph.evaluation.evaluate import NO_KIND, Prediction, measure, per_kind
from truthgraph.evaluation.report_files import render_markdown, summary
from truthgraph.reading.sentences import split_sentences

S, R, NEI = Label.SUPPORTED, Label.REFUTED, Label.NOT_ENOUGH_INFO
NEI_KINDS = ("other-fact", "unmentioned")


def rows(name: str) -> list[dict[str, Any]]:
    text = resources.files(KINDS_PACKAGE).joinpath("kinds", name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_the_set_parses_with_a_corpus_of_twelve_short_documents() -> None:
    eval_set = kinds_set()
    assert (eval_set.name, eval_set.default_mode, eval_set.split) == ("kinds", "retrieval", None)
    assert eval_set.corpus is not None and len(eval_set.corpus.documents) == 12
    for document in eval_set.corpus.documents:
        assert 80 <= len(document.text.split()) <= 200, document.external_id
        assert document.title and document.external_id
    assert all(c.dataset == "kinds" and c.kind for c in eval_set.claims)


def test_every_kind_has_its_minimum_and_the_labels_it_allows() -> None:
    claims = kinds_set().claims
    counts = Counter(c.kind for c in claims)
    assert set(counts) == set(KINDS)
    for kind in KINDS:
        labels = {c.label for c in claims if c.kind == kind}
        if kind in NEI_KINDS:
            assert counts[kind] >= 18 and labels == {NEI}, kind
        elif kind == "swapped-entity":
            assert counts[kind] >= 12 and labels == {R}, kind
        else:
            assert counts[kind] >= 12 and labels == {S, R}, kind


def test_the_labels_are_balanced_within_ten_points() -> None:
    claims = kinds_set().claims
    shares = {label: sum(c.label is label for c in claims) / len(claims) for label in Label}
    assert all(abs(share - 1 / 3) <= 0.10 for share in shares.values()), shares


def test_gold_evidence_is_whole_sentences_of_the_claims_document() -> None:
    documents = {d["id"]: d for d in rows("corpus.jsonl")}
    sentences = {i: [s.text for s in split_sentences(d["text"])] for i, d in documents.items()}
    for row in rows("claims.jsonl"):
        if row["label"] == NEI.value:
            assert row["evidence"] == [], row["id"]
            if row["kind"] == "other-fact":  # about a subject of the corpus
                assert row["document"] in documents, row["id"]
            continue
        assert row["evidence"], row["id"]
        assert row["document"] in documents, row["id"]
        for sentence in row["evidence"]:
            assert sentence in documents[row["document"]]["text"], (row["id"], sentence)
            assert sentence in sentences[row["document"]], (row["id"], sentence)
    two = [r for r in rows("claims.jsonl") if r["kind"] == "two-sentences"]
    assert all(len(r["evidence"]) == 2 for r in two)


def test_a_claims_file_reads_and_writes_the_kind(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text(
        '{"id": "a", "claim": "A.", "label": "SUPPORTED", "kind": " pronoun "}\n'
        '{"id": "b", "claim": "B.", "label": "REFUTED"}\n',
        encoding="utf-8",
    )
    claims = read_claims(path)
    assert [c.kind for c in claims] == ["pronoun", ""]
    written = [json.loads(line) for line in claims_jsonl(claims).splitlines()]
    assert written[0]["kind"] == "pronoun" and "kind" not in written[1]
    path.write_text('{"claim": "A.", "label": "SUPPORTED", "kind": 3}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match='"kind" must be a text'):
        read_claims(path)


def prediction(number: int, kind: str, gold: Label, predicted: Label) -> Prediction:
    claim = LabeledClaim(id=f"c{number}", claim=f"Claim {number}.", label=gold, kind=kind)
    verdict = Verdict(
        claim=claim.claim,
        label=predicted,
        confidence=0.8,
        scores={label: 0.8 if label is predicted else 0.1 for label in Label},
        evidence=(),
        strategy=Strategy.WEIGHTED_VOTE,
        collection="c",
        timings_ms={"total": 10.0},
    )
    return Prediction(claim, verdict)


def test_the_report_gives_the_accuracy_and_confusion_per_kind() -> None:
    predictions = [
        prediction(1, "pronoun", S, R),
        prediction(2, "pronoun", S, S),
        prediction(3, "pronoun", R, R),
        prediction(4, "other-fact", NEI, R),
        prediction(5, "other-fact", NEI, NEI),
        prediction(6, "", S, S),
    ]
    report = measure(predictions, "oracle", 5)
    kinds = report["per_kind"]
    assert list(kinds) == ["pronoun", "other-fact", NO_KIND]
    assert (kinds["pronoun"]["n"], kinds["pronoun"]["correct"]) == (3, 2)
    assert kinds["pronoun"]["accuracy"] == pytest.approx(2 / 3)
    assert kinds["pronoun"]["confusion"][S.value] == {S.value: 1, R.value: 1, NEI.value: 0}
    assert kinds["other-fact"]["confusion"][NEI.value][R.value] == 1
    assert (kinds[NO_KIND]["n"], kinds[NO_KIND]["correct"]) == (1, 1)
    assert prediction(7, "date", S, S).to_dict()["kind"] == "date"
    assert "kind" not in prediction(8, "", S, S).to_dict()

    report |= {
        "dataset": "kinds",
        "command": "truthgraph eval --dataset kinds",
        "out": "out",
        "wall_s": 1.0,
        "config": {"mode": "oracle", "split": None},
    }
    markdown = render_markdown(report)
    assert "## Per kind of claim" in markdown
    assert "| pronoun | 3 | 2 | 66.7% | S 2 → 1/1/0; R 1 → 0/1/0 |" in markdown
    assert "| other-fact | 2 | 1 | 50.0% | NEI 2 → 0/1/1 |" in markdown
    assert summary(report)["per_kind"]["other-fact"] == 0.5


def test_claims_without_kinds_give_no_per_kind_section() -> None:
    report = measure([prediction(1, "", S, S), prediction(2, "", R, S)], "oracle", 5)
    assert "per_kind" not in report
    assert per_kind([prediction(1, "", S, S)]) == {}
