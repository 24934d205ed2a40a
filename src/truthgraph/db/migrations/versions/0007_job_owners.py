"""Job owners: the API key that queued a job, so each key's queue is capped and the worker
serves keys in turn.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE jobs ADD COLUMN owner text NOT NULL DEFAULT ''")
    op.execute("CREATE INDEX jobs_owner_started_idx ON jobs (owner, started_at)")
    op.execute("CREATE INDEX jobs_owner_queued_idx ON jobs (owner) WHERE status = 'queued'")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS jobs_owner_queued_idx")
    op.execute("DROP INDEX IF EXISTS jobs_owner_started_idx")
    op.execute("ALTER TABLE jobs DROP COLUMN IF EXISTS owner")
