"""login on another device (RFC 8628): pending authorizations, how a session was opened

Revision ID: 0008_device
Revises: 0007_access_tokens
Create Date: 2026-12-07 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from portal.models import UTCDateTime

revision: str = "0008_device"
down_revision: str | None = "0007_access_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "device_authorizations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("device_code_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("user_code_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("last_polled_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("person_nrn", sa.String(11), sa.ForeignKey("persons.nrn"), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("consumed_at", UTCDateTime(), nullable=True),
    )
    # Sessions opened before this revision were all card logins.
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(
            sa.Column("method", sa.String(10), nullable=False, server_default="eid")
        )
    with op.batch_alter_table("access_log") as batch:
        batch.add_column(sa.Column("accessor_login", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("access_log") as batch:
        batch.drop_column("accessor_login")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("method")
    op.drop_table("device_authorizations")
