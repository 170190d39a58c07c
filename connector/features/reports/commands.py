"""`helpdesk-connector report`: every figure of a period, for the head of support (Markdown in
the team's language), a script (JSON) or a spreadsheet (CSV)."""

from __future__ import annotations

import argparse
import sys

from connector.config import DEFAULT_CONFIG_ENV, config_path, load_config
from connector.context import Build, FeatureContext
from connector.features.reports import formats
from connector.features.reports.period import Period, PeriodError, last_days, parse_day, today
from connector.features.reports.report import build, zone_of
from connector.features.reports.source import Scope

EXIT_OK, EXIT_INVALID = 0, 1  # as connector.cli
DEFAULT_DAYS = 30


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], build: Build) -> None:
    p = sub.add_parser("report", help="reliability, stages, problems, SLA, request flow")
    p.add_argument("--config", metavar="FILE",
                   help=f"config YAML (default: ${DEFAULT_CONFIG_ENV})")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD",
                   help=f"first day, in the regulation's zone (default: {DEFAULT_DAYS} days ago)")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last day (default: today)")
    p.add_argument("--service", help="one catalog service: its own reliability")
    p.add_argument("--regulation", help="one regulation (mapping name)")
    p.add_argument("--format", choices=["md", "json", "csv"], default="md")
    p.add_argument("--table", choices=formats.TABLES, default="outages",
                   help="with --format csv: which table")
    p.set_defaults(command=cmd_report, build=build)


def cmd_report(args: argparse.Namespace) -> int:
    c: FeatureContext = args.build(load_config(config_path(args.config)), False)
    try:
        period = period_of(c, args.first, args.last, args.regulation)
        report = build(c, period, Scope(args.service, args.regulation))
    except PeriodError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    if args.format == "json":
        sys.stdout.write(formats.as_json(report) + "\n")
    elif args.format == "csv":
        sys.stdout.write(formats.as_csv(report, args.table))
    else:
        sys.stdout.write(formats.as_markdown(c, report, args.regulation))
    return EXIT_OK


def period_of(c: FeatureContext, first: str | None, last: str | None,
              regulation: str | None) -> Period:
    """The days asked for, in the regulation's zone; the last 30 days by default."""
    zone = zone_of(c, regulation)
    default = last_days(today(c.clock.now(), zone), DEFAULT_DAYS, zone)
    return Period(parse_day(first, "--from") if first else default.first,
                  parse_day(last, "--to") if last else default.last, zone)
