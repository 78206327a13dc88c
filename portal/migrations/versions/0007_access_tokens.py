"""personal access tokens for unattended scripts

Revision ID: 0007_access_tokens
Revises: 0006
Create Date: 2026-12-07 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models

revision: str = "0007_access_tokens"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_tokens",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("person_nrn", sa.String(11), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("acting_as", sa.String(10), nullable=False),
        sa.Column("created_at", portal.models.UTCDateTime(), nullable=False),
        sa.Column("expires_at", portal.models.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", portal.models.UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(11), nullable=True),
        sa.Column("certificate_chain", sa.Text(), nullable=True),
        sa.Column("last_used_at", portal.models.UTCDateTime(), nullable=True),
        sa.Column("last_used_from", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_nrn"], ["persons.nrn"], name="fk_access_tokens_person_nrn_persons"
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["persons.nrn"], name="fk_access_tokens_revoked_by_persons"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_access_tokens"),
        sa.UniqueConstraint("token_sha256", name="uq_access_tokens_token_sha256"),
    )
    op.create_index("ix_access_tokens_person_nrn", "access_tokens", ["person_nrn"])
    op.create_index("ix_access_tokens_acting_as", "access_tokens", ["acting_as"])


def downgrade() -> None:
    op.drop_index("ix_access_tokens_acting_as", table_name="access_tokens")
    op.drop_index("ix_access_tokens_person_nrn", table_name="access_tokens")
    op.drop_table("access_tokens")
