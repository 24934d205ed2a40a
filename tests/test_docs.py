"""The docs hold: every CLI command has help text and is in the README; the generated reference
pages are current; every page is in the site's nav; and every example of the README and the
quickstart runs against the demo corpus and gives the answer the text shows."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer.main
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import DEMO_DIR
from tests.service import api_settings, app, client, logs_to_stderr, service_parts
from truthgraph.cli.main import app as cli_app

__all__ = ["api_settings", "app", "client", "logs_to_stderr", "service_parts"]

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
EXAMPLE_PAGES = [REPO / "README.md", REPO / "docs" / "quickstart.md"]
LABEL = re.compile(r"\b(SUPPORTED|REFUTED|NOT_ENOUGH_INFO)\b")
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
# Lines of a console example that stand for something the test provides (the server is the
# test's app) or that install things; every other `$ ` line runs.
NOT_RUN = ("truthgraph serve", "make ", "source ", "pip ")


def _commands() -> list[tuple[str, Any]]:
    root: Any = typer.main.get_command(cli_app)
    found: list[tuple[str, Any]] = []
    for name, command in root.commands.items():
        if hasattr(command, "commands"):
            found.extend((f"{name} {sub}", c) for sub, c in command.commands.items())
        else:
            found.append((name, command))
    return found


def test_every_command_has_help_text() -> None:
    for name, command in _commands():
        assert command.help and command.help.strip(), name


def test_every_command_is_in_the_readme() -> None:
    missing = [name for name, _ in _commands() if f"truthgraph {name}" not in README]
    assert missing == []


def test_the_readme_is_short() -> None:
    assert len(README.splitlines()) <= 150


def _gen_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_docs", REPO / "scripts" / "gen_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_reference_pages_are_current() -> None:
    stale = [str(p.relative_to(REPO)) for p in _gen_docs().stale()]

    assert stale == [], "run python scripts/gen_docs.py"


def test_the_cli_reference_has_every_command() -> None:
    reference = (REPO / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")

    missing = [name for name, _ in _commands() if f"## `truthgraph {name}`" not in reference]

    assert missing == []


def test_every_docs_page_is_in_the_nav() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(str(p.relative_to(REPO / "docs")) for p in (REPO / "docs").rglob("*.md"))

    assert [page for page in pages if page not in nav] == []


# the examples ------------------------------------------------------------------------------


def _blocks(page: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(page.read_text(encoding="utf-8"))]


def _console_steps(page: Path) -> list[tuple[str, str]]:
    """(command, the output the page shows for it) for every `$ ` line of console blocks."""
    steps: list[tuple[str, str]] = []
    for language, body in _blocks(page):
        if language != "console":
            continue
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:].strip(), ""))
            elif steps:
                command, shown = steps[-1]
                steps[-1] = (command, shown + line + "\n")
    return [(c, s) for c, s in steps if not c.startswith(NOT_RUN)]


def _python_examples(page: Path) -> list[tuple[str, str | None]]:
    """(code, the output the page shows after it, if a ```text block follows)."""
    blocks = _blocks(page)
    examples: list[tuple[str, str | None]] = []
    for index, (language, body) in enumerate(blocks):
        if language == "python":
            following = blocks[index + 1] if index + 1 < len(blocks) else ("", "")
            examples.append((body, following[1] if following[0] == "text" else None))
    return examples


def _words(text: str) -> set[str]:
    """The words of a text, numbers left out (confidences and timings vary a little)."""
    return set(re.findall(r"[A-Za-z_][A-Za-z_'-]*", text))


def _assert_shows(shown: str, actual: str) -> None:
    """The first verdict label shown is the first one printed, and every word shown appears."""
    assert LABEL.findall(actual)[:1] == LABEL.findall(shown)[:1], actual
    assert _words(shown) - _words(actual) == set(), actual


def _assert_json_shows(shown: str, actual: dict[str, Any]) -> None:
    """Every ``"key": "value"`` pair the page shows is in the response."""
    for key, value in re.findall(r'"(\w+)": "([^"]*)"', shown):
        assert actual.get(key) == value, (key, actual)


def _curl(command: str, http: TestClient) -> dict[str, Any]:
    """A shown `curl` call, made on the test's app instead of a server on port 8000."""
    args = shlex.split(command)
    url = next(a for a in args if a.startswith("http"))
    data = args[args.index("-d") + 1] if "-d" in args else None
    method = args[args.index("-X") + 1] if "-X" in args else ("POST" if data else "GET")
    path = re.sub(r"^https?://[^/]+", "", url)
    response = http.request(method, path, json=json.loads(data) if data else None)
    assert response.status_code < 300, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def cli_env(home: Path, database_url: str) -> dict[str, str]:
    return {"TRUTHGRAPH_HOME": str(home), "TRUTHGRAPH_DATABASE_URL": ""}


@pytest.fixture(scope="module")
def demo(cli_env: dict[str, str]) -> str:
    """The demo corpus in the collection the examples name, ``demo``."""
    result = CliRunner().invoke(
        cli_app, ["ingest", str(DEMO_DIR / "corpus.jsonl"), "-c", "demo"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    return "demo"


def test_the_pages_have_examples_to_run() -> None:
    for page in EXAMPLE_PAGES:
        assert _console_steps(page), page
        assert _python_examples(page), page


@pytest.mark.integration
@pytest.mark.models
@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=lambda p: p.name)
def test_every_command_line_example_gives_the_answer_shown(
    page: Path,
    demo: str,
    cli_env: dict[str, str],
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    for command, shown in _console_steps(page):
        if command.startswith("curl "):
            _assert_json_shows(shown, _curl(command, client))
            continue
        assert command.startswith("truthgraph "), command
        result = CliRunner().invoke(cli_app, shlex.split(command)[1:], env=cli_env)
        assert result.exit_code == 0, (command, result.output)
        if shown.strip():
            _assert_shows(shown, result.output)


@pytest.mark.integration
@pytest.mark.models
@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=lambda p: p.name)
def test_every_python_example_prints_what_is_shown(
    page: Path,
    demo: str,
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in cli_env.items():
        monkeypatch.setenv(name, value)
    for code, shown in _python_examples(page):
        namespace: dict[str, Any] = {}
        try:
            exec(compile(code, str(page), "exec"), namespace)
        finally:
            verifier = namespace.get("verifier")
            if verifier is not None:
                verifier.store.close()
        printed = capsys.readouterr().out
        if shown is not None:
            assert printed == shown
