"""The OpenAI-compatible chat extractor against a minimal chat-completions server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr

from truthgraph.errors import ConfigError, UnavailableError
from truthgraph.extract import extract
from truthgraph.extract.llm import ChatExtractor
from truthgraph.settings import LLMSettings

TEXT = "Luc Besson produced Colombiana and Soyuz flew in 1967. Is it good? It is great fun."


class ChatServer:
    """Answers POST /v1/chat/completions with ``self.answer`` and records each request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer: Any = {}
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers["Content-Length"])
                outer.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization"),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                body = json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": outer.answer}}]}
                ).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    server = ChatServer()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_protocol_and_span_check(chat: ChatServer) -> None:
    chat.answer = json.dumps(
        {
            "sentences": [
                {
                    "index": 0,
                    "check_worthy": True,
                    "claims": [
                        "Luc Besson produced Colombiana.",
                        "Soyuz flew in 1967.",
                        "Luc Besson directed Titanic.",  # invented: dropped and counted
                    ],
                },
                {"index": 1, "check_worthy": False, "claims": []},
                {"index": 2, "check_worthy": False, "claims": []},
            ]
        }
    )
    settings = LLMSettings(base_url=chat.url, model="tiny", api_key=SecretStr("sk-test"))
    extraction = extract(TEXT, ChatExtractor(settings))
    [request] = chat.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "tiny"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][1]["content"].splitlines()[0].startswith("0: Luc Besson")
    assert [c.text for c in extraction.claims] == [
        "Luc Besson produced Colombiana.",
        "Soyuz flew in 1967.",
    ]
    assert extraction.unmapped == 1
    assert extraction.extractor == "llm"
    assert [s.skip for s in extraction.sentences][1:] == ["not check-worthy (llm)"] * 2
    soyuz = extraction.claims[1]
    assert TEXT[soyuz.start : soyuz.end] == "Soyuz flew in 1967"


def test_sentences_are_sent_in_chunks(chat: ChatServer) -> None:
    chat.answer = '```json\n{"sentences": []}\n```'
    settings = LLMSettings(base_url=chat.url, sentences_per_request=2)
    extraction = extract(TEXT, ChatExtractor(settings))
    assert len(chat.requests) == 2
    assert chat.requests[0]["auth"] is None
    assert {s.skip for s in extraction.sentences} == {"not proposed"}


def test_an_answer_that_is_not_json_is_an_error(chat: ChatServer) -> None:
    chat.answer = "Sure! Here are the claims: ..."
    with pytest.raises(UnavailableError, match="not the JSON asked for"):
        extract(TEXT, ChatExtractor(LLMSettings(base_url=chat.url)))


def test_an_http_error_is_an_error(chat: ChatServer) -> None:
    chat.status = 500
    with pytest.raises(UnavailableError, match="answered 500"):
        extract(TEXT, ChatExtractor(LLMSettings(base_url=chat.url)))


def test_no_endpoint_configured() -> None:
    with pytest.raises(ConfigError, match="TRUTHGRAPH_LLM__BASE_URL"):
        ChatExtractor(LLMSettings())
