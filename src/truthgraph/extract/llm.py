"""``ChatExtractor``: an OpenAI-compatible chat endpoint proposes the claims.

It sends the text's sentences, numbered, to ``POST {base_url}/chat/completions`` and reads
back JSON: ``{"sentences": [{"index": 0, "check_worthy": true, "claims": ["..."]}]}``. What
it proposes goes through the same span check as the built-in extractor (``extract``): a claim
whose words are not the text's is dropped and counted. The endpoint is optional and never
needed by default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import httpx

from truthgraph.domain import Sentence
from truthgraph.errors import ConfigError, UnavailableError
from truthgraph.extract.types import Proposal
from truthgraph.settings import LLMSettings

SYSTEM_PROMPT = (
    "You split texts into atomic factual claims for fact-checking. You get numbered "
    "sentences. For each sentence decide whether it states a checkable fact (not a question, "
    "instruction, opinion, heading or boilerplate). For each check-worthy sentence, write its "
    "atomic claims: one fact each, using only words of the text (copy them; replace a pronoun "
    "by its referent from the text when clear). Answer with JSON only: "
    '{"sentences": [{"index": 0, "check_worthy": true, "claims": ["..."]}]}'
)
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


class ChatExtractor:
    """Claims from an OpenAI-compatible chat-completions endpoint."""

    name = "llm"

    def __init__(self, settings: LLMSettings) -> None:
        if not settings.base_url:
            raise ConfigError(
                "the llm extractor needs TRUTHGRAPH_LLM__BASE_URL (an OpenAI-compatible "
                "endpoint, e.g. http://127.0.0.1:8080/v1)"
            )
        self.settings = settings
        self.url = settings.base_url.rstrip("/") + "/chat/completions"

    def propose(self, text: str, sentences: Sequence[Sentence]) -> list[Proposal]:
        size = self.settings.sentences_per_request
        proposals: list[Proposal] = []
        headers = {"Content-Type": "application/json"}
        if self.settings.api_key is not None:
            headers["Authorization"] = f"Bearer {self.settings.api_key.get_secret_value()}"
        with httpx.Client(timeout=self.settings.timeout_s, headers=headers) as client:
            for begin in range(0, len(sentences), size):
                chunk = list(enumerate(sentences[begin : begin + size], start=begin))
                proposals.extend(self._ask(client, chunk))
        return proposals

    def _ask(self, client: httpx.Client, chunk: list[tuple[int, Sentence]]) -> list[Proposal]:
        numbered = "\n".join(f"{i}: {s.text}" for i, s in chunk)
        body = {
            "model": self.settings.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": numbered},
            ],
        }
        try:
            response = client.post(self.url, json=body)
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
        except httpx.HTTPStatusError as exc:
            raise UnavailableError(
                f"the LLM endpoint answered {exc.response.status_code} at {self.url}"
            ) from exc
        except httpx.HTTPError as exc:
            raise UnavailableError(f"the LLM endpoint {self.url} failed: {exc}") from exc
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise UnavailableError(
                f"the LLM endpoint {self.url} did not answer a chat completion"
            ) from exc
        return parse_answer(content, [i for i, _ in chunk])


def parse_answer(content: Any, indexes: Sequence[int]) -> list[Proposal]:
    """The proposals in a model's answer; a sentence it does not mention is skipped as
    ``not proposed``, and an answer that is not the JSON asked for is an error."""
    try:
        data = json.loads(_FENCE.sub("", str(content)))
        rows = data["sentences"]
        if not isinstance(rows, list):
            raise TypeError("sentences is not a list")
    except (ValueError, KeyError, TypeError) as exc:
        raise UnavailableError("the LLM endpoint's answer is not the JSON asked for") from exc
    wanted = set(indexes)
    found: dict[int, Proposal] = {}
    for row in rows:
        if not isinstance(row, dict) or row.get("index") not in wanted:
            continue
        index = int(row["index"])
        claims = row.get("claims") or []
        claims = tuple(c for c in claims if isinstance(c, str) and c.strip())
        if row.get("check_worthy") is False:
            found[index] = Proposal(index, (), "not check-worthy (llm)")
        else:
            found[index] = Proposal(index, claims)
    return [found.get(i, Proposal(i, (), "not proposed")) for i in indexes]
