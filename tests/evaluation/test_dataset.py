"""The generic claims and corpus formats, and the dataset converters on small fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from truthgraph.domain import Label
from truthgraph.errors import DatasetError, InvalidInputError
from truthgraph.evaluation.accuracy_tables import END, START, accuracy_table, replace_section
from truthgraph.evaluation.convert import convert
from truthgraph.evaluation.dataset import (
    collection_name,
    export,
    pooled_corpus,
    read_claims,
    read_corpus,
)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# generic files ------------------------------------------------------------------------------


def test_claims_are_read_with_fever_labels_default_ids_and_optional_evidence(
    tmp_path: Path,
) -> None:
    path = write_jsonl(
        tmp_path / "mine.jsonl",
        [
            {"id": 7, "claim": " Cats purr. ", "label": "SUPPORTS", "evidence": ["Cats purr."]},
            {"claim": "Dogs fly.", "label": "NOT ENOUGH INFO"},
            {"id": "x", "claim": "Fish walk.", "label": "REFUTED", "evidence": "Fish swim."},
        ],
    )
    claims = read_claims(path)
    assert [c.id for c in claims] == ["7", "line-2", "x"]
    assert [c.label for c in claims] == [Label.SUPPORTED, Label.NOT_ENOUGH_INFO, Label.REFUTED]
    assert claims[0].claim == "Cats purr."
    assert claims[1].evidence == ()
    assert claims[2].evidence == ("Fish swim.",)
    assert claims[0].dataset == "mine"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"claim": "A.", "label": "MAYBE"}\n', "label 'MAYBE' is not SUPPORTED"),
        ('{"claim": "A.", "label": "SUPPORTED"}\n{oops\n', ":2: not valid JSON"),
        ('{"label": "SUPPORTED"}\n', 'missing or empty "claim"'),
        ('["a list"]\n', "expected a JSON object"),
        ('{"claim": "A.", "label": "REFUTED", "evidence": [1]}\n', '"evidence" must be'),
        (
            '{"id": 1, "claim": "A.", "label": "REFUTED"}\n{"id": 1, "claim": "B.", '
            '"label": "REFUTED"}\n',
            "id '1' repeats line 1",
        ),
        ("\n\n", "no claims"),
    ],
)
def test_bad_claims_files_are_refused_with_the_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        read_claims(path)


def test_missing_and_non_utf8_claims_files_are_dataset_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such file"):
        read_claims(tmp_path / "absent.jsonl")
    bad = tmp_path / "latin.jsonl"
    bad.write_bytes('{"claim": "caf\u00e9"}'.encode("latin-1"))
    with pytest.raises(DatasetError, match="not UTF-8"):
        read_claims(bad)


def test_a_corpus_file_is_read_as_ingest_reads_it_and_named_by_its_digest(
    tmp_path: Path,
) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [{"id": "d1", "title": "T", "text": "A. B."}])
    corpus = read_corpus(path)
    assert [(d.external_id, d.title, d.text) for d in corpus.documents] == [("d1", "T", "A. B.")]
    name = collection_name(corpus, "/models/all-MiniLM-L6-v2")
    assert name == f"eval-{corpus.sha256[:12]}-all-MiniLM-L6-v2"
    assert collection_name(corpus, "weird name!") == f"eval-{corpus.sha256[:12]}-weird_name"
    with pytest.raises(DatasetError, match="no such file"):
        read_corpus(tmp_path / "absent.jsonl")


def test_pooled_corpus_keeps_each_gold_text_once(tmp_path: Path) -> None:
    claims = read_claims(
        write_jsonl(
            tmp_path / "c.jsonl",
            [
                {"id": 1, "claim": "A.", "label": "SUPPORTED", "evidence": ["E one.", "E two."]},
                {"id": 2, "claim": "B.", "label": "REFUTED", "evidence": ["E one."]},
                {"id": 3, "claim": "C.", "label": "NOT_ENOUGH_INFO"},
            ],
        )
    )
    corpus = pooled_corpus(claims, "mine")
    assert [d.text for d in corpus.documents] == ["E one.", "E two."]
    with pytest.raises(InvalidInputError, match="retrieval needs a corpus"):
        pooled_corpus(claims[2:], "mine")


# converters ---------------------------------------------------------------------------------


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    """A miniature ../shared/data with the real layouts and formats."""
    root = tmp_path / "data"
    write_jsonl(
        root / "scifact" / "corpus.jsonl",
        [
            {"doc_id": 11, "title": "Aspirin", "abstract": ["Aspirin thins blood.", "It is old."]},
            {"doc_id": 12, "title": "Sleep", "abstract": ["Sleep helps memory."]},
        ],
    )
    write_jsonl(
        root / "scifact" / "claims_train.jsonl",
        [
            {
                "id": 1,
                "claim": "Aspirin thins blood.",
                "evidence": {"11": [{"sentences": [0], "label": "SUPPORT"}]},
                "cited_doc_ids": [11],
            },
            {
                "id": 2,
                "claim": "Sleep harms memory.",
                "evidence": {"12": [{"sentences": [0], "label": "CONTRADICT"}]},
                "cited_doc_ids": [12],
            },
            {"id": 3, "claim": "Coffee cures colds.", "evidence": {}, "cited_doc_ids": [11]},
        ],
    )
    write_jsonl(
        root / "fever" / "paper_dev.jsonl",
        [
            {
                "id": 111897,
                "claim": "Soul Food was released by Fox 2000 Pictures .",
                "label": "SUPPORTS",
                "evidence_pages": ["Soul_Food_-LRB-film-RRB-"],
                "evidence_text": ["Soul Food is a 1997 film released by Fox 2000 Pictures ."],
            },
            {
                "id": 11,
                "claim": "Soul Food is a 2010 film.",
                "label": "REFUTES",
                "evidence_pages": ["Soul_Food_-LRB-film-RRB-"],
                "evidence_text": ["Soul Food is a 1997 film released by Fox 2000 Pictures ."],
            },
            {
                "id": 12,
                "claim": "Tilda Swinton is a vegan.",
                "label": "NOT ENOUGH INFO",
                "evidence_pages": [],
                "evidence_text": [],
            },
        ],
    )
    write_jsonl(
        root / "fever-symmetric" / "fever_symmetric_dev.jsonl",
        [
            {"id": "a", "claim": "X is red .", "evidence": "X is red .", "label": "SUPPORTS"},
            {"id": "a", "claim": "X is blue .", "evidence": "X is red .", "label": "REFUTES"},
        ],
    )
    write_jsonl(
        root / "nli-samples" / "vitaminc" / "test.jsonl",
        [
            {"claim": "Y won .", "evidence": "Y won the cup .", "label": "supports", "id": "v"},
            {"claim": "Y lost .", "evidence": "Y won the cup .", "label": "refutes", "id": "v"},
        ],
    )
    write_jsonl(
        root / "nli-samples" / "vitaminc" / "train_0.jsonl",
        [{"claim": "Z ran .", "evidence": "Z walked .", "label": "not enough info", "id": "t"}],
    )
    for i in range(1, 5):
        write_jsonl(root / "nli-samples" / "vitaminc" / f"train_{i}.jsonl", [])
    return root


def test_scifact_is_retrieval_over_abstracts_with_sentences_as_given(data_dir: Path) -> None:
    eval_set = convert("scifact", data_dir, "all")
    assert eval_set.default_mode == "retrieval"
    assert [(c.id, c.label) for c in eval_set.claims] == [
        ("1", Label.SUPPORTED),
        ("2", Label.REFUTED),
        ("3", Label.NOT_ENOUGH_INFO),
    ]
    assert eval_set.claims[0].evidence == ("Aspirin thins blood.",)
    assert eval_set.corpus is not None
    first = eval_set.corpus.documents[0]
    assert (first.external_id, first.title) == ("11", "Aspirin")
    assert first.text == "Aspirin thins blood.\n\nIt is old."  # a blank line ends a sentence


def test_fever_is_retrieval_over_the_pooled_gold_evidence(data_dir: Path) -> None:
    eval_set = convert("fever", data_dir, "all")
    assert eval_set.default_mode == "retrieval"
    assert [c.label for c in eval_set.claims] == [
        Label.SUPPORTED,
        Label.REFUTED,
        Label.NOT_ENOUGH_INFO,
    ]
    assert [c.id for c in eval_set.claims] == ["111897", "11", "12"]
    assert eval_set.corpus is not None
    (doc,) = eval_set.corpus.documents  # both claims cite the same sentence: one document
    assert doc.text == "Soul Food is a 1997 film released by Fox 2000 Pictures."
    assert doc.title == "Soul Food (film)"
    assert eval_set.claims[0].claim == "Soul Food was released by Fox 2000 Pictures."


def test_fever_split_is_the_fixed_hash_split(data_dir: Path, tmp_path: Path) -> None:
    assert [c.id for c in convert("fever", data_dir, "heldout").claims] == ["111897"]
    assert [c.id for c in convert("fever", data_dir, "train").claims] == ["11", "12"]
    only_train = tmp_path / "only-train"
    rows = (data_dir / "fever" / "paper_dev.jsonl").read_text().splitlines()[1:]
    write_jsonl(only_train / "fever" / "paper_dev.jsonl", [json.loads(r) for r in rows])
    with pytest.raises(DatasetError, match="no claims in the heldout split"):
        convert("fever", only_train, "heldout")


def test_single_evidence_datasets_are_oracle_with_unique_ids(data_dir: Path) -> None:
    symmetric = convert("fever-symmetric", data_dir, "all")
    assert symmetric.default_mode == "oracle"
    assert [c.id for c in symmetric.claims] == ["a-0", "a-1"]
    assert symmetric.claims[1].evidence == ("X is red.",)
    vitaminc = convert("vitaminc", data_dir, "heldout")
    assert vitaminc.default_mode == "oracle"
    assert [c.id for c in vitaminc.claims] == ["v", "v#2"]  # made unique
    assert [c.label for c in convert("vitaminc", data_dir, "train").claims] == [
        Label.NOT_ENOUGH_INFO
    ]
    assert len(convert("vitaminc", data_dir, "all").claims) == 3
    with pytest.raises(DatasetError, match="no dev split"):
        convert("vitaminc", data_dir, "dev")


def test_a_missing_dataset_file_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such file"):
        convert("fever", tmp_path, "heldout")


def test_an_export_reads_back_as_the_same_claims_and_collection(
    data_dir: Path, tmp_path: Path
) -> None:
    eval_set = convert("scifact", data_dir, "all")
    written = export(eval_set, tmp_path / "export")
    assert read_claims(written["claims"]) == tuple(
        c.__class__(id=c.id, claim=c.claim, label=c.label, evidence=c.evidence, dataset="claims")
        for c in eval_set.claims
    )
    corpus = read_corpus(written["corpus"])
    assert eval_set.corpus is not None
    assert corpus.sha256 == eval_set.corpus.sha256  # the same collection on a rerun
    assert [d.text for d in corpus.documents] == [d.text for d in eval_set.corpus.documents]


# the accuracy table -------------------------------------------------------------------------


def _report(dataset: str, recall: float | None) -> dict[str, Any]:
    return {
        "dataset": dataset,
        "n": 100,
        "accuracy": 0.5,
        "macro_f1": 0.4567,
        "strict": {"score": 0.25},
        "evidence": {"recall_at_k": recall, "k": 10},
        "calibration": {"ece": 0.1234},
        "latency_ms": {"p50": 61.4},
        "config": {
            "mode": "retrieval" if recall is not None else "oracle",
            "split": "heldout",
            "nli_model": "verifier",
            "nli_backend": "onnx-int8",
            "machine": {"line": "2 CPUs"},
        },
    }


def test_the_accuracy_table_has_one_row_per_report() -> None:
    table = accuracy_table([_report("scifact", 0.8), _report("vitaminc", None)])
    lines = table.splitlines()
    assert len(lines) == 4
    assert lines[2] == (
        "| scifact | retrieval | heldout | 100 | 50.0% | 0.457 | 25.0% | 80.0% (k=10) | 0.123 "
        "| 61 | verifier (onnx-int8) | 2 CPUs |"
    )
    assert "| vitaminc | oracle | heldout | 100 | 50.0% | 0.457 | 25.0% | n/a |" in lines[3]


def test_the_readme_section_between_the_markers_is_replaced() -> None:
    text = f"intro\n{START}\nold table\n{END}\nrest\n"
    assert replace_section(text, "new table\n") == f"intro\n{START}\nnew table\n{END}\nrest\n"
    with pytest.raises(ValueError, match="no"):
        replace_section("no markers", "x")
