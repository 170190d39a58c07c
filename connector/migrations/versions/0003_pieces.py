"""Pieces of long chat messages already posted, so a retry posts only the rest.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posted_pieces",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("posted_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("posted_pieces")
