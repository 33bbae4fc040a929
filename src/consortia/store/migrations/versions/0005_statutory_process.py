"""The statutory process: commissioning plans (intentions, cited evidence, the consultation
trail, items for the Board, the plan an agenda item decides on), the quality premium's use,
any qualified provider (services, qualifications, referrals), commissioning support, and the
Board's authorisation (decisions, conditions, directions).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("drafted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    op.create_table(
        "plan_intention",
        sa.Column("plan", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("activity", sa.BigInteger(), nullable=False),
        sa.Column("spend_pounds", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["plan"], ["plan.id"], name=op.f("fk_plan_intention_plan_plan")),
        sa.PrimaryKeyConstraint("plan", "line", name=op.f("pk_plan_intention")),
    )
    op.create_table(
        "plan_evidence",
        sa.Column("plan", sa.Integer(), nullable=False),
        sa.Column("figure", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("ccg", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("cited_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["plan"], ["plan.id"], name=op.f("fk_plan_evidence_plan_plan")),
        sa.PrimaryKeyConstraint("plan", "figure", name=op.f("pk_plan_evidence")),
    )
    op.create_table(
        "plan_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("body", sa.String(length=64), nullable=True),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("opinion", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["plan"], ["plan.id"], name=op.f("fk_plan_step_plan_plan")),
        sa.ForeignKeyConstraint(
            ["body"], ["organisation.key"], name=op.f("fk_plan_step_body_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_step")),
    )
    op.create_table(
        "board_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.Integer(), nullable=False),
        sa.Column("raised_by", sa.String(length=64), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["plan"], ["plan.id"], name=op.f("fk_board_item_plan_plan")),
        sa.ForeignKeyConstraint(
            ["raised_by"], ["organisation.key"], name=op.f("fk_board_item_raised_by_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_item")),
    )
    with op.batch_alter_table("item") as batch:
        batch.add_column(sa.Column("plan", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_item_plan_plan", "plan", ["plan"], ["id"])
    op.create_table(
        "premium_payment",
        sa.Column("year", sa.String(length=16), nullable=False),
        sa.Column("amount_pounds", sa.BigInteger(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_premium_payment")),
    )
    op.create_table(
        "premium_spend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=True),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("amount_pounds", sa.BigInteger(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["year"], ["premium_payment.year"], name=op.f("fk_premium_spend_year_premium_payment")
        ),
        sa.ForeignKeyConstraint(
            ["recipient"],
            ["organisation.key"],
            name=op.f("fk_premium_spend_recipient_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premium_spend")),
    )
    op.create_table(
        "aqp_service",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("tariff_pence", sa.BigInteger(), nullable=False),
        sa.Column("referral_protocol", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_aqp_service")),
    )
    op.create_table(
        "aqp_qualification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("cqc_registration", sa.String(length=32), nullable=False),
        sa.Column("monitor_licence", sa.String(length=32), nullable=True),
        sa.Column("standard_contract_signed_on", sa.Date(), nullable=False),
        sa.Column("quality_assured_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service"], ["aqp_service.key"], name=op.f("fk_aqp_qualification_service_aqp_service")
        ),
        sa.ForeignKeyConstraint(
            ["provider"],
            ["organisation.key"],
            name=op.f("fk_aqp_qualification_provider_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aqp_qualification")),
    )
    op.create_table(
        "aqp_referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("practice", sa.String(length=64), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("offered", sa.Text(), nullable=False),
        sa.Column("chosen", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["service"], ["aqp_service.key"], name=op.f("fk_aqp_referral_service_aqp_service")
        ),
        sa.ForeignKeyConstraint(
            ["practice"], ["organisation.key"], name=op.f("fk_aqp_referral_practice_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["chosen"], ["organisation.key"], name=op.f("fk_aqp_referral_chosen_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aqp_referral")),
    )
    op.create_table(
        "support_arrangement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=32), nullable=False),
        sa.Column("supplier", sa.String(length=64), nullable=True),
        sa.Column("functions", sa.Text(), nullable=False),
        sa.Column("cost_pounds", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier"],
            ["organisation.key"],
            name=op.f("fk_support_arrangement_supplier_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_arrangement")),
    )
    op.create_table(
        "authorisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board", sa.String(length=64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board"], ["organisation.key"], name=op.f("fk_authorisation_board_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorisation")),
    )
    op.create_table(
        "authorisation_condition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authorisation", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("support_level", sa.Integer(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=True),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column("lifted_because", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["authorisation"],
            ["authorisation.id"],
            name=op.f("fk_authorisation_condition_authorisation_authorisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorisation_condition")),
    )
    op.create_table(
        "direction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter", sa.String(length=64), nullable=False),
        sa.Column("to_body", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["to_body"], ["organisation.key"], name=op.f("fk_direction_to_body_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direction")),
    )


def downgrade() -> None:
    for table in ("direction", "authorisation_condition", "authorisation"):
        op.drop_table(table)
    for table in ("support_arrangement", "aqp_referral", "aqp_qualification", "aqp_service"):
        op.drop_table(table)
    op.drop_table("premium_spend")
    op.drop_table("premium_payment")
    with op.batch_alter_table("item") as batch:
        batch.drop_constraint("fk_item_plan_plan", type_="foreignkey")
        batch.drop_column("plan")
    for table in ("board_item", "plan_step", "plan_evidence", "plan_intention", "plan"):
        op.drop_table(table)
