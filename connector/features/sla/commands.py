"""`helpdesk-connector sla show|repair`: a ticket's clocks as the operator reads them, and
clocks recomputed from the tracker's history."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any

from connector.config import DEFAULT_CONFIG_ENV, config_path, load_config
from connector.context import Build, FeatureContext
from connector.errors import ActionError
from connector.events import TicketRef
from connector.features.sla import store
from connector.features.sla.clocks import Clock, due, elapsed
from connector.features.sla.flows import hours_for, target_of
from connector.features.sla.history import first_learned
from connector.features.sla.repair import repair
from connector.features.sla.shared import Shared
from connector.store.db import reading
from connector.timestamps import from_epoch
from connector.wording import local_time

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2  # as connector.cli



def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], build: Build) -> None:
    sla = sub.add_parser("sla", help="SLA clocks of a ticket: show, or repair from history")
    actions = sla.add_subparsers(required=True, metavar="ACTION")
    for name, what, command in [("show", "print a ticket's clocks", cmd_show),
                                ("repair", "recompute clocks from the tracker's history",
                                 cmd_repair)]:
        p = actions.add_parser(name, help=what)
        p.add_argument("--config", metavar="FILE",
                       help=f"config YAML (default: ${DEFAULT_CONFIG_ENV})")
        p.add_argument("--tracker", required=True, choices=["gitlab", "mantis", "otrs"])
        p.add_argument("tickets", nargs="+", metavar="TICKET",
                       help="PROJECT#KEY (e.g. 1#7), or the key alone for `show`")
        p.set_defaults(command=command, build=build)
    repair = actions.choices["repair"]
    repair.add_argument("--fire-missed", action="store_true",
                        help="send thresholds that fell due in the past (default: count them "
                             "as fired, silently)")


def cmd_show(args: argparse.Namespace) -> int:
    c: FeatureContext = args.build(load_config(config_path(args.config), secrets=False), False)
    status = EXIT_OK
    with reading(c.engine) as conn:
        for ticket in args.tickets:
            rows = store.find(conn, args.tracker, ticket)
            if not rows:
                print(f"{ticket}: no SLA clock (no policy started on it)")
                status = EXIT_INVALID
            for row in rows:
                print(describe(c, row, store.history_of(conn, row.ticket)))
    return status


def cmd_repair(args: argparse.Namespace) -> int:
    c: FeatureContext = args.build(load_config(config_path(args.config)), True)
    status = EXIT_OK
    for ticket in args.tickets:
        project, _, key = ticket.removeprefix(f"{args.tracker}:").partition("#")
        if not project or not key:
            print(f"error: {ticket}: write PROJECT#KEY, e.g. 1#7", file=sys.stderr)
            return EXIT_USAGE
        ref = TicketRef(args.tracker, project, key)
        try:
            clocks = repair(c, ref, fire_missed=args.fire_missed)
        except (ActionError, LookupError) as exc:
            print(f"{ref}: not repaired: {exc}", file=sys.stderr)
            status = EXIT_INVALID
            continue
        names = ", ".join(f"{name} {clock.state}" for name, clock in clocks.items())
        print(f"{ref}: {names or 'no policy applies to its history'}")
    return status


def describe(c: FeatureContext, row: Any, history: Shared) -> str:
    """A clock in a few lines, times in the regulation's zone; `history`: its ticket's."""
    mapping = c.mappings.by_name.get(row.mapping)
    policy = next((p for p in mapping.sla if p.name == row.policy), None) if mapping else None
    if mapping is None or policy is None:
        return f"{row.ticket} {row.policy}: the policy is no longer in the mappings"
    clock = replace(Clock.from_json(row.clock), seen=history.view(policy.name))
    now, zone = c.clock.now(), mapping.timezone
    hours, target = hours_for(c, policy), target_of(c, mapping, policy)

    def at(t: float | None) -> str:
        return "—" if t is None else local_time(from_epoch(t), zone)

    lines = [f"{row.ticket} {policy.name}: {policy.title}",
             f"  state: {clock.state}; started {at(clock.started_at)}",
             f"  elapsed: {_hm(elapsed(clock, hours, now))} of {_hm(target)} "
             f"({policy.calendar or 'wall-clock'} time)"]
    lines += [f"  paused: {at(a)} – {at(b)}" for a, b in clock.pauses]
    if clock.paused_at is not None:
        lines.append(f"  paused since {at(clock.paused_at)}")
    lines.append(f"  due (100%): {at(due(clock, hours, target, 100, now))}")
    upcoming = [t.at for t in policy.thresholds if t.at not in clock.fired]
    if upcoming and clock.state == "running":
        lines.append(f"  next threshold: {upcoming[0]}% at "
                     f"{at(due(clock, hours, target, upcoming[0], now))}")
    if clock.fired:
        lines.append(f"  fired: {', '.join(f'{p}%' for p in clock.fired)}")
    return "\n".join(lines + _history(clock, at))


def _history(clock: Clock, at: Any) -> list[str]:
    """What the clock was replayed from: the tracker's changes kept, and what is folded."""
    lines = []
    if clock.seen:
        lines.append(f"  history: {len(clock.seen)} change(s) from the tracker, "
                     f"{at(clock.seen[0].at)} – {at(clock.seen[-1].at)}")
    if first_learned(clock) > 0:
        lines.append(f"  the connector first learned of it: {at(first_learned(clock))}")
    if clock.base is not None and clock.base.learned == 0:
        lines.append(f"  before that: the clock as stored up to {at(clock.base.until)}, "
                     "before history was kept")
    elif clock.base is not None:
        lines.append(f"  before that: changes up to {at(clock.base.until)} folded in (an "
                     "older one is not placed: `sla repair` rebuilds the clock)")
    return lines


def _hm(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"
