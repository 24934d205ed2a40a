"""VerdictStore: verifications with their evidence links and timings, and their history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.rows import dict_row

from truthgraph.db.pooled import PooledStore
from truthgraph.db.provenance import as_timestamp
from truthgraph.db.records import ClaimSummary
from truthgraph.db.sql import _iso
from truthgraph.domain import (
    EvidenceHit,
    Label,
    NLIScores,
    ScoredEvidence,
    Strategy,
    Verdict,
    check_characters,
)
from truthgraph.errors import NotFoundError


class VerdictStore(PooledStore):
    """Verdicts: save a verification with its evidence links and timings; read the history."""

    def save_verdict(
        self,
        verdict: Verdict,
        embedding_model: str,
        nli_model: str,
        origin: str | None = None,
    ) -> Verdict:
        """Persist a claim, its verdict and the evidence links; return it with ids set.

        ``origin`` names what produced the verdict when it must be stored at most once (a
        batch job's item): a second save with the same origin writes nothing and returns the
        verdict saved first.
        """
        from dataclasses import replace

        with self._connection() as conn, conn.transaction():
            claim_row = conn.execute(
                "INSERT INTO claims (text, collection, origin) VALUES (%s, %s, %s) "
                "ON CONFLICT (origin) DO NOTHING RETURNING id, created_at",
                (verdict.claim, verdict.collection, origin),
            ).fetchone()
            if claim_row is None:  # only an origin conflicts: this item was saved before
                first = conn.execute(
                    "SELECT id FROM claims WHERE origin = %s", (origin,)
                ).fetchone()
                assert first is not None
                saved_first: int | None = int(first[0])
            else:
                saved_first = None
                verdict_id = _insert_verdict(
                    conn, int(claim_row[0]), verdict, embedding_model, nli_model
                )
        if saved_first is not None:
            return self.get_verdict(saved_first)
        assert claim_row is not None
        return replace(
            verdict,
            claim_id=int(claim_row[0]),
            verdict_id=verdict_id,
            created_at=claim_row[1].isoformat(),
        )

    def save_timings(self, verdict_id: int, timings_ms: dict[str, float]) -> None:
        """Replace verdict ``verdict_id``'s stage timings (the verifier adds the time of the
        save itself, and the total, after ``save_verdict``)."""
        with self._connection() as conn:
            conn.execute(
                "UPDATE verdicts SET timings_ms = %s WHERE id = %s",
                (json.dumps(timings_ms), verdict_id),
            )

    def get_verdict(self, claim_id: int) -> Verdict:
        """The latest verdict of claim ``claim_id``; NotFoundError if there is none."""
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(
                """
                SELECT c.id AS claim_id, c.text, c.collection, c.created_at, v.id AS verdict_id,
                       v.label, v.confidence, v.scores, v.strategy, v.timings_ms
                FROM claims c JOIN verdicts v ON v.claim_id = c.id
                WHERE c.id = %s ORDER BY v.id DESC LIMIT 1
                """,
                (claim_id,),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no verification with id {claim_id}")
            evidence_rows = cur.execute(
                "SELECT * FROM verdict_evidence WHERE verdict_id = %s ORDER BY rank",
                (row["verdict_id"],),
            ).fetchall()
        evidence = tuple(
            ScoredEvidence(
                EvidenceHit(
                    evidence_id=int(e["evidence_id"] or 0),
                    document_id=int(e["document_id"] or 0),
                    text=e["text"],
                    start=int(e["start_char"]),
                    end=int(e["end_char"]),
                    similarity=float(e["similarity"]),
                    title=e["title"],
                    source=e["source"],
                    url=e["url"],
                    page=e["page"],
                    origin=e["origin"],
                    version=e["version"],
                    fetched_at=_iso(e["fetched_at"]),
                    content_hash=e["content_hash"],
                ),
                NLIScores(float(e["entailment"]), float(e["neutral"]), float(e["contradiction"])),
            )
            for e in evidence_rows
        )
        return Verdict(
            claim=row["text"],
            label=Label(row["label"]),
            confidence=float(row["confidence"]),
            scores={Label(k): float(v) for k, v in row["scores"].items()},
            evidence=evidence,
            strategy=Strategy(row["strategy"]),
            collection=row["collection"],
            timings_ms={k: float(v) for k, v in row["timings_ms"].items()},
            claim_id=int(row["claim_id"]),
            verdict_id=int(row["verdict_id"]),
            created_at=row["created_at"].isoformat(),
        )

    def list_claims(
        self,
        query: str | None = None,
        collection: str | None = None,
        limit: int = 20,
        offset: int = 0,
        collections: Sequence[str] | None = None,
    ) -> tuple[list[ClaimSummary], int]:
        """Past verifications, newest first, whose claim contains ``query`` (case-insensitive)
        and, when ``collections`` is given, that were made against one of them; and how many
        match in all."""
        pattern = None
        for text, what in ((query, "the query"), (collection, "the collection name")):
            if text is not None:
                check_characters(text, what)
        if query:
            escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
        where = """
            WHERE (%(pattern)s::text IS NULL OR c.text ILIKE %(pattern)s)
              AND (%(collection)s::text IS NULL OR c.collection = %(collection)s)
              AND (%(collections)s::text[] IS NULL OR c.collection = ANY(%(collections)s))
        """
        params = {
            "pattern": pattern,
            "collection": collection,
            "collections": None if collections is None else list(collections),
            "limit": limit,
            "offset": offset,
        }
        with self._connection() as conn:
            total_row = conn.execute("SELECT count(*) FROM claims c" + where, params).fetchone()
            rows = conn.execute(
                """
                SELECT c.id, v.id, c.text, c.collection, v.label, v.confidence, c.created_at
                FROM claims c
                JOIN LATERAL (SELECT id, label, confidence FROM verdicts
                              WHERE claim_id = c.id ORDER BY id DESC LIMIT 1) v ON true
                """
                + where
                + " ORDER BY c.created_at DESC, c.id DESC LIMIT %(limit)s OFFSET %(offset)s",
                params,
            ).fetchall()
        items = [
            ClaimSummary(
                claim_id=int(r[0]),
                verdict_id=int(r[1]),
                claim=r[2],
                collection=r[3],
                label=r[4],
                confidence=float(r[5]),
                created_at=r[6].isoformat(),
            )
            for r in rows
        ]
        return items, int(total_row[0]) if total_row else 0

    def get_verdict_by_id(self, verdict_id: int) -> Verdict:
        """A verdict by its own id (a claim holds the one verdict ``save_verdict`` wrote)."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT claim_id FROM verdicts WHERE id = %s", (verdict_id,)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"no verdict with id {verdict_id}")
        verdict = self.get_verdict(int(row[0]))
        if verdict.verdict_id != verdict_id:
            raise NotFoundError(f"verdict {verdict_id} was superseded by {verdict.verdict_id}")
        return verdict


def _insert_verdict(
    conn: psycopg.Connection[Any],
    claim_id: int,
    verdict: Verdict,
    embedding_model: str,
    nli_model: str,
) -> int:
    """Write a claim's verdict and its evidence links in the caller's transaction; its id."""
    verdict_row = conn.execute(
        """
        INSERT INTO verdicts (claim_id, label, confidence, scores, strategy, timings_ms,
                              embedding_model, nli_model)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id
        """,
        (
            claim_id,
            verdict.label.value,
            verdict.confidence,
            json.dumps({k.value: v for k, v in verdict.scores.items()}),
            verdict.strategy.value,
            json.dumps(verdict.timings_ms),
            embedding_model,
            nli_model,
        ),
    ).fetchone()
    assert verdict_row is not None
    if verdict.evidence:
        with conn.cursor() as cur:
            cur.executemany(
                """
                INSERT INTO verdict_evidence (verdict_id, rank, evidence_id, document_id,
                    text, title, source, url, start_char, end_char, similarity, label,
                    entailment, neutral, contradiction, page, origin, version, fetched_at,
                    content_hash)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                        %s, %s, %s, %s, %s)
                """,
                [
                    (
                        verdict_row[0],
                        rank,
                        e.hit.evidence_id,
                        e.hit.document_id,
                        e.hit.text,
                        e.hit.title,
                        e.hit.source,
                        e.hit.url,
                        e.hit.start,
                        e.hit.end,
                        e.hit.similarity,
                        e.label.value,
                        e.scores.entailment,
                        e.scores.neutral,
                        e.scores.contradiction,
                        e.hit.page,
                        e.hit.origin,
                        e.hit.version,
                        as_timestamp(e.hit.fetched_at),
                        e.hit.content_hash,
                    )
                    for rank, e in enumerate(verdict.evidence)
                ],
            )
    return int(verdict_row[0])
