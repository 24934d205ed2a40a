"""NLI score cache: an (evidence sentence, claim) pair scored once is read back.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE nli_cache (
            evidence_id   bigint NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
            claim_hash    text NOT NULL,
            model         text NOT NULL,
            entailment    real NOT NULL,
            neutral       real NOT NULL,
            contradiction real NOT NULL,
            created_at    timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (evidence_id, claim_hash, model)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS nli_cache")
