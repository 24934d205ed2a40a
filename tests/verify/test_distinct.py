from truthgraph.domain import EvidenceHit
from truthgraph.verify.distinct import distinct_hits, text_key


def hit(evidence_id: int, text: str) -> EvidenceHit:
    return EvidenceHit(evidence_id, 1, text, 0, len(text), similarity=1.0 - evidence_id / 10)


def test_text_key_ignores_case_and_spacing_only() -> None:
    assert text_key("  Soul Food\twas  released. ") == text_key("soul food was released.")
    assert text_key("Soul Food was released.") != text_key("Soul Food was not released.")


def test_the_first_copy_of_each_text_is_kept_in_order() -> None:
    hits = [hit(1, "A b."), hit(2, "a  B."), hit(3, "C."), hit(4, "A B."), hit(5, "D.")]
    assert [h.evidence_id for h in distinct_hits(hits)] == [1, 3, 5]


def test_limit_counts_distinct_texts() -> None:
    hits = [hit(1, "A."), hit(2, "a."), hit(3, "B."), hit(4, "C.")]
    assert [h.evidence_id for h in distinct_hits(hits, 2)] == [1, 3]
    assert distinct_hits([], 3) == []
