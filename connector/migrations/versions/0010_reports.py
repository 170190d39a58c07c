"""Reports for the head of support: where each outage came from (handled live, or imported from
the tracker's history), one row per request the helpdesk received (the request flow), the runs
of scheduled reports (each period sent once, whatever the number of processes), the dashboard's
users, and the connector's own settings (the dashboard's session key).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("sla_clocks") as batch:
        batch.add_column(sa.Column("started_at", sa.Float))
    clocks = sa.table("sla_clocks", sa.column("id", Id), sa.column("clock", sa.Text),
                      sa.column("started_at", sa.Float), sa.column("policy", sa.String))
    connection = op.get_bind()
    for row_id, text in connection.execute(sa.select(clocks.c.id, clocks.c.clock).where(
            clocks.c.policy != "~")).all():  # the run's start, out of each clock's JSON
        started = json.loads(text).get("started_at")
        if isinstance(started, int | float):
            connection.execute(sa.update(clocks).where(clocks.c.id == row_id)
                               .values(started_at=float(started)))
    op.create_index("ix_sla_clocks_started", "sla_clocks", ["started_at"])
    with op.batch_alter_table("outages") as batch:
        batch.add_column(sa.Column("origin", sa.String(16), nullable=False,
                                   server_default="live"))
    op.create_table(
        "requests",
        sa.Column("ticket", sa.String(255), primary_key=True),
        sa.Column("tracker", sa.String(32), nullable=False),
        sa.Column("mapping", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("priority", sa.String(64), nullable=False, server_default=""),
        sa.Column("feedback", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_requests_created", "requests", ["created_at"])
    op.create_table(
        "report_runs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("schedule", sa.String(64), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("claimed_by", sa.String(128)),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("done_at", sa.Float),
        sa.UniqueConstraint("schedule", "period", name="uq_report_runs"),
    )
    op.create_table(
        "dashboard_users",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("settings")
    op.drop_table("dashboard_users")
    op.drop_table("report_runs")
    op.drop_index("ix_requests_created", table_name="requests")
    op.drop_table("requests")
    with op.batch_alter_table("outages") as batch:
        batch.drop_column("origin")
    op.drop_index("ix_sla_clocks_started", table_name="sla_clocks")
    with op.batch_alter_table("sla_clocks") as batch:
        batch.drop_column("started_at")
