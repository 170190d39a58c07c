"""Alert groups (issue 21): one chat message per Alertmanager group, L1's decision on the group,
reminders and silences; coalesced edits of group messages. Each alert stored before becomes a
group of its own with the same id, so its message and buttons keep working.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    groups = op.create_table(
        "alert_groups",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("key_digest", sa.String(64), nullable=False, unique=True),
        sa.Column("group_key", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("decision", sa.String(255), nullable=False),
        sa.Column("cause", sa.Text),
        sa.Column("issue_url", sa.Text),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_raised_at", sa.Float, nullable=False),
        sa.Column("raised", sa.Integer, nullable=False, server_default="0"),
        sa.Column("silence_id", sa.String(64)),
        sa.Column("silenced_until", sa.Float),
        sa.Column("silenced_by", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_alert_groups_undecided", "alert_groups",
                    ["decision", "state", "last_raised_at"])
    op.create_table(
        "alert_edits",
        sa.Column("scope", sa.String(255), primary_key=True),
        sa.Column("next_at", sa.Float, nullable=False, server_default="0"),
        sa.Column("pending_key", sa.String(255)),
    )
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("group_id", sa.BigInteger))
    op.create_index("ix_alerts_group", "alerts", ["group_id"])
    alerts = sa.table("alerts", sa.column("id", Id), sa.column("fingerprint", sa.String),
                      sa.column("status", sa.String), sa.column("decision", sa.String),
                      sa.column("cause", sa.Text), sa.column("issue_url", sa.Text),
                      sa.column("updated_at", sa.Float), sa.column("group_id", sa.BigInteger))
    connection = op.get_bind()
    rows = connection.execute(sa.select(alerts)).all()
    for r in rows:  # an alert of an older version: a group of its own, its id kept
        key = f"alert:{r.fingerprint}"
        connection.execute(sa.insert(groups).values(
            id=r.id, key_digest=hashlib.sha256(key.encode()).hexdigest(), group_key=key,
            state=r.status, decision=r.decision, cause=r.cause, issue_url=r.issue_url,
            details="{}", version=0, last_raised_at=r.updated_at, raised=0,
            created_at=r.updated_at, updated_at=r.updated_at))
    connection.execute(sa.update(alerts).values(group_id=alerts.c.id))
    if rows and connection.dialect.name == "postgresql":  # ids were given: move the sequence on
        connection.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('alert_groups', 'id'), "
            "(SELECT MAX(id) FROM alert_groups))"))


def downgrade() -> None:
    op.drop_index("ix_alerts_group", "alerts")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("group_id")
    op.drop_table("alert_edits")
    op.drop_index("ix_alert_groups_undecided", "alert_groups")
    op.drop_table("alert_groups")
