"""The record holds the whole AQP register: an organisation's ODS code (how the lake names it)
and the activity each AQP service counts, so the register is read from the record.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("ods_code", sa.String(length=8), nullable=True))
        batch.create_unique_constraint("uq_organisation_ods_code", ["ods_code"])
    with op.batch_alter_table("aqp_service") as batch:
        batch.add_column(sa.Column("activity", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("aqp_service") as batch:
        batch.drop_column("activity")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_constraint("uq_organisation_ods_code", type_="unique")
        batch.drop_column("ods_code")
