"""Initial schema: collections, documents, evidence, claims, verdicts, verdict evidence.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute(
        """
        CREATE TABLE collections (
            id              serial PRIMARY KEY,
            name            text NOT NULL UNIQUE,
            embedding_model text NOT NULL,
            embedding_dim   integer NOT NULL CHECK (embedding_dim > 0),
            index_type      text NOT NULL CHECK (index_type IN ('hnsw', 'ivfflat')),
            index_params    jsonb NOT NULL DEFAULT '{}',
            created_at      timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE documents (
            id            bigserial PRIMARY KEY,
            collection_id integer NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
            external_id   text,
            title         text,
            source        text,
            url           text,
            content       text NOT NULL,
            content_hash  text NOT NULL,
            metadata      jsonb NOT NULL DEFAULT '{}',
            created_at    timestamptz NOT NULL DEFAULT now(),
            UNIQUE (collection_id, content_hash)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE evidence (
            id            bigserial PRIMARY KEY,
            document_id   bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            collection_id integer NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
            position      integer NOT NULL,
            text          text NOT NULL,
            start_char    integer NOT NULL,
            end_char      integer NOT NULL,
            embedding     vector NOT NULL,
            UNIQUE (document_id, position)
        )
        """
    )
    op.execute("CREATE INDEX evidence_collection_idx ON evidence (collection_id)")
    op.execute(
        """
        CREATE TABLE claims (
            id         bigserial PRIMARY KEY,
            text       text NOT NULL,
            collection text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        """
        CREATE TABLE verdicts (
            id              bigserial PRIMARY KEY,
            claim_id        bigint NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
            label           text NOT NULL
                            CHECK (label IN ('SUPPORTED', 'REFUTED', 'NOT_ENOUGH_INFO')),
            confidence      real NOT NULL,
            scores          jsonb NOT NULL,
            strategy        text NOT NULL,
            timings_ms      jsonb NOT NULL,
            embedding_model text NOT NULL,
            nli_model       text NOT NULL,
            created_at      timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX verdicts_claim_idx ON verdicts (claim_id)")
    op.execute(
        """
        CREATE TABLE verdict_evidence (
            verdict_id    bigint NOT NULL REFERENCES verdicts(id) ON DELETE CASCADE,
            rank          integer NOT NULL,
            evidence_id   bigint REFERENCES evidence(id) ON DELETE SET NULL,
            document_id   bigint,
            text          text NOT NULL,
            title         text,
            source        text,
            url           text,
            start_char    integer NOT NULL,
            end_char      integer NOT NULL,
            similarity    real NOT NULL,
            label         text NOT NULL,
            entailment    real NOT NULL,
            neutral       real NOT NULL,
            contradiction real NOT NULL,
            PRIMARY KEY (verdict_id, rank)
        )
        """
    )


def downgrade() -> None:
    for table in ("verdict_evidence", "verdicts", "claims", "evidence", "documents"):
        op.execute(f"DROP TABLE IF EXISTS {table}")
    op.execute("DROP TABLE IF EXISTS collections")
