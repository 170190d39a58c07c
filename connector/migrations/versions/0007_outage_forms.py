"""Forms an outage room is filling in (the conclusion): Telegram asks one field per message;
problems beside outages (`outages.kind`).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outage_forms",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("outage_id", Id, nullable=False),
        sa.Column("form", sa.String(32), nullable=False),
        sa.Column("chat", sa.String(32), nullable=False),
        sa.Column("prompt_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("answers", sa.Text, nullable=False, server_default="[]"),
        sa.Column("who", sa.String(255), nullable=False, server_default=""),
        sa.Column("user_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("outage_id", "form", "chat", name="uq_outage_forms"),
    )


    with op.batch_alter_table("outages") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False,
                                   server_default="outage"))


def downgrade() -> None:
    with op.batch_alter_table("outages") as batch:
        batch.drop_column("kind")
    op.drop_table("outage_forms")
