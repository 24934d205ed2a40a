"""The named dataset converters on the real development data (skipped where it is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from truthgraph.domain import Label
from truthgraph.evaluation.convert import DATASETS, convert
from truthgraph.evaluation.dataset import export, read_claims, read_corpus

DATA = REPO.parent / "shared" / "data"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"development data not found at {DATA}")
EXPECTED = {  # dataset: (default mode, corpus documents at least)
    "scifact": ("retrieval", 5183),
    "fever": ("retrieval", 100),
    "fever-symmetric": ("oracle", 100),
    "vitaminc": ("oracle", 50),
    "fm2": ("retrieval", 1000),
}


@pytest.mark.parametrize("dataset", DATASETS)
def test_each_dataset_converts_its_heldout_split_to_the_generic_form(
    dataset: str, tmp_path: Path
) -> None:
    eval_set = convert(dataset, DATA, "heldout")
    mode, documents = EXPECTED[dataset]
    assert eval_set.default_mode == mode
    assert eval_set.split == "heldout"
    assert eval_set.corpus is not None and len(eval_set.corpus.documents) >= documents
    assert len({c.id for c in eval_set.claims}) == len(eval_set.claims) > 20
    labels = {c.label for c in eval_set.claims}
    assert labels >= {Label.SUPPORTED, Label.REFUTED}
    decisive = [c for c in eval_set.claims if c.label is not Label.NOT_ENOUGH_INFO]
    assert all(c.evidence for c in decisive)
    train = convert(dataset, DATA, "train")
    assert not {c.id for c in train.claims} & {c.id for c in eval_set.claims}

    written = export(eval_set.first(3), tmp_path)
    assert [c.id for c in read_claims(written["claims"])] == [c.id for c in eval_set.claims[:3]]
    assert read_corpus(written["corpus"]).sha256 == eval_set.corpus.sha256
