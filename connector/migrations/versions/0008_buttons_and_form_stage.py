"""The buttons the connector put on each message it posted (a press must name one of them), the
stage a room form was opened in (its answers count only while the outage stands there), and
who wrote each recorded chat message by their chat id (a stranger reads as one in the log).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "chat_buttons",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("chat", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("data", sa.String(64), nullable=False),
        sa.Column("posted_at", sa.Float, nullable=False),
        sa.UniqueConstraint("chat", "channel_id", "message_id", "data", name="uq_chat_buttons"),
    )
    with op.batch_alter_table("outage_forms") as batch:
        batch.add_column(sa.Column("stage", sa.String(32), nullable=False, server_default=""))
    with op.batch_alter_table("chat_messages") as batch:
        batch.add_column(sa.Column("author_id", sa.String(64), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("chat_messages") as batch:
        batch.drop_column("author_id")
    with op.batch_alter_table("outage_forms") as batch:
        batch.drop_column("stage")
    op.drop_table("chat_buttons")
