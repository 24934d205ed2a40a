"""Sources: provenance and versions of documents read from web pages, PDFs and URLs.

Documents get the origin they were read from (a URL or a file path), a version number per
origin, the time it was read, and when a newer version replaced it; evidence sentences get
their PDF page; a verdict's cited evidence keeps all of it. Additive only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE documents
            ADD COLUMN IF NOT EXISTS origin        text,
            ADD COLUMN IF NOT EXISTS version       integer CHECK (version >= 1),
            ADD COLUMN IF NOT EXISTS fetched_at    timestamptz,
            ADD COLUMN IF NOT EXISTS superseded_at timestamptz
        """
    )
    op.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS documents_origin_version_idx "
        "ON documents (collection_id, origin, version) WHERE origin IS NOT NULL"
    )
    op.execute("ALTER TABLE evidence ADD COLUMN IF NOT EXISTS page integer")
    op.execute(
        """
        ALTER TABLE verdict_evidence
            ADD COLUMN IF NOT EXISTS page         integer,
            ADD COLUMN IF NOT EXISTS origin       text,
            ADD COLUMN IF NOT EXISTS version      integer,
            ADD COLUMN IF NOT EXISTS fetched_at   timestamptz,
            ADD COLUMN IF NOT EXISTS content_hash text
        """
    )


def downgrade() -> None:
    op.execute(
        """
        ALTER TABLE verdict_evidence
            DROP COLUMN IF EXISTS content_hash,
            DROP COLUMN IF EXISTS fetched_at,
            DROP COLUMN IF EXISTS version,
            DROP COLUMN IF EXISTS origin,
            DROP COLUMN IF EXISTS page
        """
    )
    op.execute("ALTER TABLE evidence DROP COLUMN IF EXISTS page")
    op.execute("DROP INDEX IF EXISTS documents_origin_version_idx")
    op.execute(
        """
        ALTER TABLE documents
            DROP COLUMN IF EXISTS superseded_at,
            DROP COLUMN IF EXISTS fetched_at,
            DROP COLUMN IF EXISTS version,
            DROP COLUMN IF EXISTS origin
        """
    )
