"""search index of the agents' queue (trigrams)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 20:20:00
"""

from collections.abc import Sequence

from alembic import op

from portal import search_index

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # PostgreSQL: pg_trgm + a GIN index (skipped if the extension is refused);
    # SQLite: the FTS5 trigram table, filled, and its triggers.
    search_index.create(op.get_bind())


def downgrade() -> None:
    search_index.drop(op.get_bind())
