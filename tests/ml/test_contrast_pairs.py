"""The round-three training pairs (ml/nli/contrast.py) on a few hand-made FEVER-like claims."""

import json
import random
from pathlib import Path

from truthgraph.data.datasets import LabeledClaim
from truthgraph.domain import Label
from truthgraph.ml.nli.contrast import (
    context_pairs,
    general_nli_pairs,
    pronoun_for,
    same_subject_pairs,
    settles,
)

PAGE = "Colombiana"
FOUNDED = "Colombiana is a 2011 French action film co-written and produced by Luc Besson."
STARS = "The film stars Zoe Saldana as a young woman who becomes a hitman."
RELEASED = "Colombiana was released in the United States on 26 August 2011."


def claim(id_: str, text: str, label: Label, evidence: str) -> LabeledClaim:
    return LabeledClaim(id_, text, label, (evidence,), pages=(PAGE,), dataset="fever")


CLAIMS = [
    claim("1", "Luc Besson produced Colombiana.", Label.SUPPORTED, FOUNDED),
    claim("2", "Zoe Saldana stars in Colombiana.", Label.SUPPORTED, STARS),
    claim("3", "Colombiana was released in 1999.", Label.REFUTED, RELEASED),
]


def test_settles_when_the_sentence_says_what_the_claim_says() -> None:
    assert settles("Luc Besson produced Colombiana.", FOUNDED, PAGE)
    assert not settles("Luc Besson produced Colombiana.", STARS, PAGE)
    assert settles("Colombiana came out in 2011.", RELEASED, PAGE)  # every number found


def test_same_subject_pairs_are_not_enough_info_for_supported_claims_only() -> None:
    pairs = same_subject_pairs(CLAIMS, random.Random(1))
    assert pairs and all(p.label is Label.NOT_ENOUGH_INFO for p in pairs)
    assert {p.hypothesis for p in pairs} <= {
        "Luc Besson produced Colombiana.",
        "Zoe Saldana stars in Colombiana.",
    }
    for pair in pairs:
        own = next(c for c in CLAIMS if c.claim == pair.hypothesis)
        assert pair.premise not in own.evidence and pair.title == PAGE


def test_context_pairs_put_the_subject_in_the_sentence_before() -> None:
    pairs = context_pairs(CLAIMS, random.Random(2))
    assert pairs
    for pair in pairs:
        assert " It " in f" {pair.premise} " and PAGE in pair.premise.split(" It ")[0]
        own = next(c for c in CLAIMS if c.claim == pair.hypothesis)
        assert pair.label is own.label


def test_pronoun_for_a_person_and_a_thing() -> None:
    assert pronoun_for([STARS], " is a 2011 French action film") == "It"
    texts = ["She was born in 1978.", "Her first film was a hit.", "She lives in Paris."]
    assert pronoun_for(texts, " is an American actress") == "She"


def test_general_nli_pairs_read_each_file_evenly(tmp_path: Path) -> None:
    folder = tmp_path / "nli-extra"
    folder.mkdir()
    from truthgraph.ml.nli.contrast import NLI_EXTRA_FILES

    for name in NLI_EXTRA_FILES:
        rows = [
            {"premise": f"P{i}", "hypothesis": f"H{i}", "label": lab}
            for i, lab in enumerate(["entailment", "neutral", "contradiction", "odd"] * 3)
        ]
        (folder / name).write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    pairs = general_nli_pairs(tmp_path, 8, random.Random(3))
    assert len(pairs) == 8
    assert {p.label for p in pairs} <= set(Label)
    assert len({p.source for p in pairs}) == len(NLI_EXTRA_FILES)
