"""Which thread a posted piece belongs to, so a reply to any line the connector wrote in a topic
many threads share (Telegram's alerts topic) is taken for that line's thread.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posted_pieces") as batch:
        batch.add_column(sa.Column("chat", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("channel_id", sa.String(64), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("thread_row", sa.Integer))
    op.create_index("ix_posted_pieces_message", "posted_pieces",
                    ["chat", "channel_id", "message_id"])


def downgrade() -> None:
    op.drop_index("ix_posted_pieces_message", table_name="posted_pieces")
    with op.batch_alter_table("posted_pieces") as batch:
        batch.drop_column("thread_row")
        batch.drop_column("channel_id")
        batch.drop_column("chat")
