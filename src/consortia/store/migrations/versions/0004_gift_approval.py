"""Each accepted hospitality above the limit names the senior approval it was accepted under.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gift") as batch:
        batch.add_column(sa.Column("approval", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_gift_approval_hospitality_approval",
            "hospitality_approval",
            ["approval"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("gift") as batch:
        batch.drop_constraint("fk_gift_approval_hospitality_approval", type_="foreignkey")
        batch.drop_column("approval")
