"""Tables of the durable store; Alembic migrations in connector/migrations create them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
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

# Chat threads (Slack thread, Telegram forum topic) opened for a ticket or an alert.
threads = Table(
    "threads", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("ticket", String(255), nullable=False),
    Column("chat", String(32), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("thread_id", String(64), nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("ticket", "chat", "channel", name="uq_threads_ticket"),
    Index("ix_threads_lookup", "chat", "channel_id", "thread_id"),
)

# Messages people wrote in the connector's threads, recorded live (no history API needed).
chat_messages = Table(
    "chat_messages", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("chat", String(32), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("thread_id", String(64)),
    Column("message_id", String(64), nullable=False),
    Column("author", String(255), nullable=False),
    Column("author_id", String(64), nullable=False, server_default=""),  # the chat's user id
    Column("text", Text, nullable=False),
    Column("at", String(32), nullable=False),
    UniqueConstraint("chat", "channel_id", "message_id", name="uq_chat_messages"),
)

# Alerts from monitoring and what L1 decided about each (Belarus §4.2).
alerts = Table(
    "alerts", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("fingerprint", String(255), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("details", Text, nullable=False),
    Column("decision", String(32), nullable=False),
    Column("cause", Text),
    Column("issue_url", Text),
    Column("updated_at", Float, nullable=False),
    Column("group_id", BigInteger),  # its alert_groups row
    Index("ix_alerts_group", "group_id"),
)

# Alertmanager's groups (groupKey): one chat message each, per chat (its message ref is the
# group's `threads` row, ticket alerts:monitoring#<id>), L1's one decision on the group, the
# ticket it registered, when the undecided group was last raised, its silence (Belarus §4.2).
alert_groups = Table(
    "alert_groups", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key_digest", String(64), nullable=False, unique=True),  # sha256 of group_key
    Column("group_key", Text, nullable=False),
    Column("state", String(16), nullable=False),  # firing | resolved
    Column("decision", String(255), nullable=False),
    Column("cause", Text),
    Column("issue_url", Text),
    Column("details", Text, nullable=False),  # groupLabels, commonLabels, externalURL, truncated
    Column("version", Integer, nullable=False, server_default="0"),  # bumped on each change
    Column("last_raised_at", Float, nullable=False),
    Column("raised", Integer, nullable=False, server_default="0"),  # reminders posted
    Column("silence_id", String(64)),
    Column("silenced_until", Float),
    Column("silenced_by", Text),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_alert_groups_undecided", "decision", "state", "last_raised_at"),
)

# Coalesced edits of group messages: per chat message its one pending edit (the outbox key,
# its params replaced while it waits), per rate scope (a Slack message, a Telegram chat) when
# the next edit may go.
alert_edits = Table(
    "alert_edits", metadata,
    Column("scope", String(255), primary_key=True),
    Column("next_at", Float, nullable=False, server_default="0"),
    Column("pending_key", String(255)),
)

# Each piece of a long chat message once posted (key: the action's idempotency key and the
# piece's number), so a retry after a failure on piece k posts pieces k… only.
posted_pieces = Table(
    "posted_pieces", metadata,
    Column("key", String(255), primary_key=True),
    Column("message_id", String(64), nullable=False),
    Column("posted_at", Float, nullable=False),
    # The thread the piece was posted in (threads.id), where it was one: a reply to it is
    # taken for that thread even in a topic several threads share.
    Column("chat", String(32), nullable=False, server_default=""),
    Column("channel_id", String(64), nullable=False, server_default=""),
    Column("thread_row", Integer),
    Index("ix_posted_pieces_message", "chat", "channel_id", "message_id"),
)

# Every button the connector put on a message it posted (or redrew): a press is taken only for
# a button of that very message, so a forged press on any other message acts on nothing.
chat_buttons = Table(
    "chat_buttons", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("chat", String(32), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("data", String(64), nullable=False),
    Column("posted_at", Float, nullable=False),
    UniqueConstraint("chat", "channel_id", "message_id", "data", name="uq_chat_buttons"),
)

# SLA clocks (connector/features/sla): one row per ticket and policy whose clock started, and
# one per ticket holding its observations, shared by its policies (policy "~", state
# `history`, never due; migration 0009). A clock with a threshold still to fire is `pending`
# with its `due_at`; the SLA tick claims due rows like the outbox does (leases, SKIP LOCKED),
# so each threshold fires once across processes.
sla_clocks = Table(
    "sla_clocks", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("ticket", String(255), nullable=False),
    Column("policy", String(64), nullable=False),
    Column("mapping", String(64), nullable=False),
    Column("clock", Text, nullable=False),  # sla.clocks.Clock or sla.shared.Shared as JSON
    Column("state", String(16), nullable=False),  # running|paused|met|cancelled|idle|history
    Column("level", Integer, nullable=False, default=0),  # highest threshold fired, per cent
    Column("status", String(16), nullable=False),  # pending: a threshold is due at due_at
    Column("due_at", Float),
    Column("ordering_key", String(255), nullable=False),
    Column("claimed_by", String(128)),
    Column("lease_until", Float),
    Column("attempts", Integer, nullable=False, default=0),
    Column("updated_at", Float, nullable=False),
    Column("started_at", Float),  # when the run began (the clock's own), for reports
    UniqueConstraint("ticket", "policy", name="uq_sla_clock"),
    Index("ix_sla_clocks_due", "status", "due_at"),
    Index("ix_sla_clocks_order", "ordering_key", "status"),
    # the report counts from this index alone (migration 0011)
    Index("ix_sla_clocks_counted", "started_at", "policy", "state", "level", "ticket"),
)

# Outages (connector/features/outage): one per declaring ticket, with its room and stage.
outages = Table(
    "outages", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("ticket", String(255), nullable=False, unique=True),
    Column("mapping", String(64), nullable=False),
    Column("service", String(64), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("declared_at", Float, nullable=False),
    Column("stage_since", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("kind", String(16), nullable=False, server_default="outage"),  # outage | problem
    Column("origin", String(16), nullable=False, server_default="live"),  # live | imported
)

# Who an outage let into a Telegram forum (topic mode: one supergroup, a topic per outage): at
# its close they are taken out again unless another open outage there still needs them.
room_admissions = Table(
    "room_admissions", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("chat", String(32), nullable=False),
    Column("channel_id", String(64), nullable=False),  # the forum supergroup
    Column("user_id", String(64), nullable=False),
    Column("ticket", String(255), nullable=False),  # the outage (or problem) that let them in
    Column("admitted_at", Float, nullable=False),
    Column("removed_at", Float),  # taken out (decided; the outbox carries it out)
    UniqueConstraint("chat", "channel_id", "user_id", "ticket", name="uq_room_admission"),
    Index("ix_room_admissions_ticket", "ticket"),
)

# Telegram's pre-created outage supergroups: free (ticket NULL) or holding one outage's room.
room_pool = Table(
    "room_pool", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("chat", String(32), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("ticket", String(255)),
    Column("since", Float, nullable=False),
    UniqueConstraint("chat", "channel_id", name="uq_room_pool"),
)

# A form an outage room is filling in, one field per Telegram message (the conclusion).
outage_forms = Table(
    "outage_forms", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("outage_id", Id, nullable=False),
    Column("form", String(32), nullable=False),
    Column("chat", String(32), nullable=False),
    Column("prompt_id", String(64), nullable=False, server_default=""),
    Column("answers", Text, nullable=False, server_default="[]"),  # JSON list
    Column("who", String(255), nullable=False, server_default=""),
    Column("user_id", String(64), nullable=False, server_default=""),  # who answers it
    Column("stage", String(32), nullable=False, server_default=""),  # where it was opened
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("outage_id", "form", "chat", name="uq_outage_forms"),
)

# What happened in an outage, in order: the data reports read.
outage_timeline = Table(
    "outage_timeline", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("outage_id", Id, nullable=False),
    Column("at", Float, nullable=False),
    Column("kind", String(32), nullable=False),  # declared | stage | progress | join | related
    Column("who", String(255), nullable=False),
    Column("detail", Text, nullable=False),  # JSON
    Index("ix_outage_timeline", "outage_id", "id"),
)

# Reports (connector/features/reports): one row per request the helpdesk received — when the
# tracker created it, its priority as the regulation words it, whether it ever waited in the
# regulation's feedback status — for the request flow.
requests = Table(
    "requests", metadata,
    Column("ticket", String(255), primary_key=True),
    Column("tracker", String(32), nullable=False),
    Column("mapping", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("priority", String(64), nullable=False, server_default=""),
    Column("feedback", Boolean, nullable=False, server_default=false()),
    Column("updated_at", Float, nullable=False),
    # the report counts from this index alone (migration 0011)
    Index("ix_requests_counted", "created_at", "mapping", "tracker", "priority", "feedback"),
)

# A scheduled report's period, sent once: the first process to insert the row sends it.
report_runs = Table(
    "report_runs", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("schedule", String(64), nullable=False),
    Column("period", String(32), nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("claimed_by", String(128)),
    Column("created_at", Float, nullable=False),
    Column("done_at", Float),
    UniqueConstraint("schedule", "period", name="uq_report_runs"),
)

# Who may read the dashboard: a name and a slow password hash (never the password).
dashboard_users = Table(
    "dashboard_users", metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

# The connector's own settings kept in the store (e.g. the dashboard's session key).
settings = Table(
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
