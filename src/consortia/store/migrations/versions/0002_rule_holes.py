"""Grounds for a chair's ruling, and senior approvals of hospitality above the limit.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ruling", sa.Column("grounds", sa.Text(), nullable=True))
    op.create_table(
        "hospitality_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("donor", sa.String(length=64), nullable=True),
        sa.Column("value_pence", sa.Integer(), nullable=False),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person"], ["person.key"], name=op.f("fk_hospitality_approval_person_person")
        ),
        sa.ForeignKeyConstraint(
            ["donor"], ["organisation.key"], name=op.f("fk_hospitality_approval_donor_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["person.key"],
            name=op.f("fk_hospitality_approval_approved_by_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospitality_approval")),
    )


def downgrade() -> None:
    op.drop_table("hospitality_approval")
    with op.batch_alter_table("ruling") as batch:
        batch.drop_column("grounds")
