"""HTTP service: background jobs (batch verification, uploads) and keyword search.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE jobs (
            id          uuid PRIMARY KEY,
            kind        text NOT NULL CHECK (kind IN ('verify', 'ingest')),
            status      text NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'running', 'succeeded', 'failed',
                                          'cancelled')),
            collection  text NOT NULL,
            params      jsonb NOT NULL DEFAULT '{}',
            total       integer NOT NULL CHECK (total >= 0),
            done        integer NOT NULL DEFAULT 0,
            failed      integer NOT NULL DEFAULT 0,
            error       text,
            result      jsonb,
            created_at  timestamptz NOT NULL DEFAULT now(),
            started_at  timestamptz,
            finished_at timestamptz,
            updated_at  timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute(
        "CREATE INDEX jobs_pending_idx ON jobs (created_at) WHERE status IN ('queued', 'running')"
    )
    op.execute(
        """
        CREATE TABLE job_items (
            job_id   uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            position integer NOT NULL,
            input    jsonb NOT NULL,
            status   text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'done', 'failed')),
            result   jsonb,
            error    text,
            PRIMARY KEY (job_id, position)
        )
        """
    )
    op.execute(
        "CREATE INDEX evidence_text_fts_idx ON evidence USING gin (to_tsvector('english', text))"
    )
    op.execute("CREATE INDEX claims_created_idx ON claims (created_at DESC, id DESC)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS claims_created_idx")
    op.execute("DROP INDEX IF EXISTS evidence_text_fts_idx")
    op.execute("DROP TABLE IF EXISTS job_items")
    op.execute("DROP TABLE IF EXISTS jobs")
