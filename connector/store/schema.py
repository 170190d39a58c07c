"""Tables of the durable store; Alembic migrations in connector/migrations create them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

Id = BigInteger().with_variant(Integer(), "sqlite")

# Received webhooks and polled changes, stored before they are acknowledged.
inbox = Table(
    "inbox", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(32), nullable=False),
    Column("dedup_key", String(255), nullable=False, unique=True),
    Column("event_name", String(64), nullable=False),
    Column("ordering_key", String(255), nullable=False),
    Column("payload", Text, nullable=False),
    Column("received_at", Float, nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("lease_until", Float),
    Column("claimed_by", String(64)),
    Column("processed_at", Float),
    Column("outcome", Text),
    Index("ix_inbox_claim", "status", "ordering_key", "id"),
)

# Effects on trackers and chats, performed once each, in order per ordering key.
outbox = Table(
    "outbox", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(255), nullable=False, unique=True),
    Column("inbox_id", BigInteger),
    Column("target", String(32), nullable=False),
    Column("ticket", String(255), nullable=False),
    Column("ordering_key", String(255), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("params", Text, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", Float, nullable=False),
    Column("lease_until", Float),
    Column("claimed_by", String(64)),
    Column("last_error", Text),
    Column("created_at", Float, nullable=False),
    Column("done_at", Float),
    Index("ix_outbox_claim", "status", "ordering_key", "id"),
)

# What the rules remember per ticket.
tickets = Table(
    "tickets", metadata,
    Column("ref", String(255), primary_key=True),
    Column("state", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
)

# Reconciliation watermarks, one per polled project.
poll_marks = Table(
    "poll_marks", metadata,
    Column("name", String(255), primary_key=True),
    Column("watermark", String(64), nullable=False),
    Column("updated_at", Float, nullable=False),
)
