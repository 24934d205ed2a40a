"""Per-invocation state: the settings, and the parts (store, models) built on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

from truthgraph.ports import LoadedEmbedder, LoadedNLIModel
from truthgraph.settings import Settings
from truthgraph.verify.verifier import Verifier

if TYPE_CHECKING:  # wiring (and the database) load only when a command uses them
    from truthgraph.db.roles import EvidenceDatabase, KeyStore
    from truthgraph.wiring import Parts


@dataclass
class AppState:
    """Built in the root callback and stored in ``ctx.obj``; closed when the command ends."""

    settings: Settings
    _parts: Parts | None = field(default=None, repr=False)

    def parts(self) -> Parts:
        """The command's parts (``wiring.Parts``), each built on first use."""
        if self._parts is None:
            from truthgraph.wiring import Parts

            self._parts = Parts(self.settings)
        return self._parts

    def store(self) -> EvidenceDatabase:
        return self.parts().store

    def keys(self) -> KeyStore:
        return self.parts().keys

    def embedder(self) -> LoadedEmbedder:
        return self.parts().embedder

    def nli(self) -> LoadedNLIModel:
        return self.parts().nli

    def verifier(self) -> Verifier:
        return self.parts().verifier()

    def close(self) -> None:
        if self._parts is not None:
            self._parts.close()
            self._parts = None


def state(ctx: typer.Context) -> AppState:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppState):  # pragma: no cover - the root callback always sets it
        raise RuntimeError("CLI state missing")
    return obj
