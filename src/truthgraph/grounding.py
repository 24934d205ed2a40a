"""Check a text against the documents it came with, from Python: one call, no database, no
server (``truthgraph.check_text``).

    from truthgraph import check_text

    report = check_text(answer, against=["source.pdf", "https://example.org/page", passage])
    print(report.verdict, report.factuality)
    for sentence in report.sentences: ...

The models load on the first call and stay loaded for the next ones (one ``Grounder`` per
settings); ``Grounder`` holds them explicitly where a caller wants to own them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from truthgraph.check.against import (
    Limits,
    MemoryEvidenceStore,
    check_against,
    document_texts,
    read_against,
)
from truthgraph.check.report import LABELS, CheckReport
from truthgraph.domain import RawDocument
from truthgraph.errors import DocumentError, InvalidInputError
from truthgraph.ingest.fetch import is_url
from truthgraph.ingest.sources import SUFFIXES
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel
from truthgraph.settings import Settings

Source = str | Path | RawDocument
"""A document to check against: a ``Path`` (any file or folder ``ingest`` reads), an
``http(s)://`` URL, a ``RawDocument``, or the document's text itself. A one-line ``str``
ending in a suffix ``ingest`` reads (``notes.txt``, ``source.pdf``) names a file."""


def looks_like_path(source: str) -> bool:
    """Whether a ``str`` source names a file rather than holding a document's text."""
    single = source.strip()
    return (
        "\n" not in single
        and len(single) < 1024
        and (Path(single).suffix.lower() in SUFFIXES or Path(single).is_dir())
    )


def split_sources(against: Sequence[Source]) -> list[str | Path | RawDocument]:
    """``against`` with every plain text turned into a ``RawDocument``; files and URLs as
    they are (read by ``read_against``)."""
    if isinstance(against, str | Path | RawDocument):
        raise InvalidInputError("against must be a list of documents, not one")
    out: list[str | Path | RawDocument] = []
    for number, source in enumerate(against, start=1):
        if isinstance(source, RawDocument | Path):
            out.append(source)
        elif isinstance(source, str):
            if is_url(source) or looks_like_path(source):
                out.append(source.strip())
            else:
                (document,) = document_texts([source])
                out.append(RawDocument(text=document.text, source=f"document {number}", title=None))
        else:
            raise DocumentError(f"document {number}: a path, URL, RawDocument or text")
    return out


class Grounder:
    """The configured models, loaded once, checking texts against given documents.

    >>> grounder = Grounder()
    >>> report = grounder.check("Besson produced it.", ["It was produced by Luc Besson."])
    >>> report.verdict
    'SUPPORTED'
    """

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: LoadedEmbedder | None = None,
        nli: LoadedNLIModel | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._nli = nli
        self._lock = threading.Lock()

    def models(self) -> tuple[LoadedEmbedder, LoadedNLIModel]:
        """Both models, loaded on first use."""
        from truthgraph.wiring import build_embedder, build_nli

        with self._lock:
            if self._embedder is None:
                self._embedder = build_embedder(self.settings)
            if self._nli is None:
                self._nli = build_nli(self.settings)
            return self._embedder, self._nli

    def check(
        self,
        text: str,
        against: Sequence[Source],
        *,
        labels: str = "three-way",
        extractor: str = "builtin",
        top_k: int | None = None,
    ) -> CheckReport:
        """Check ``text`` claim by claim against ``against`` only; see ``check_text``."""
        from truthgraph.check.run import Extracted, extracted
        from truthgraph.wiring import build_extractor, build_grounding_verifier

        if labels not in LABELS:
            raise InvalidInputError(f"labels must be one of {', '.join(LABELS)}")
        chosen = build_extractor(self.settings, extractor)
        given: str | Extracted = text
        if extractor != "llm":
            given = extracted(text, chosen)  # a bad text fails before documents are read
        r0 = time.perf_counter()
        documents = read_against(split_sources(against), self.settings.fetch, Limits())
        read_ms = (time.perf_counter() - r0) * 1000
        embedder, nli = self.models()
        store = MemoryEvidenceStore(documents, embedder)
        verifier = build_grounding_verifier(self.settings, store, embedder, nli)
        options = verifier.options_with(top_k=top_k, persist=False)
        return check_against(
            verifier, given, store, chosen, options, labels=labels, read_ms=read_ms
        )


def check_text(
    text: str,
    against: Sequence[Source],
    *,
    settings: Settings | None = None,
    labels: str = "three-way",
    extractor: str = "builtin",
    top_k: int | None = None,
) -> CheckReport:
    """Check ``text`` (an answer, a summary, a report) claim by claim against the documents
    it came with, and only those: no collection, no database, no server, nothing stored.

    ``against``: files and folders (every type ``ingest`` reads), ``http(s)://`` URLs,
    ``RawDocument`` objects, or documents' texts (see ``Source``). ``labels="binary"`` gives
    each sentence and the text SUPPORTED or NOT_SUPPORTED. Returns the same ``CheckReport``
    as ``truthgraph check`` (``.verdict``, ``.factuality``, ``.sentences``, ``.to_dict()``).
    Raises ``DocumentError`` for a document that is missing, unreadable, empty, too large or
    a URL that fails; ``NothingToCheckError`` for a text with no check-worthy sentence.

    >>> passage = "The Volga flows into the Caspian Sea."
    >>> report = check_text("The Volga ends in the Caspian Sea.", against=[passage])
    >>> report.verdict
    'SUPPORTED'

    Each call loads the models (about a second) and keeps nothing afterwards: no state is
    held between calls. To check many texts, hold a ``Grounder``, which loads them once.
    """
    grounder = Grounder(settings or Settings())
    return grounder.check(text, against, labels=labels, extractor=extractor, top_k=top_k)
