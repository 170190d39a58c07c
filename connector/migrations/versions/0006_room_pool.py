"""Telegram's pool of outage rooms: which pre-created supergroup holds which outage.

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

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "room_pool",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("chat", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("ticket", sa.String(255)),
        sa.Column("since", sa.Float, nullable=False),
        sa.UniqueConstraint("chat", "channel_id", name="uq_room_pool"),
    )


def downgrade() -> None:
    op.drop_table("room_pool")
