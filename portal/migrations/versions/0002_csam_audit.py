"""CSAM: mandate decisions and the audit trail

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "csam_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_bce", sa.String(length=10), nullable=False),
        sa.Column("at", portal.models.UTCDateTime(), nullable=False),
        sa.Column("actor_nrn", sa.String(length=11), nullable=False),
        sa.Column("acting_as", sa.String(length=10), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("target", sa.String(length=60), nullable=False),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_nrn"], ["persons.nrn"], name=op.f("fk_csam_audit_actor_nrn_persons")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_bce"],
            ["organisations.bce"],
            name=op.f("fk_csam_audit_organisation_bce_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csam_audit")),
    )
    with op.batch_alter_table("csam_audit", schema=None) as batch_op:
        batch_op.create_index("ix_csam_audit_org_id", ["organisation_bce", "id"], unique=False)
    with op.batch_alter_table("mandates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decided_at", portal.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=11), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_mandates_decided_by_persons"), "persons", ["decided_by"], ["nrn"]
        )


def downgrade() -> None:
    with op.batch_alter_table("mandates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_mandates_decided_by_persons"), type_="foreignkey")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("decided_at")
    with op.batch_alter_table("csam_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_csam_audit_org_id")
    op.drop_table("csam_audit")
