"""Which sentences are check-worthy: statements of fact. Rules, measured in decision 0013.

A sentence is skipped, with the reason, when it is a question, an instruction, an opinion, a
heading or boilerplate, or too short to state a fact. Everything else is checked: the rules
drop only what they recognise, so a statement of fact is kept unless it looks like one of
these. Evaluative words (*amazing*, *best*, *should*) mark an opinion only in a sentence with
no fact anchor (a number, or two capitalised words: names, titles), so reported speech and
award names stay checked; first-person opinion markers (*I think*, *in my view*) always do.
"""

from __future__ import annotations

import re

MIN_WORDS = 4

_QUESTION = re.compile(r"\?\s*[\"'”’)\]]*\s*$")
_HEADING = re.compile(r"^\s*(#{1,6}\s|[-*=_]{3,}\s*$)")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_TERMINAL = re.compile(r"[.!;:\"'”’)\]]\s*$")
_IMPERATIVE = re.compile(
    r"^(?:please\s+)?(?:click|tap|subscribe|sign\s+up|sign\s+in|log\s+in|follow|share|read|"
    r"see|visit|contact|call|email|download|install|join|skip|learn|find\s+out|check\s+out|"
    r"try|make\s+sure|remember|don'?t|do\s+not|let'?s|register|order|buy|book|watch|"
    r"listen|scroll|go\s+to|note|consider|imagine|enter|select|choose|add|use|open|"
    r"send|fill|keep|avoid|ask|get)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(
    r"\b(?:i|we)\s+(?:think|believe|feel|guess|suppose|hope|love|hate|like|prefer|wish)\b|"
    r"\bin\s+(?:my|our)\s+(?:opinion|view)\b|\bpersonally\b|\bi'm\s+sure\b|\bi\s+am\s+sure\b",
    re.IGNORECASE,
)
_EVALUATIVE = re.compile(
    r"\b(?:should|ought\s+to|must)\b|\bwould\s+(?:be\s+)?(?:better|best|nice|great)\b|"
    r"\b(?:amazing|awesome|terrible|awful|wonderful|beautiful|ugly|boring|overrated|"
    r"underrated|delicious|lovely|fantastic|horrible|brilliant|stupid|disgusting|gorgeous|"
    r"incredible|outstanding|pathetic|ridiculous|best|worst)\b",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"all\s+rights\s+reserved|copyright\s*(?:©|\(c\)|\d{4})|©|\bcookies?\b|privacy\s+policy|"
    r"terms\s+(?:of|and)\s+(?:use|service|conditions)|skip\s+to\s+(?:main\s+)?content|"
    r"\bnewsletter\b|\bunsubscribe\b|posted\s+(?:by|on|in)\b|share\s+(?:this|on)\b|"
    r"click\s+here|read\s+more|\bmenu\b|\blog\s*in\b|\bsign\s*up\b|^\s*(?:https?://|www\.)\S+\s*$",
    re.IGNORECASE,
)
_FACT_ANCHOR = re.compile(r"\d|\b[A-Z][a-z]+\b.*\b[A-Z][a-z]+\b")
_WORD = re.compile(r"\w+")


def skip_reason(sentence: str) -> str | None:
    """Why ``sentence`` is not check-worthy, or None if it is checked.

    >>> skip_reason("Is Paris the capital of France?"), skip_reason("Paris is in France.")
    ('question', None)
    """
    text = sentence.strip()
    words = _WORD.findall(text)
    if _QUESTION.search(text):
        return "question"
    if _BOILERPLATE.search(text):
        return "boilerplate"
    if _HEADING.match(text):
        return "heading"
    if len(words) < MIN_WORDS:
        return "too short"
    if not _TERMINAL.search(text) and not _BULLET.match(text) and len(words) <= 12:
        return "heading"
    if _IMPERATIVE.match(_BULLET.sub("", text)):
        return "instruction"
    if _FIRST_PERSON.search(text):
        return "opinion"
    evaluative = [
        m for m in _EVALUATIVE.finditer(text) if not m.group()[0].isupper() or m.start() == 0
    ]
    if evaluative and not _FACT_ANCHOR.search(text):
        return "opinion"
    return None
