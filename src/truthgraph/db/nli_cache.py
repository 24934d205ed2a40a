"""NLICacheStore: scores of (evidence sentence, claim) pairs a verifier computed before."""

from __future__ import annotations

from collections.abc import Sequence

from truthgraph.db.pooled import PooledStore
from truthgraph.domain import NLIScores


class NLICacheStore(PooledStore):
    """The NLI cache: scores of (evidence sentence, claim) pairs a verifier computed before."""

    def cached_scores(
        self, model: str, keys: Sequence[tuple[int, str]]
    ) -> dict[tuple[int, str], NLIScores]:
        """NLI scores of (evidence id, claim hash) pairs this model has scored before."""
        if not keys:
            return {}
        with self._connection() as conn:
            rows = conn.execute(
                """
                SELECT c.evidence_id, c.claim_hash, c.entailment, c.neutral, c.contradiction
                FROM nli_cache c
                JOIN unnest(%s::bigint[], %s::text[]) AS k(evidence_id, claim_hash)
                  ON c.evidence_id = k.evidence_id AND c.claim_hash = k.claim_hash
                WHERE c.model = %s
                """,
                ([k[0] for k in keys], [k[1] for k in keys], model),
            ).fetchall()
        return {(int(r[0]), r[1]): NLIScores(float(r[2]), float(r[3]), float(r[4])) for r in rows}

    def save_scores(self, model: str, items: Sequence[tuple[int, str, NLIScores]]) -> None:
        """Remember NLI scores for later verifications of the same pairs."""
        if not items:
            return
        with self._connection() as conn, conn.transaction(), conn.cursor() as cur:
            cur.executemany(
                """
                INSERT INTO nli_cache (evidence_id, claim_hash, model, entailment, neutral,
                                       contradiction)
                VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING
                """,
                [(e, h, model, s.entailment, s.neutral, s.contradiction) for e, h, s in items],
            )
