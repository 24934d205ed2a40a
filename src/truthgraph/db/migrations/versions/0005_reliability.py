"""Reliability and tenancy: a verdict saved once per job item, and API keys with scopes.

- ``claims.origin``: what produced a stored verdict when it must be stored once (a batch job's
  item: ``job:<id>:<position>``). Unique, so a job resumed after a crash saves nothing twice.
- ``api_keys``: keys managed by ``truthgraph keys``, stored as SHA-256 hashes, each with the
  collections it may read and write, or the admin scope.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE claims ADD COLUMN origin text")
    op.execute("CREATE UNIQUE INDEX claims_origin_idx ON claims (origin)")
    op.execute(
        """
        CREATE TABLE api_keys (
            id          bigserial PRIMARY KEY,
            name        text NOT NULL UNIQUE,
            key_hash    text NOT NULL UNIQUE,
            prefix      text NOT NULL,
            admin       boolean NOT NULL DEFAULT false,
            can_read    text[] NOT NULL DEFAULT '{}',
            can_write   text[] NOT NULL DEFAULT '{}',
            created_at  timestamptz NOT NULL DEFAULT now(),
            revoked_at  timestamptz
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS api_keys")
    op.execute("DROP INDEX IF EXISTS claims_origin_idx")
    op.execute("ALTER TABLE claims DROP COLUMN IF EXISTS origin")
