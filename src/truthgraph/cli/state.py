"""Per-invocation state: the settings, and the store and models built on first use."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from truthgraph.db.store import PgvectorEvidenceStore
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel
from truthgraph.settings import Settings
from truthgraph.verify.verifier import Verifier


@dataclass
class AppState:
    """Built in the root callback and stored in ``ctx.obj``; closed when the command ends."""

    settings: Settings
    _store: PgvectorEvidenceStore | None = field(default=None, repr=False)
    _embedder: LoadedEmbedder | None = field(default=None, repr=False)
    _nli: LoadedNLIModel | None = field(default=None, repr=False)

    def store(self) -> PgvectorEvidenceStore:
        if self._store is None:
            from truthgraph.wiring import build_store

            self._store = build_store(self.settings)
        return self._store

    def embedder(self) -> LoadedEmbedder:
        if self._embedder is None:
            from truthgraph.wiring import build_embedder

            self._embedder = build_embedder(self.settings)
        return self._embedder

    def nli(self) -> LoadedNLIModel:
        if self._nli is None:
            from truthgraph.wiring import build_nli

            self._nli = build_nli(self.settings)
        return self._nli

    def verifier(self) -> Verifier:
        from truthgraph.wiring import build_verifier

        return build_verifier(self.settings, self.store(), self.embedder(), self.nli())

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def state(ctx: typer.Context) -> AppState:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppState):  # pragma: no cover - the root callback always sets it
        raise RuntimeError("CLI state missing")
    return obj
