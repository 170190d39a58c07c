"""Who an outage let into a Telegram forum (topic mode), so that they leave with it.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "room_admissions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("chat", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("ticket", sa.String(255), nullable=False),
        sa.Column("admitted_at", sa.Float, nullable=False),
        sa.Column("removed_at", sa.Float),
        sa.UniqueConstraint("chat", "channel_id", "user_id", "ticket",
                            name="uq_room_admission"),
    )
    op.create_index("ix_room_admissions_ticket", "room_admissions", ["ticket"])


def downgrade() -> None:
    op.drop_index("ix_room_admissions_ticket", table_name="room_admissions")
    op.drop_table("room_admissions")
