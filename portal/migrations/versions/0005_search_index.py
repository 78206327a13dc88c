"""search of the agents' queue: folded text and its trigram index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from portal import search_index
from portal.search_key import search_key

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Dossiers folded per round trip when filling the new column.
BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("search_key", sa.Text(), nullable=False, server_default=""))
    _fill_search_keys(op.get_bind())
    # PostgreSQL: pg_trgm + a GIN index (skipped if the extension is refused);
    # SQLite: the FTS5 trigram table, filled, and its triggers.
    search_index.create(op.get_bind())


def _fill_search_keys(connection: sa.Connection) -> None:
    """The folded text of the dossiers already there (folding is Python's, not SQL's)."""
    last = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT id, applicant_name, applicant_id, title FROM dossiers"
                " WHERE id > :last ORDER BY id LIMIT :batch"
            ),
            {"last": last, "batch": BATCH},
        ).all()
        if not rows:
            return
        connection.execute(
            sa.text("UPDATE dossiers SET search_key = :key WHERE id = :id"),
            [{"id": pk, "key": search_key(name, applicant, title)} for pk, name, applicant, title in rows],
        )
        last = rows[-1][0]


def downgrade() -> None:
    search_index.drop(op.get_bind())
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("search_key")
