"""The composition root: the one place that assembles the connector — config and mappings
checked, the store opened, plugins and adapters built, and every feature registered. The app
factory (webhooks/app.py), the worker and the CLI build the connector here; nothing below it
knows which features exist."""

from __future__ import annotations

import logging

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
from connector.core import Connector, speak
from connector.errors import ConfigError, format_problem
from connector.features.alerts import feature as alerts
from connector.features.escalation import feature as escalation
from connector.features.outage import feature as outage
from connector.features.reports import feature as reports
from connector.features.sla import feature as sla
from connector.lag_gauges import LagGauges
from connector.mappings import CATALOG_FILE, Mapping, Mappings, load_mappings
from connector.metrics import Metrics
from connector.people import check_people, merge_people
from connector.registry import Registry
from connector.rules.models import EscalateOnLabel, EscalateWhen
from connector.store.db import make_engine, upgrade
from connector.upgrades import log_warnings
from plugins.alertmanager.client import AlertmanagerClient
from plugins.prometheus.client import PrometheusClient
from plugins.smtp.mailer import SmtpMailer

log = logging.getLogger(__name__)

# Every feature's registration, in the order the spine consults them. A new feature is its
# folder under connector/features/ and one entry here.
FEATURES = (escalation.register, alerts.register, sla.register, outage.register,
            reports.register)


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
    for check in registry.checks:
        problems += check(config, mappings, lambda kind: load_tracker_plugin(kind).supports)
    for name, chat in config.chats.configured().items():  # what the vendors themselves refuse
        problems += load_chat_plugin(name).check_settings(chat, config.source)
    problems += check_people(config)
    catalog, moved = merge_people(config, mappings.catalog,
                                  str(config.mappings_dir / CATALOG_FILE))
    mappings = mappings.model_copy(update={"catalog": catalog,
                                           "notices": [*mappings.notices, *moved]})
    chats = config.chats.configured()
    problems += mappings.catalog.client_problems(
        str(config.mappings_dir / CATALOG_FILE),
        {name for chat in chats.values() for name in chat.channels} if chats else None,
        config.mail is not None)
    if problems:
        raise ConfigError(problems)
    return mappings


def _outage_abilities(source: str, kind: str, name: str, mapping: Mapping,
                      supports: frozenset[str]) -> list[str]:
    """An outage's stages write labels (their own, their norm's), statuses or states the
    tracker must be able to."""
    if mapping.outage is None:
        return []
    problems = []
    if mapping.outage.criticality_labels and "update_labels" not in supports:
        problems.append(format_problem(
            source, f"trackers.{kind} (mapping {name}, outage.criticality_labels)",
            f"a criticality label needs update_labels, which {kind} cannot",
            f"use a mapping written for {kind}"))
    for lifecycle, stages in (("stages", mapping.outage.stages),
                              ("problem.stages", mapping.outage.problem.stages
                               if mapping.outage.problem else [])):
        for i, stage in enumerate(stages):
            asks = ({"update_labels"} if stage.label else set()) | (
                {"set_status"} if stage.status else set()) | (
                {"set_state"} if stage.state else set()) | (
                {"update_labels"} if stage.norm and stage.norm.label else set())
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
    """Every feature's own registrations for this config (the spine's inbox sources and polls
    are its own: the trackers' and chats' configured)."""
    registry = Registry()
    for register in FEATURES:
        register(registry, config)
    return registry


def service_adapters(config: Config) -> dict[str, Adapter]:
    """Mail, Prometheus and Alertmanager: their plugins when configured, else a dry run that
    logs."""
    manager = config.alerts.alertmanager if config.alerts else None
    return {"mail": SmtpMailer(config.mail) if config.mail else DryRunAdapter("mail"),
            "prometheus": PrometheusClient(config.prometheus) if config.prometheus
            else DryRunAdapter("prometheus"),
            "alertmanager": AlertmanagerClient(manager) if manager
            else DryRunAdapter("alertmanager")}


def build_connector(config: Config, *, migrate: bool = True,
                    clock: Clock = SYSTEM_CLOCK) -> Connector:
    """Validate everything, open the store (its time read from `clock`) and build the
    adapters."""
    mappings = check_config(config)
    log_warnings(mappings.warnings())
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
                          circuits=Circuits(metrics.circuit_changed),
                          registry=build_registry(config))
    metrics.watch_store(connector.store_counts)
    metrics.watch(LagGauges(connector))
    metrics.watch_circuits(list(adapters))
    for make in connector.registry.gauges:
        metrics.watch(make(connector))
    return connector
