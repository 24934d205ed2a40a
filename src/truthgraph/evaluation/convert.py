"""The development datasets in the generic evaluation form (claims plus a corpus).

Each converter reads one dataset with the loaders of ``truthgraph.data.datasets``
from the data folder (``../shared/data`` in development) and picks how it is evaluated by default:

- ``scifact``: retrieval over its 5,183 abstracts (``corpus.jsonl``), one document per
  abstract with its title, the sentences as given (a blank line between them, which always
  ends a sentence when ingested). Gold evidence: one text per rationale (its sentences).
- ``fever``: retrieval over the gold evidence texts of the split's claims, pooled; the
  NOT_ENOUGH_INFO claims are verified against the same pool.
- ``fm2``: Fool Me Twice's adversarial claims (every one SUPPORTS or REFUTES), retrieval over
  the pooled sentences of their pages that the dataset gives (each claim's gold sentences and
  about 10 hard near misses from the same page), with the page title: the gold sentence has
  to be found among sentences about the same subject.
- ``fever-symmetric`` and ``vitaminc``: oracle (each item has one evidence sentence); their
  pooled evidence is the corpus for ``--mode retrieval``.

Splits: ``in_split``'s fixed hash split by claim for SciFact, FEVER, FEVER-Symmetric and FM2:
``heldout`` (20%, which the shipped verifier never trained on), ``train`` (the rest), which
divides into ``dev`` (for tuning) and ``fit``. The VitaminC sample comes as files, and the
training recipe holds out ``test.jsonl``: that file is VitaminC's held-out split, the
``train_*.jsonl`` files its train (and fit) split; it has no dev split.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from truthgraph.data.datasets import (
    LabeledClaim,
    Split,
    load_fever,
    load_fever_symmetric,
    load_fm2,
    load_nli_sample,
    load_scifact,
    load_scifact_corpus,
    page_title,
)
from truthgraph.domain import RawDocument
from truthgraph.errors import DatasetError
from truthgraph.evaluation.dataset import EvalSet, corpus_from_documents, pooled_corpus

DATASETS = ("scifact", "fever", "fever-symmetric", "vitaminc", "fm2")
VITAMINC_FILES: dict[Split, tuple[str, ...]] = {  # no dev split: training uses every train file
    "heldout": ("test.jsonl",),
    "train": tuple(f"train_{i}.jsonl" for i in range(5)),
    "fit": tuple(f"train_{i}.jsonl" for i in range(5)),
    "all": ("test.jsonl", *(f"train_{i}.jsonl" for i in range(5))),
}


def unique_ids(claims: list[LabeledClaim]) -> tuple[LabeledClaim, ...]:
    """The claims with repeated ids made unique (``id``, ``id#2``, ...), in order."""
    seen: dict[str, int] = {}
    out: list[LabeledClaim] = []
    for claim in claims:
        count = seen.get(claim.id, 0) + 1
        seen[claim.id] = count
        out.append(replace(claim, id=f"{claim.id}#{count}") if count > 1 else claim)
    return tuple(out)


def _nonempty(claims: tuple[LabeledClaim, ...], source: Path, split: Split) -> None:
    if not claims:
        raise DatasetError(f"{source}: no claims in the {split} split")


def convert_scifact(data_dir: Path, split: Split = "heldout") -> EvalSet:
    """SciFact claims, verified by retrieval over the whole abstract corpus."""
    claims = unique_ids(load_scifact(data_dir, split))
    _nonempty(claims, data_dir / "scifact", split)
    corpus = load_scifact_corpus(data_dir)
    documents = [
        RawDocument(
            text="\n\n".join(s.strip() for s in sentences if s.strip()),
            title=title,
            source="scifact",
            external_id=doc_id,
        )
        for doc_id, (title, sentences) in corpus.items()
        if any(s.strip() for s in sentences)
    ]
    return EvalSet(
        name="scifact",
        claims=claims,
        corpus=corpus_from_documents(documents, f"SciFact corpus ({len(documents)} abstracts)"),
        default_mode="retrieval",
        split=split,
        source=str(data_dir / "scifact"),
        notes=("claims whose evidence sets disagree in label are left out (as in training)",),
    )


def convert_fever(data_dir: Path, split: Split = "heldout") -> EvalSet:
    """FEVER paper_dev claims, verified by retrieval over the pooled gold evidence."""
    claims = unique_ids(load_fever(data_dir, split))
    _nonempty(claims, data_dir / "fever", split)
    pool = pooled_corpus(claims, "fever")
    titles = {text: page_title(c.pages) for c in reversed(claims) for text in c.evidence}
    documents = [
        RawDocument(
            text=doc.text, title=titles.get(doc.text), source="fever", external_id=doc.external_id
        )
        for doc in pool.documents
    ]
    return EvalSet(
        name="fever",
        claims=claims,
        corpus=corpus_from_documents(documents, pool.description),
        default_mode="retrieval",
        split=split,
        source=str(data_dir / "fever" / "paper_dev.jsonl"),
        notes=(
            "corpus: the gold evidence texts of the split's SUPPORTS and REFUTES claims, pooled; "
            "NOT ENOUGH INFO claims are verified against the same pool",
        ),
    )


def convert_fever_symmetric(data_dir: Path, split: Split = "heldout") -> EvalSet:
    """FEVER-Symmetric dev: each claim against its one evidence sentence."""
    claims = unique_ids(load_fever_symmetric(data_dir, split))
    _nonempty(claims, data_dir / "fever-symmetric", split)
    return EvalSet(
        name="fever-symmetric",
        claims=claims,
        corpus=pooled_corpus(claims, "fever-symmetric"),
        default_mode="oracle",
        split=split,
        source=str(data_dir / "fever-symmetric" / "fever_symmetric_dev.jsonl"),
    )


def convert_vitaminc(data_dir: Path, split: Split = "heldout") -> EvalSet:
    """The VitaminC sample: each claim against its one evidence sentence."""
    if split not in VITAMINC_FILES:
        raise DatasetError(
            f"the VitaminC sample has no {split} split (training uses all its files)"
        )
    claims = unique_ids(load_nli_sample(data_dir, "vitaminc", VITAMINC_FILES[split]))
    _nonempty(claims, data_dir / "nli-samples" / "vitaminc", split)
    return EvalSet(
        name="vitaminc",
        claims=claims,
        corpus=pooled_corpus(claims, "vitaminc"),
        default_mode="oracle",
        split=split,
        source=str(data_dir / "nli-samples" / "vitaminc"),
        notes=(
            "split by file: heldout is test.jsonl (held out of training), train is "
            "train_0..4.jsonl",
        ),
    )


def convert_fm2(data_dir: Path, split: Split = "heldout") -> EvalSet:
    """Fool Me Twice claims, verified by retrieval over their pages' pooled sentences."""
    claims = unique_ids(load_fm2(data_dir, split))
    _nonempty(claims, data_dir / "fm2", split)
    titles: dict[str, str] = {}
    for claim in claims:
        for text in (*claim.evidence, *claim.context):
            titles.setdefault(text, claim.pages[0])
    documents = [
        RawDocument(
            text=text,
            title=title,
            source="fm2",
            external_id=hashlib.sha1(text.encode()).hexdigest()[:12],
        )
        for text, title in titles.items()
    ]
    return EvalSet(
        name="fm2",
        claims=claims,
        corpus=corpus_from_documents(
            documents, f"FM2 page sentences of {len(claims)} claims, pooled ({len(documents)})"
        ),
        default_mode="retrieval",
        split=split,
        source=str(data_dir / "fm2" / "dev.jsonl"),
        notes=(
            "corpus: each claim's gold sentences and the near misses FM2 gives from the same "
            "page (retrieved_evidence), pooled over the split, one document per sentence with "
            "its page title; every claim is SUPPORTS or REFUTES",
        ),
    )


CONVERTERS: dict[str, Callable[[Path, Split], EvalSet]] = {
    "scifact": convert_scifact,
    "fever": convert_fever,
    "fever-symmetric": convert_fever_symmetric,
    "vitaminc": convert_vitaminc,
    "fm2": convert_fm2,
}


def convert(dataset: str, data_dir: Path, split: Split = "heldout") -> EvalSet:
    """The named development dataset in the generic form; see the module docstring."""
    try:
        converter = CONVERTERS[dataset]
    except KeyError as exc:
        raise ValueError(f"unknown dataset {dataset!r}; use one of {', '.join(DATASETS)}") from exc
    return converter(data_dir, split)
