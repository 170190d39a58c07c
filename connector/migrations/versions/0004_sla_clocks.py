"""SLA clocks: one row per ticket and policy, claimed when a threshold falls due.

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

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sla_clocks",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("ticket", sa.String(255), nullable=False),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("mapping", sa.String(64), nullable=False),
        sa.Column("clock", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("level", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_at", sa.Float),
        sa.Column("ordering_key", sa.String(255), nullable=False),
        sa.Column("claimed_by", sa.String(128)),
        sa.Column("lease_until", sa.Float),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("ticket", "policy", name="uq_sla_clock"),
    )
    op.create_index("ix_sla_clocks_due", "sla_clocks", ["status", "due_at"])
    # the claim's "no earlier pending row of the same key" looks rows up by key
    op.create_index("ix_sla_clocks_order", "sla_clocks", ["ordering_key", "status"])


def downgrade() -> None:
    op.drop_index("ix_sla_clocks_order", table_name="sla_clocks")
    op.drop_index("ix_sla_clocks_due", table_name="sla_clocks")
    op.drop_table("sla_clocks")
