"""The built-in decomposition: one sentence -> atomic claims, by rules over its words.

No parser and no model: the rules recognise the common shapes and leave the rest whole.

- clauses joined by ``;`` or by ``, and`` / ``, but`` before a new subject become claims;
- verb phrases sharing a subject (``X was born in A and died in B``) become one claim each,
  the subject repeated;
- a list at the end of a claim (``X founded A, B and C``; also ``in A and B``) becomes one
  claim per item, the words before the list repeated;
- a non-restrictive relative clause on the subject (``X, who ..., is ...``) or at the end
  (``..., which ...``) becomes a claim about its antecedent;
- an appositive on the subject (``X, a French writer, was ...``) becomes ``X is/was ...``;
- a sentence that opens with he/she/it/they (or his/her/its/their) gets the previous
  sentence's subject in its place when that subject is a name (capitalised words).

Every claim is made of the source's own words (plus the copula of an appositive and the
possessive 's of a resolved pronoun), so each maps back to its span (``spans.map_claim``).
"""

from __future__ import annotations

import re


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_VERBS = _set(
    """is are was were be been has have had does did became becomes become won wins began
    begins wrote writes made makes took takes went goes held holds led leads ran runs
    includes include left leaves gave gives got gets came comes saw sees knew knows grew
    grows built builds taught teaches fought fights sold sells bought buys brought brings
    met meets won spent spends set sets put puts lost loses found finds rose rises fell falls
    became remains remained serves served lives lived moved moves played plays appeared
    appears starred stars died dies married marries founded founds attended attends received
    receives studied studies worked works joined joins returned returns released releases
    produced produces directed directs published publishes opened opens owns owned covers
    covered contains contained features featured consists consisted speaks spoke
    teaches runs became represents represented describes described employs employed
    earned earns scored scores ranks ranked hosts hosted"""
)
_NOT_VERBS = _set(
    """red bed need seed feed speed bred shed wed hundred united based red-haired
    married-couple"""
)
_ANCHORS = _set(
    """in of for to with by at on from as including include includes included and
    like such"""
)
_PRONOUNS = {
    "he": "",
    "she": "",
    "they": "",
    "it": "",
    "his": "'s",
    "her": "'s",
    "its": "'s",
    "their": "'s",
}
_WORD = re.compile(r"\S+")
_NAME = re.compile(r"^(?:[A-Z][\w.'’-]*)(?:\s+(?:[A-Z][\w.'’-]*|of|de|van|von|the|and))*$")
MAX_ITEM_WORDS = 6


def _is_verb(word: str) -> bool:
    w = word.strip(",.;:()\"'").lower()
    if w in _VERBS:
        return True
    return len(w) > 4 and w.endswith("ed") and w not in _NOT_VERBS and w.isalpha()


def _tidy(text: str) -> str:
    text = " ".join(text.split()).strip(" ,;:")
    if text and text[-1] not in ".!":
        text += "."
    return text[0].upper() + text[1:] if text else text


def subject_of(sentence: str) -> str | None:
    """The words before the sentence's first verb, if any and not the whole sentence."""
    tokens = _WORD.findall(sentence)
    for i, token in enumerate(tokens[1:], start=1):
        if _is_verb(token):
            subject = " ".join(tokens[:i]).strip(" ,")
            return subject or None
    return None


def referent_of(subject: str | None) -> str | None:
    """The name a later pronoun may stand for: the subject when it is a name, or the name
    in a possessive subject (``Bea Arthur's birth name`` -> ``Bea Arthur``)."""
    if subject is None:
        return None
    possessive = re.match(r"^(.+?)['’]s\s", subject)
    if possessive and _NAME.match(possessive.group(1)):
        return possessive.group(1)
    return subject if _NAME.match(subject) else None


def resolve_pronoun(sentence: str, referent: str | None) -> str:
    """``sentence`` with an opening he/she/it/they (his/her/its/their) replaced by
    ``referent`` when it is a name; else unchanged."""
    referent = referent_of(referent)
    if referent is None:
        return sentence
    first, _, rest = sentence.partition(" ")
    suffix = _PRONOUNS.get(first.lower())
    if suffix is None or not rest:
        return sentence
    return f"{referent}{suffix} {rest}"


_SUBJECT_STARTS = _set("he she it they we the a an his her its their this these those our")


def _predicate(clause: str) -> str | None:
    """The clause up to and including its first verb (subject and verb), when it has one."""
    tokens = clause.split()
    for i, token in enumerate(tokens[1:], start=1):
        if _is_verb(token):
            return " ".join(tokens[: i + 1])
    return None


def _bare_predicate(clause: str) -> bool:
    """Whether the clause has a verb and no comma after it (not a list in the making)."""
    head = _predicate(clause)
    return head is not None and "," not in clause[len(head) :]


def _split_including(clause: str) -> list[str]:
    """``X holds A, including B`` -> ``X holds A``, ``X holds B``."""
    main, sep, rest = clause.partition(", including ")
    head = _predicate(main)
    if not sep or head is None or any(_is_verb(t) for t in rest.split()[:2]):
        return [clause]
    return [main, f"{head} {rest}"]


def _split_clauses(sentence: str) -> list[str]:
    """Independent clauses: at ``;`` and at ``, and``/``, but`` followed by a new subject
    (a capitalised word or a pronoun, then a verb within three words)."""
    parts = [p for p in re.split(r";\s+", sentence) if p.strip()]
    clauses: list[str] = []
    for part in parts:
        pieces = re.split(r"(,\s+(?:and|but|while|whereas)\s+|\s+and\s+(?=[A-Z]))", part)
        current = pieces[0]
        for joint, piece in zip(pieces[1::2], pieces[2::2], strict=True):
            tokens = piece.split()
            if not any(_is_verb(t) for t in current.split()[1:]):
                current = f"{current}{joint}{piece}"  # no clause before the joint
                continue
            starts_subject = bool(tokens) and (
                tokens[0][:1].isupper() or tokens[0].lower() in _SUBJECT_STARTS
            )
            if starts_subject and any(_is_verb(t) for t in tokens[1:5]):
                clauses.append(current)
                current = piece
            elif tokens and _is_verb(tokens[0]):
                clauses.append(current)
                current = piece  # a verb phrase: its subject is added in _split_verb_phrases
            elif joint.startswith(",") and "and" in joint and _bare_predicate(current):
                clauses.append(current)  # "X was A, and B" -> "X was A", "X was B"
                current = f"{_predicate(current)} {piece}"
            else:
                current = f"{current}{joint}{piece}"
        clauses.append(current)
    return clauses


def _relative_and_appositive(clause: str) -> list[str]:
    """Lift a relative clause or an appositive off the subject, or a trailing ``, which``."""
    m = re.match(r"^(?P<subj>[^,]+?),\s+(?:who|which)\s+(?P<rel>[^,]+),\s+(?P<rest>.+)$", clause)
    if m and subject_of(m["subj"] + " is") == m["subj"].strip():
        return [f"{m['subj']} {m['rest']}", f"{m['subj']} {m['rel']}"]
    m = re.match(r"^(?P<subj>[A-Z][^,]*?),\s+(?P<app>(?:a|an|the)\s[^,]+),\s+(?P<rest>.+)$", clause)
    if m and _is_verb(m["rest"].split()[0]) and not any(_is_verb(w) for w in m["app"].split()):
        copula = (
            "was"
            if m["rest"].split()[0].lower() in {"was", "were"}
            or m["rest"].split()[0].lower().endswith("ed")
            else "is"
        )
        return [f"{m['subj']} {m['rest']}", f"{m['subj']} {copula} {m['app']}"]
    m = re.match(
        r"^(?P<main>.+?\b(?P<ante>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)),\s+(?:which|who)\s+"
        r"(?P<rel>[^,]+)$",
        clause,
    )
    if m and any(_is_verb(w) for w in m["rel"].split()[:2]):
        return [m["main"], f"{m['ante']} {m['rel']}"]
    return [clause]


def _split_verb_phrases(clause: str, subject: str | None) -> list[str]:
    """``X verbs A and verbs B`` -> ``X verbs A``, ``X verbs B`` (the subject repeated)."""
    own = subject_of(clause)
    if own is None and subject is not None and _is_verb(clause.split()[0]):
        return [f"{subject} {clause}"]
    if own is None:
        return [clause]
    tokens = clause.split()
    cut = len(own.split())
    phrases: list[list[str]] = [[]]
    for i, token in enumerate(tokens[cut:], start=cut):
        prev = tokens[i - 1].lower() if i > cut else ""
        if prev in {"and", "but"} and _is_verb(token) and len(phrases[-1]) > 2:
            phrases[-1].pop()  # the conjunction
            if phrases[-1] and phrases[-1][-1].endswith(","):
                phrases[-1][-1] = phrases[-1][-1][:-1]
            phrases.append([])
        phrases[-1].append(token)
    return [f"{own} {' '.join(p)}" for p in phrases if p]


def _split_list(claim: str) -> list[str]:
    """A list at the end of the claim -> one claim per item."""
    body = claim.rstrip(" .")
    m = re.search(r"^(?P<head>.*?)(?P<items>(?:[^,]+,\s+)+[^,]+?,?\s+(?:and|or)\s+[^,]+)$", body)
    if m is None:
        m = re.search(
            r"^(?P<head>.*\s)(?P<items>\S+(?:\s\S+){0,3}\s+and\s+\S+(?:\s\S+){0,3})$", body
        )
    if m is None:
        return [claim]
    head, items_text = m["head"], m["items"]
    first_chunk, _, _ = items_text.partition(",")
    if "," not in items_text:
        first_chunk = items_text.split(" and ")[0]
    words = (head + first_chunk).split()
    anchor = None
    for i in range(len(words) - 1, len(head.split()) - 1, -1):
        if words[i].lower() in _ANCHORS - {"and"} or _is_verb(words[i]):
            anchor = i
            break
    if anchor is None:
        for i in range(len(head.split()) - 1, 0, -1):
            if words[i].lower() in _ANCHORS - {"and"} or _is_verb(words[i]):
                anchor = i
                break
    if anchor is None:
        return [claim]
    prefix = " ".join(words[: anchor + 1])
    rest = " ".join(words[anchor + 1 :]) + items_text[len(first_chunk) :]
    items = [i.strip() for i in re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", rest)]
    items = [i for i in items if i]
    if len(items) < 2 or any(len(i.split()) > MAX_ITEM_WORDS for i in items):
        return [claim]
    if any(_is_verb(w) for i in items for w in i.split()):
        return [claim]
    return [f"{prefix} {item}" for item in items]


def decompose(sentence: str, referent: str | None = None) -> list[str]:
    """The atomic claims of one sentence (the sentence itself when no rule applies).

    >>> decompose("Marie Curie was born in Warsaw and died in Passy.")
    ['Marie Curie was born in Warsaw.', 'Marie Curie died in Passy.']
    """
    text = resolve_pronoun(" ".join(sentence.split()).rstrip(" ."), referent)
    subject = subject_of(text)
    claims: list[str] = []
    for clause in _split_clauses(text):
        parts = [
            p
            for piece in _split_including(clause.strip(" ,"))
            for p in _relative_and_appositive(piece)
        ]
        for part in parts:
            for phrase in _split_verb_phrases(part.strip(" ,"), subject):
                claims.extend(_split_list(phrase))
    seen: dict[str, None] = {}
    for claim in claims:
        tidy = _tidy(claim)
        if len(tidy.split()) >= 3:
            seen.setdefault(tidy, None)
    return list(seen) or [_tidy(text)]
