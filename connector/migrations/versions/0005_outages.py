"""Outages and their timelines.

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

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outages",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("ticket", sa.String(255), nullable=False, unique=True),
        sa.Column("mapping", sa.String(64), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("declared_at", sa.Float, nullable=False),
        sa.Column("stage_since", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "outage_timeline",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("outage_id", Id, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("who", sa.String(255), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_outage_timeline", "outage_timeline", ["outage_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_outage_timeline", table_name="outage_timeline")
    op.drop_table("outage_timeline")
    op.drop_table("outages")
