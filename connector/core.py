"""The assembled connector: config, mappings, store, plugins and adapters, built once."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field

from sqlalchemy import Engine

from connector.adapters import (
    Adapter,
    ChatPlugin,
    DryRunAdapter,
    Tracker,
    TrackerPlugin,
    load_chat_plugin,
    load_tracker_plugin,
)
from connector.chat import Chat
from connector.chatflows import ChatPerformer
from connector.circuits import Circuits
from connector.clock import SYSTEM_CLOCK, Clock
from connector.config import Config
from connector.errors import ConfigError, format_problem
from connector.events import Action, TicketRef
from connector.mappings import Mapping, Mappings, load_mappings, render
from connector.metrics import Metrics
from connector.people import check_people
from connector.registry import Registry
from connector.rules.engine import RuleContext
from connector.rules.models import EscalateOnLabel, EscalateWhen
from connector.store import inbox, outbox
from connector.store.db import clock_of, make_engine, reading, upgrade

log = logging.getLogger(__name__)


@dataclass
class Connector:
    """Everything a receiver or worker needs, shared by one process."""

    config: Config
    mappings: Mappings
    engine: Engine
    plugins: dict[str, TrackerPlugin]
    trackers: dict[str, Tracker]
    adapters: dict[str, Adapter]
    metrics: Metrics
    chat_plugins: dict[str, ChatPlugin] = field(default_factory=dict)
    chats: dict[str, Chat] = field(default_factory=dict)
    circuits: Circuits = field(default_factory=Circuits)
    registry: Registry = field(default_factory=Registry)
    worker_id: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")

    @property
    def clock(self) -> Clock:
        """Business time (see connector.clock): the store's clock."""
        return clock_of(self.engine)

    def context(self) -> RuleContext:
        return RuleContext(self.mappings, self.config.language, dict(self.config.roles))

    def mapping_for(self, ref: TicketRef) -> Mapping | None:
        """The regulation governing a ticket's project, if any."""
        tracker = self.config.trackers.configured().get(ref.tracker)
        name = tracker.mapping_for(ref.project) if tracker else None
        return self.mappings.get(name) if name else None

    def render(self, template_id: str, mapping: str | None = None, **values: object) -> str:
        """A message in the configured language, worded as the named regulation words it."""
        return speak(self.mappings, self.config.language, template_id, mapping, **values)

    def chat_targets(self, action: Action) -> list[Action]:
        """Fan a `chat` action out to every chat that has its channel; others pass through.

        With no chat configured for the channel it stays `chat`, which is a dry run.
        """
        if action.target != "chat":
            return [action]
        channel = action.params.get("channel", "")
        names = [name for name, cfg in self.config.chats.configured().items()
                 if channel in cfg.channels]
        return [Action(action.kind, name, action.ticket, action.params, action.reason)
                for name in names] or [action]

    def bot_username(self, source: str) -> str:
        tracker = self.config.trackers.configured().get(source)
        return tracker.bot_username if tracker else ""

    def store_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        with reading(self.engine) as conn:
            return inbox.count_by_status(conn), outbox.count_by_status(conn)


def speak(mappings: Mappings, language: str, template_id: str, mapping: str | None,
          **values: object) -> str:
    """Render a template, preferring the named regulation's own wording."""
    own = mappings.by_name.get(mapping) if mapping else None
    return render(mappings.texts(own, language), template_id, **values)


def check_config(config: Config) -> Mappings:
    """Load mappings and cross-check them against the config; raises ConfigError listing all."""
    mappings = load_mappings(config.mappings_dir)
    problems: list[str] = []
    used: set[str] = set()
    for kind, tracker in config.trackers.configured().items():
        names = [(f"trackers.{kind}.projects[{i}].mapping", p.mapping)
                 for i, p in enumerate(tracker.projects)]
        if tracker.default_mapping:
            names.append((f"trackers.{kind}.default_mapping", tracker.default_mapping))
        for key, name in names:
            if name not in mappings.by_name:
                problems.append(format_problem(
                    config.source, key, f"no mapping named {name!r}",
                    f"use one of: {', '.join(sorted(mappings.by_name))}"))
            else:
                used.add(name)
    for name in sorted(used):
        for role in sorted(mappings.get(name).roles() - set(config.roles)):
            problems.append(format_problem(
                config.source, f"roles.{role}", f"mapping {name!r} needs this role",
                f"add `{role}: <username>` under roles:"))
    problems += _check_abilities(config, mappings)
    registry = build_registry(config)
    problems += _check_channels(config, [mappings.get(n) for n in sorted(used)], registry)
    for name, chat in config.chats.configured().items():  # what the vendors themselves refuse
        problems += load_chat_plugin(name).check_settings(chat, config.source)
    problems += check_people(config)
    if problems:
        raise ConfigError(problems)
    return mappings


def _outage_abilities(source: str, kind: str, name: str, mapping: Mapping,
                      supports: frozenset[str]) -> list[str]:
    """An outage's stages write labels, statuses or states the tracker must be able to."""
    if mapping.outage is None:
        return []
    problems = []
    for lifecycle, stages in (("stages", mapping.outage.stages),
                              ("problem.stages", mapping.outage.problem.stages
                               if mapping.outage.problem else [])):
        for i, stage in enumerate(stages):
            asks = ({"update_labels"} if stage.label else set()) | (
                {"set_status"} if stage.status else set()) | (
                {"set_state"} if stage.state else set())
            for action in sorted(asks - supports):
                problems.append(format_problem(
                    source, f"trackers.{kind} (mapping {name}, outage.{lifecycle}[{i}])",
                    f"stage {stage.name} needs to {action}, which {kind} cannot",
                    f"use a mapping written for {kind}"))
    return problems


def _check_abilities(config: Config, mappings: Mappings) -> list[str]:
    """A mapping may ask a tracker only for what the tracker can do (e.g. GitLab has no
    priority field: an impact → priority rule cannot run on it)."""
    problems = []
    for kind, tracker in config.trackers.configured().items():
        supports = load_tracker_plugin(kind).supports
        names = {p.mapping for p in tracker.projects} | (
            {tracker.default_mapping} if tracker.default_mapping else set())
        for name in sorted(n for n in names if n in mappings.by_name):
            for i, rule in enumerate(mappings.get(name).rules):
                for action in sorted(rule.asks_tracker - supports):
                    problems.append(format_problem(
                        config.source, f"trackers.{kind} (mapping {name}, rules[{i}])",
                        f"rule {rule.type} needs to {action}, which {kind} cannot",
                        f"use a mapping written for {kind}, or drop the rule"))
            for i, policy in enumerate(mappings.get(name).sla):
                asks = {"add_note"} if any(t.note for t in policy.thresholds) else set()
                asks |= {"update_labels"} if any(t.label for t in policy.thresholds) else set()
                for action in sorted(asks - supports):
                    problems.append(format_problem(
                        config.source, f"trackers.{kind} (mapping {name}, sla[{i}])",
                        f"SLA policy {policy.name} needs to {action}, which {kind} cannot",
                        "drop that from its thresholds, or use a mapping written for "
                        f"{kind}"))
            problems += _outage_abilities(config.source, kind, name, mappings.get(name),
                                          supports)
    if config.alerts is not None:
        alerts_tracker = config.alerts.tracker
        if alerts_tracker in config.trackers.configured() and \
                "create_issue" not in load_tracker_plugin(alerts_tracker).supports:
            problems.append(format_problem(config.source, "alerts.tracker",
                                           f"{alerts_tracker} cannot create issues",
                                           "name a tracker that can"))
    return problems


def _check_channels(config: Config, used: list[Mapping], registry: Registry) -> list[str]:
    """Every chat channel a rule or a feature posts to must exist in some configured chat."""
    chats = config.chats.configured()
    if not chats:
        return []  # no chat at all: chat actions run dry
    wanted = {(f"mapping {m.name}", r.channel) for m in used for r in m.rules
              if isinstance(r, EscalateOnLabel | EscalateWhen)}
    wanted |= {(f"mapping {m.name} sla {p.name}", t.chat) for m in used for p in m.sla
               for t in p.thresholds if t.chat}
    wanted |= set(registry.channels.items())
    return [format_problem(config.source, f"chats.*.channels.{channel}",
                           f"{who} posts to channel {channel!r}, but no chat defines it",
                           f"add `{channel}: <channel id>` under a chat's channels")
            for who, channel in sorted(wanted)
            if not any(channel in cfg.channels for cfg in chats.values())]


def build_registry(config: Config) -> Registry:
    """What the spine runs for this config: trackers' polls, chats' updates, and every
    feature's own registrations."""
    from connector.chatevents import process_chat_event
    from connector.features import register_all
    from connector.reconcile import reconciliation_job

    registry = Registry()
    for name in config.chats.configured():
        registry.source(name, process_chat_event)
    for kind, tracker in config.trackers.configured().items():
        if tracker.projects:
            registry.job(reconciliation_job(kind, tracker.reconcile.interval_seconds))
    return register_all(registry, config)


def service_adapters(config: Config) -> dict[str, Adapter]:
    """Mail and Prometheus: their plugins when configured, else a dry run that logs."""
    from plugins.prometheus.client import PrometheusClient
    from plugins.smtp.mailer import SmtpMailer
    return {"mail": SmtpMailer(config.mail) if config.mail else DryRunAdapter("mail"),
            "prometheus": PrometheusClient(config.prometheus) if config.prometheus
            else DryRunAdapter("prometheus")}


def build_connector(config: Config, *, migrate: bool = True,
                    clock: Clock = SYSTEM_CLOCK) -> Connector:
    """Validate everything, open the store (its time read from `clock`) and build the
    adapters."""
    mappings = check_config(config)
    engine = make_engine(config.store.url, synchronous=config.store.sqlite_synchronous,
                         clock=clock)
    if migrate:
        upgrade(engine)
    plugins: dict[str, TrackerPlugin] = {}
    trackers: dict[str, Tracker] = {}
    for kind, tracker_config in config.trackers.configured().items():
        plugins[kind] = load_tracker_plugin(kind)
        if tracker_config.dry_run:
            log.warning("no %s credentials configured: dry run, write-backs are only logged",
                        kind)
            trackers[kind] = DryRunAdapter(kind)
        else:
            trackers[kind] = plugins[kind].make_tracker(tracker_config)
    adapters: dict[str, Adapter] = {**trackers, "chat": DryRunAdapter("chat"),
                                    **service_adapters(config)}
    chat_plugins: dict[str, ChatPlugin] = {}
    chats: dict[str, Chat] = {}
    for name, cfg in config.chats.configured().items():
        chat_plugins[name] = load_chat_plugin(name)
        if cfg.dry_run:
            log.warning("no %s token configured: dry run, messages are only logged", name)
            adapters[name] = DryRunAdapter(name)
            continue
        chat = chats[name] = chat_plugins[name].make_chat(cfg)
        adapters[name] = ChatPerformer(
            chat, {k: str(v) for k, v in cfg.channels.items()}, engine,
            lambda tid, mapping=None, **v: speak(mappings, config.language, tid, mapping, **v),
            trackers, pool=[str(i) for i in getattr(cfg, "room_pool", [])])
    metrics = Metrics()
    connector = Connector(config, mappings, engine, plugins, trackers, adapters, metrics,
                          chat_plugins=chat_plugins, chats=chats,
                          registry=build_registry(config))
    metrics.watch_store(connector.store_counts)
    for make in connector.registry.gauges:
        metrics.watch(make(connector))
    return connector
