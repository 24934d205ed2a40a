"""Training pairs that teach the difference between "another fact about the same subject" and
a contradiction, and to read a sentence with the context that names its subject (round three,
issue 34). Generated offline from the development corpora: no hub, no language model.

- ``same_subject_pairs``: a claim with a sentence of its own page that states another fact
  (another claim's gold evidence on the same Wikipedia page), NOT_ENOUGH_INFO; kept only where
  the sentence shares too little of what the claim says of its subject to settle it.
- ``context_pairs``: a claim's gold sentence with its subject replaced by a pronoun ("It was
  released in 2011."), read after another sentence of the same page that names the subject,
  with the claim's own label: the verifier learns to resolve "It" from the sentence before,
  the way ``evidence_context=title+referent`` gives it at run time.
- ``general_nli_pairs``: general NLI pairs from ``nli-extra`` (LingNLI, MultiNLI dev,
  counterfactually revised SNLI, ConjNLI), whose NEUTRAL class is exactly "related, but not
  stated". ANLI and SICK are left out: their terms allow evaluation, not shipped weights.

The contrastive REFUTED pairs (a number, a date, an entity or a negation changed in a supported
claim, the original kept SUPPORTED against the same evidence) are ``data.mutation_pairs`` and
``data.negate``, which the recipe already adds.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from truthgraph.data.datasets import LabeledClaim, page_title, parse_label
from truthgraph.domain import Label
from truthgraph.errors import DatasetError
from truthgraph.ml.nli.pair import Pair
from truthgraph.ports import NLIModel

# licence-clean general NLI files of ../shared/data/nli-extra (see its README)
NLI_EXTRA_FILES = (
    "lingnli_train.jsonl",
    "mnli_dev.jsonl",
    "cad_snli_train.jsonl",
    "conjnli_train.jsonl",
)
SAME_SUBJECT = "same-subject-nei"
_WORD = re.compile(r"[A-Za-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "his",
        "her",
        "they",
        "their",
        "them",
        "which",
        "who",
        "whom",
        "whose",
        "not",
        "no",
        "also",
        "than",
        "then",
        "there",
        "into",
        "about",
        "after",
        "before",
        "over",
        "under",
        "one",
        "two",
        "first",
    ]
)


def content_words(text: str) -> set[str]:
    """Lower-cased words of ``text`` that carry content, cut to six letters (a crude stem)."""
    return {w.lower()[:6] for w in _WORD.findall(text) if w.lower() not in _STOP}


def settles(claim: str, premise: str, subject: str) -> bool:
    """Whether ``premise`` may state what ``claim`` says of ``subject``: at least half of the
    claim's content words beyond the subject's own occur in it (a third or more), or every
    number of the claim.
    A pair that may settle the claim is never labelled NOT_ENOUGH_INFO."""
    said = content_words(claim) - content_words(subject)
    if not said:
        return True
    found = content_words(premise)
    numbers = {w for w in said if w.isdigit()}
    if numbers and numbers <= found:
        return True
    return len(said & found) * 3 >= len(said)


def _by_page(claims: Sequence[LabeledClaim]) -> dict[str, list[LabeledClaim]]:
    pages: dict[str, list[LabeledClaim]] = defaultdict(list)
    for claim in claims:
        if claim.label is not Label.NOT_ENOUGH_INFO and claim.evidence and len(claim.pages) == 1:
            pages[claim.pages[0]].append(claim)
    return pages


def same_subject_pairs(claims: Sequence[LabeledClaim], rng: random.Random) -> list[Pair]:
    """For each supported claim of a single page, one sentence of that page stating another
    fact (NOT_ENOUGH_INFO), where ``settles`` says it cannot settle the claim. (A refuted
    claim is left out: what refutes it, "Sleipnir is a fish", is often refuted by any sentence
    saying what its subject is.) ``drop_entailing`` then leaves out those a verifier reads as
    supporting the claim."""
    pairs: list[Pair] = []
    for page, group in sorted(_by_page(claims).items()):
        title = page_title([page]) or page
        sentences = sorted({e for c in group for e in c.evidence})
        for claim in group:
            if claim.label is not Label.SUPPORTED:
                continue
            others = [s for s in sentences if s not in claim.evidence]
            rng.shuffle(others)
            for sentence in others:
                if not settles(claim.claim, sentence, title):
                    pairs.append(
                        Pair(sentence, claim.claim, Label.NOT_ENOUGH_INFO, SAME_SUBJECT, title)
                    )
                    break
    return pairs


_PERSON = re.compile(
    r"\b(born|actor|actress|singer|rapper|politician|player|writer|author|musician|comedian|"
    r"model|director|producer|footballer|songwriter|businessman|businesswoman|journalist)\b"
)


def pronoun_for(texts: Sequence[str], sentence: str) -> str:
    """ "He" or "She" where ``sentence`` describes a person and the page's sentences use that
    pronoun most; "It" otherwise."""
    if not _PERSON.search(" ".join(sentence.split()[:5])):  # "was an American actor"
        return "It"
    words = [w.lower() for t in texts for w in _WORD.findall(t)]
    male = sum(w in ("he", "his", "him") for w in words)
    female = sum(w in ("she", "her", "hers") for w in words)
    if max(male, female) < 2:
        return "It"
    return "He" if male >= female else "She"


def context_pairs(claims: Sequence[LabeledClaim], rng: random.Random) -> list[Pair]:
    """Each gold sentence that opens with its page's subject, the subject replaced by a
    pronoun and read after another sentence of the page that names the subject; the claim's
    label."""
    pairs: list[Pair] = []
    for page, group in sorted(_by_page(claims).items()):
        title = page_title([page]) or page
        name = re.sub(r"\s*\(.*\)$", "", title)
        sentences = sorted({e for c in group for e in c.evidence})
        for claim in group:
            if len(claim.evidence) != 1 or not claim.evidence[0].startswith(name + " "):
                continue
            rest = claim.evidence[0][len(name) :]
            if not rest.lstrip().startswith(("is ", "was ", "has ", "had ", "are ", "were ")):
                continue
            pronoun = pronoun_for(sentences, rest)
            # a sentence that names the subject and does not itself hold the gold sentence
            before = [s for s in sentences if name in s and rest.strip() not in s]
            if not before:
                continue
            premise = f"{rng.choice(before)} {pronoun}{rest}"
            pairs.append(Pair(premise, claim.claim, claim.label, "context", title))
    return pairs


def drop_entailing(pairs: Sequence[Pair], judge: NLIModel, threshold: float = 0.5) -> list[Pair]:
    """``pairs`` without the same-subject NOT_ENOUGH_INFO pairs that ``judge`` reads as
    supporting the claim (entailment above ``threshold``: the other sentence may say it too).
    Contradiction is not a reason to drop one: reading another fact as a contradiction is the
    mistake these pairs are there to unteach."""
    todo = [i for i, p in enumerate(pairs) if p.source == SAME_SUBJECT]
    scores = judge.predict([(pairs[i].text(True), pairs[i].hypothesis) for i in todo])
    dropped = {i for i, s in zip(todo, scores, strict=True) if s.entailment > threshold}
    return [p for i, p in enumerate(pairs) if i not in dropped]


def general_nli_pairs(data_dir: Path, count: int, rng: random.Random) -> list[Pair]:
    """``count`` pairs drawn evenly from ``NLI_EXTRA_FILES`` in ``data_dir/nli-extra``."""
    folder = data_dir / "nli-extra"
    per_file = max(1, count // len(NLI_EXTRA_FILES))
    pairs: list[Pair] = []
    for name in NLI_EXTRA_FILES:
        path = folder / name
        if not path.is_file():
            raise DatasetError(f"{path}: not found (nli-extra lives at <data-dir>/nli-extra)")
        rows = []
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                label = parse_label(str(row.get("label", "")))
                premise, hypothesis = row.get("premise"), row.get("hypothesis")
                if (
                    label is not None
                    and isinstance(premise, str)
                    and isinstance(hypothesis, str)
                    and premise.strip()
                    and hypothesis.strip()
                ):
                    pair = Pair(premise.strip(), hypothesis.strip(), label, f"nli-{path.stem}")
                    rows.append(pair)
        pairs += rows if per_file >= len(rows) else rng.sample(rows, per_file)
    return pairs
