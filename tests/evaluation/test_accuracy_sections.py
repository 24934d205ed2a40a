"""The kinds and checking sections of ``scripts/eval_results.py``: fake report.json objects in,
Markdown out (no model, no run)."""

from __future__ import annotations

from typing import Any

import pytest

from truthgraph.evaluation.accuracy_tables import (
    CHECK_END,
    CHECK_START,
    END,
    KINDS_END,
    KINDS_START,
    START,
    check_section,
    check_table,
    kinds_section,
    kinds_table,
    replace_section,
    section_body,
)

LABELS = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")


def _confusion(cells: list[list[int]]) -> dict[str, dict[str, int]]:
    return {g: dict(zip(LABELS, row, strict=True)) for g, row in zip(LABELS, cells, strict=True)}


def _kinds_report() -> dict[str, Any]:
    return {
        "dataset": "kinds",
        "n": 20,
        "accuracy": 0.65,
        "confusion": _confusion([[5, 1, 2], [1, 4, 1], [1, 1, 4]]),
        "per_kind": {
            "pronoun": {
                "n": 12,
                "correct": 9,
                "accuracy": 0.75,
                "confusion": _confusion([[5, 1, 1], [1, 4, 0], [0, 0, 0]]),
            },
            "unmentioned": {
                "n": 8,
                "correct": 4,
                "accuracy": 0.5,
                "confusion": _confusion([[0, 0, 1], [0, 0, 1], [1, 1, 4]]),
            },
        },
        "config": {"mode": "retrieval", "split": None, "git_sha": "abc1234"},
    }


def _wice() -> dict[str, Any]:
    return {
        "dataset": "wice-dev",
        "labels": "three-way",
        "extractor": "builtin",
        "nli_model": "verifier",
        "machine": "2 CPUs",
        "n": 10,
        "n_total": 10,
        "errors": 0,
        "accuracy": 0.4,
        "macro_f1": 0.3456,
        "balanced_accuracy": 0.38,
        "by_dataset": {},
        "balanced_accuracy_mean": None,
        "wall_s": 25.0,
    }


def _grounding() -> dict[str, Any]:
    return {
        "dataset": "grounding-dev",
        "labels": "binary",
        "extractor": "builtin",
        "nli_model": "verifier",
        "machine": "2 CPUs",
        "n": 7,
        "n_total": 8,
        "errors": 1,
        "accuracy": 0.625,
        "macro_f1": 0.6,
        "balanced_accuracy": 0.61,
        "by_dataset": {
            "aggrefact_cnn": {"n": 4, "balanced_accuracy": 0.5},
            "expertqa": {"n": 3, "balanced_accuracy": 0.75},
        },
        "balanced_accuracy_mean": 0.625,
        "wall_s": 4.0,
    }


def test_the_kinds_table_has_a_row_per_kind_the_overall_row_and_the_confusion() -> None:
    lines = kinds_table(_kinds_report()).splitlines()
    assert lines[0] == "| kind | n | correct | accuracy |"
    assert "| pronoun | 12 | 9 | 75.0% |" in lines
    assert "| unmentioned | 8 | 4 | 50.0% |" in lines
    assert "| **all** | **20** | **13** | **65.0%** |" in lines
    assert "| gold \\ predicted | SUPPORTED | REFUTED | NOT_ENOUGH_INFO |" in lines
    assert "| SUPPORTED | 5 | 1 | 2 |" in lines
    assert "| NOT_ENOUGH_INFO | 1 | 1 | 4 |" in lines


def test_a_report_without_kinds_is_refused() -> None:
    report = _kinds_report()
    del report["per_kind"]
    with pytest.raises(ValueError, match="per-kind"):
        kinds_table(report)


def test_the_kinds_section_says_what_the_set_is_and_how_it_was_made() -> None:
    text = kinds_section(_kinds_report(), "Produced by `cmd`", "benchmarks/accuracy/kinds", None)
    assert "| pronoun | 12 | 9 | 75.0% |" in text
    assert "Produced by `cmd`." in text
    assert "hand-written" in text
    assert "ships in the package" in text
    assert "kept out of training, calibration" in text
    assert "`benchmarks/accuracy/kinds/`" in text
    assert "Trial run" not in text
    assert "Trial run: only the first 3" in kinds_section(_kinds_report(), "P", "f", 3)


def test_the_check_table_has_wice_three_way_and_grounding_per_source() -> None:
    lines = check_table([_wice(), _grounding()]).splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("| set | labels | n | accuracy | macro-F1 | balanced accuracy |")
    assert lines[2] == (
        "| wice-dev | three-way | 10 | 40.0% | 0.346 | 0.380 | - | 2.50 | builtin | verifier "
        "| 2 CPUs |"
    )
    assert lines[3] == (
        "| grounding-dev | binary | 7 (1 not checked) | 62.5% | 0.600 | 0.625 (mean of 2) "
        "| aggrefact_cnn 0.500 (n=4); expertqa 0.750 (n=3) | 0.50 | builtin | verifier "
        "| 2 CPUs |"
    )


def test_the_check_section_says_these_are_dev_splits() -> None:
    text = check_section([_wice(), _grounding()], "Produced by `cmd`", "benchmarks/check", 3)
    assert "| grounding-dev | binary |" in text
    assert "dev splits, the only splits" in text
    assert "`benchmarks/check/<set>/`" in text
    assert "Trial run: only the first 3 texts" in text


def test_each_marked_section_is_replaced_on_its_own() -> None:
    text = (
        f"a\n{START}\nold\n{END}\nb\n{KINDS_START}\nold kinds\n{KINDS_END}\n"
        f"c\n{CHECK_START}\nold check\n{CHECK_END}\nd\n"
    )
    text = replace_section(text, "new kinds\n", KINDS_START, KINDS_END)
    text = replace_section(text, "new check", CHECK_START, CHECK_END)
    assert text == (
        f"a\n{START}\nold\n{END}\nb\n{KINDS_START}\nnew kinds\n{KINDS_END}\n"
        f"c\n{CHECK_START}\nnew check\n{CHECK_END}\nd\n"
    )
    with pytest.raises(ValueError, match="kinds-table"):
        replace_section(f"{START}\n{END}\n", "x", KINDS_START, KINDS_END)


def test_a_section_body_is_read_back_between_its_markers() -> None:
    text = f"a\n{KINDS_START}\n| kind |\n{KINDS_END}\n"
    assert section_body(text, KINDS_START, KINDS_END) == "| kind |\n"
    assert section_body(text, CHECK_START, CHECK_END) is None
