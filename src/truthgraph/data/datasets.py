"""Loaders that turn the public fact-verification datasets into ``LabeledClaim`` objects.

Every loader takes the data folder (``../shared/data`` in development) as a path; nothing
here is needed to run TruthGraph itself. A fixed, hash-based split by claim keeps 20% of
the claims of every dataset out of training for honest held-out figures.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from truthgraph.data.jsonl import read_objects
from truthgraph.domain import Label
from truthgraph.errors import DatasetError

Split = Literal["train", "heldout", "all", "dev", "fit"]
HELDOUT_PERCENT = 20
DEV_PERCENT = 10

_FEVER_LABELS = {
    "SUPPORTS": Label.SUPPORTED,
    "REFUTES": Label.REFUTED,
    "NOT ENOUGH INFO": Label.NOT_ENOUGH_INFO,
    "SUPPORT": Label.SUPPORTED,
    "CONTRADICT": Label.REFUTED,
    "supports": Label.SUPPORTED,
    "refutes": Label.REFUTED,
    "not enough info": Label.NOT_ENOUGH_INFO,
    "entailment": Label.SUPPORTED,
    "neutral": Label.NOT_ENOUGH_INFO,
    "contradiction": Label.REFUTED,
}
_PTB = {
    "-LRB-": "(",
    "-RRB-": ")",
    "-LSB-": "[",
    "-RSB-": "]",
    "-LCB-": "{",
    "-RCB-": "}",
    "``": '"',
    "''": '"',
    "--": "-",
}
_PTB_RE = re.compile("|".join(re.escape(k) for k in _PTB))
_SPACE_BEFORE = re.compile(r" ([,.;:!?%)\]}]|'s\b|n't\b|'re\b|'ve\b|'d\b|'ll\b)")
_SPACE_AFTER = re.compile(r"([(\[{]) ")
_PTB_QUOTES = re.compile(r"``\s*(.*?)\s*''")


@dataclass(frozen=True, slots=True)
class LabeledClaim:
    """A claim with its gold label and gold evidence sentences.

    ``context`` holds other sentences of the cited documents that are not gold evidence
    (used to build hard NOT_ENOUGH_INFO training pairs); ``pages`` names the source pages;
    ``kind`` names the kind of claim where a set says (the kinds set: ``pronoun``,
    ``negation``, ...), and the report then gives the accuracy per kind.
    """

    id: str
    claim: str
    label: Label
    evidence: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    dataset: str = ""
    kind: str = ""


def parse_label(raw: str) -> Label | None:
    """The Label spelled ``raw``, in any case: ours (``SUPPORTED``, ``NOT_ENOUGH_INFO`` or
    ``not enough info``), FEVER's (``SUPPORTS``, ``REFUTES``, ``NOT ENOUGH INFO``), SciFact's
    or NLI's; None for anything else."""
    text = raw.strip()
    key = "_".join(text.upper().split())
    if key in Label.__members__:
        return Label[key]
    return _FEVER_LABELS.get(text.upper(), _FEVER_LABELS.get(text.lower()))


def page_title(pages: Sequence[str]) -> str | None:
    """The readable title of a claim's Wikipedia page when it has exactly one, else None."""
    return normalise_wiki_text(pages[0].replace("_", " ")) if len(pages) == 1 else None


def normalise_wiki_text(text: str) -> str:
    """Undo FEVER's Penn-Treebank tokenisation (``-LRB-`` for "(", spaces before commas)."""
    text = _PTB_RE.sub(lambda m: _PTB[m.group(0)], text)
    text = _SPACE_BEFORE.sub(r"\1", text)
    text = _SPACE_AFTER.sub(r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def detokenise(text: str) -> str:
    """Undo the Penn-Treebank tokenisation of SNLI-style text: FEVER's rules, plus quoted
    spans (`````` HELP ME ''``) closed up around their words.

    >>> detokenise("The man is reading a spoon with the words `` HELP ME '' on it .")
    'The man is reading a spoon with the words "HELP ME" on it.'
    """
    return normalise_wiki_text(_PTB_QUOTES.sub(r'"\1"', text))


def in_split(dataset: str, claim_id: str, split: Split) -> bool:
    """Whether a claim belongs to ``split``; fixed forever by a hash of dataset and id.

    ``heldout`` is 20% of the claims, never trained or tuned on; ``train`` the other 80%.
    ``train`` divides into ``dev`` (10% of all claims, kept out of training for tuning
    thresholds and the confidence temperature) and ``fit`` (the 70% a verifier trains on).
    """
    if split == "all":
        return True
    digest = hashlib.sha1(f"{dataset}:{claim_id}".encode()).hexdigest()
    bucket = int(digest[:8], 16) % 100
    if split == "heldout":
        return bucket < HELDOUT_PERCENT
    if split == "train":
        return bucket >= HELDOUT_PERCENT
    if split == "dev":
        return HELDOUT_PERCENT <= bucket < HELDOUT_PERCENT + DEV_PERCENT
    return bucket >= HELDOUT_PERCENT + DEV_PERCENT


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    return (row for _, row in read_objects(path))


def _rows_in_split(path: Path, dataset: str, split: Split) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(claim id, row)`` of each row of ``path`` whose claim falls in ``split``."""
    for row in _read_jsonl(path):
        claim_id = str(row["id"])
        if in_split(dataset, claim_id, split):
            yield claim_id, row


def _label(raw: str, path: Path) -> Label:
    try:
        return _FEVER_LABELS[raw]
    except KeyError as exc:
        raise DatasetError(f"{path}: unknown label {raw!r}") from exc


def load_fever(data_dir: Path, split: Split = "all") -> list[LabeledClaim]:
    """FEVER 1.0 paper_dev: gold evidence sets (one string per set) for SUPPORTS/REFUTES."""
    path = data_dir / "fever" / "paper_dev.jsonl"
    claims = []
    for claim_id, row in _rows_in_split(path, "fever", split):
        claims.append(
            LabeledClaim(
                id=claim_id,
                claim=normalise_wiki_text(row["claim"]),
                label=_label(row["label"], path),
                evidence=tuple(normalise_wiki_text(t) for t in row.get("evidence_text", [])),
                pages=tuple(row.get("evidence_pages", [])),
                dataset="fever",
            )
        )
    return claims


def load_fever_symmetric(data_dir: Path, split: Split = "all") -> list[LabeledClaim]:
    """FEVER-Symmetric dev: one claim, one evidence sentence, SUPPORTS or REFUTES."""
    path = data_dir / "fever-symmetric" / "fever_symmetric_dev.jsonl"
    claims = []
    for number, row in enumerate(_read_jsonl(path)):
        claim_id = str(row["id"])
        if not in_split("fever-symmetric", claim_id, split):
            continue
        claims.append(
            LabeledClaim(
                id=f"{claim_id}-{number}",
                claim=normalise_wiki_text(row["claim"]),
                label=_label(row["label"], path),
                evidence=(normalise_wiki_text(row["evidence"]),),
                dataset="fever-symmetric",
            )
        )
    return claims


def load_scifact_corpus(data_dir: Path) -> dict[str, tuple[str, list[str]]]:
    """SciFact abstracts: doc id -> (title, sentences)."""
    path = data_dir / "scifact" / "corpus.jsonl"
    return {str(r["doc_id"]): (r["title"], list(r["abstract"])) for r in _read_jsonl(path)}


def load_scifact(data_dir: Path, split: Split = "all") -> list[LabeledClaim]:
    """SciFact train claims; a claim with no evidence is NEI with respect to its cited docs.

    A claim whose evidence sets disagree in label is skipped (SciFact has a handful).
    """
    path = data_dir / "scifact" / "claims_train.jsonl"
    corpus = load_scifact_corpus(data_dir)
    claims = []
    for claim_id, row in _rows_in_split(path, "scifact", split):
        gold: list[str] = []
        labels: set[Label] = set()
        rationale: set[tuple[str, int]] = set()
        for doc_id, sets in row.get("evidence", {}).items():
            sentences = corpus.get(str(doc_id), ("", []))[1]
            for evidence_set in sets:
                labels.add(_label(evidence_set["label"], path))
                indices = [i for i in evidence_set["sentences"] if i < len(sentences)]
                rationale.update((str(doc_id), i) for i in indices)
                gold.append(" ".join(sentences[i].strip() for i in indices))
        if len(labels) > 1:
            continue
        context = [
            sentence.strip()
            for doc_id in row.get("cited_doc_ids", [])
            for i, sentence in enumerate(corpus.get(str(doc_id), ("", []))[1])
            if (str(doc_id), i) not in rationale
        ]
        claims.append(
            LabeledClaim(
                id=claim_id,
                claim=row["claim"].strip(),
                label=labels.pop() if labels else Label.NOT_ENOUGH_INFO,
                evidence=tuple(gold),
                context=tuple(context),
                pages=tuple(str(d) for d in row.get("cited_doc_ids", [])),
                dataset="scifact",
            )
        )
    return claims


def load_nli_sample(
    data_dir: Path, name: Literal["vitaminc", "mnli"], files: tuple[str, ...]
) -> list[LabeledClaim]:
    """VitaminC or MNLI samples as single-evidence claims (hypothesis = claim)."""
    claims = []
    for file_name in files:
        path = data_dir / "nli-samples" / name / file_name
        for number, row in enumerate(_read_jsonl(path)):
            claim = row.get("claim", row.get("hypothesis", ""))
            evidence = row.get("evidence", row.get("premise", ""))
            claims.append(
                LabeledClaim(
                    id=str(row.get("id", f"{file_name}-{number}")),
                    claim=claim.strip(),
                    label=_label(str(row["label"]), path),
                    evidence=(evidence.strip(),),
                    dataset=name,
                )
            )
    return claims


def load_fm2(data_dir: Path, split: Split = "all") -> list[LabeledClaim]:
    """Fool Me Twice dev (Eisenschlos et al. 2021): adversarial claims written against one
    Wikipedia page each, SUPPORTS or REFUTES, with their gold sentences.

    ``context`` holds the page's other retrieved sentences (its hard near misses, never a gold
    one); ``pages`` the page title. The same fixed hash split by claim as every other dataset.
    """
    path = data_dir / "fm2" / "dev.jsonl"
    claims = []
    for claim_id, row in _rows_in_split(path, "fm2", split):
        gold = tuple(dict.fromkeys(e["text"].strip() for e in row["gold_evidence"]))
        near = (e["text"].strip() for e in row.get("retrieved_evidence", []))
        claims.append(
            LabeledClaim(
                id=claim_id,
                claim=row["text"].strip(),
                label=_label(row["label"], path),
                evidence=gold,
                context=tuple(t for t in dict.fromkeys(near) if t and t not in gold),
                pages=(row["wikipedia_page"],),
                dataset="fm2",
            )
        )
    return claims


def load_snli(data_dir: Path, files: Sequence[str] | None = None) -> list[LabeledClaim]:
    """SNLI pairs (Bowman et al. 2015) as single-evidence claims, detokenised (``detokenise``).

    ``files`` in ``data_dir/snli`` (default: every ``*.jsonl`` there, by name). General NLI
    for a first training stage; pairs without a gold label are skipped.
    """
    folder = data_dir / "snli"
    if files is None:
        files = sorted(p.name for p in folder.glob("*.jsonl"))
        if not files:
            raise DatasetError(f"{folder}: no SNLI .jsonl files")
    claims = []
    for file_name in files:
        path = folder / file_name
        for number, row in enumerate(_read_jsonl(path)):
            label = _FEVER_LABELS.get(str(row.get("label", "")))
            if label is None:
                continue
            claims.append(
                LabeledClaim(
                    id=f"{file_name}-{number}",
                    claim=detokenise(row["hypothesis"]),
                    label=label,
                    evidence=(detokenise(row["premise"]),),
                    dataset="snli",
                )
            )
    return claims
