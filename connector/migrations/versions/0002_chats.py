"""Chat threads, recorded chat messages and alerts.

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

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("ticket", sa.String(255), nullable=False),
        sa.Column("chat", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("thread_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint("ticket", "chat", "channel", name="uq_threads_ticket"),
    )
    op.create_index("ix_threads_lookup", "threads", ["chat", "channel_id", "thread_id"])
    op.create_table(
        "chat_messages",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("chat", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("thread_id", sa.String(64)),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.UniqueConstraint("chat", "channel_id", "message_id", name="uq_chat_messages"),
    )
    op.create_table(
        "alerts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(255), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("cause", sa.Text),
        sa.Column("issue_url", sa.Text),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("alerts", "chat_messages", "threads"):
        op.drop_table(table)
