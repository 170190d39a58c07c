"""The report counts SLA clocks and requests from their indexes alone: each index on when a
clock or a request started carries the columns the report groups by, so a year is read in the
index's order rather than row by row across the table (a year's report and the dashboard's
page: see docs/BENCHMARKS.md).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CLOCKS = ["started_at", "policy", "state", "level", "ticket"]
REQUESTS = ["created_at", "mapping", "tracker", "priority", "feedback"]


def upgrade() -> None:
    op.create_index("ix_sla_clocks_counted", "sla_clocks", CLOCKS)
    op.drop_index("ix_sla_clocks_started", table_name="sla_clocks")
    op.create_index("ix_requests_counted", "requests", REQUESTS)
    op.drop_index("ix_requests_created", table_name="requests")


def downgrade() -> None:
    op.create_index("ix_requests_created", "requests", ["created_at"])
    op.drop_index("ix_requests_counted", table_name="requests")
    op.create_index("ix_sla_clocks_started", "sla_clocks", ["started_at"])
    op.drop_index("ix_sla_clocks_counted", table_name="sla_clocks")
