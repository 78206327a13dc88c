"""sessions keep the certificate they were opened with, for revocation checks

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # PEM of the authentication certificate and of its issuing CA: enough to
    # ask OCSP (CertID) and verify the answer for as long as the session lives.
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("certificate_chain", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("certificate_chain")
