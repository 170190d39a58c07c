"""`helpdesk-connector outages import --since DATE`: the outages before the connector ran, read
from the trackers' own history (history.py) and stored as imported."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from connector.config import DEFAULT_CONFIG_ENV, config_path, load_config
from connector.context import Build, FeatureContext
from connector.errors import ActionError
from connector.features.outage import history
from connector.timestamps import from_epoch
from connector.wording import local_time

EXIT_OK, EXIT_INVALID = 0, 1  # as connector.cli (argparse answers a usage error with 2)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], build: Build) -> None:
    outages = sub.add_parser("outages", help="mass outages: import them from the trackers' "
                                             "history")
    actions = outages.add_subparsers(required=True, metavar="ACTION")
    p = actions.add_parser(
        "import", help="store the outages the trackers' history shows (reads the trackers, "
                       "never writes to them; a repeated run adds nothing twice)")
    p.add_argument("--config", metavar="FILE",
                   help=f"config YAML (default: ${DEFAULT_CONFIG_ENV})")
    p.add_argument("--since", required=True, type=_day, metavar="DATE",
                   help="YYYY-MM-DD: outages open on that day (in the regulation's time zone) "
                        "or later")
    p.add_argument("--tracker", choices=["gitlab", "mantis", "otrs"],
                   help="only this tracker's projects (default: every one configured)")
    p.set_defaults(command=cmd_import, build=build)


def cmd_import(args: argparse.Namespace) -> int:
    c: FeatureContext = args.build(load_config(config_path(args.config)), True)
    found = history.projects(c, args.tracker)
    if not found:
        print("no configured project's regulation declares outages (`outage:` in its mapping)")
        return EXIT_OK
    status, imported, kept = EXIT_OK, 0, 0
    for tracker, project, mapping in found:
        try:
            for outcome in history.import_project(c, tracker, project, mapping, args.since):
                if outcome.imported:
                    imported += 1
                    print(describe(outcome.found))
                else:
                    kept += 1
        except ActionError as exc:  # boundary: the tracker cannot list or tell, one line
            print(f"error: {tracker} project {project}: {exc}", file=sys.stderr)
            status = EXIT_INVALID
    print(f"{imported} outage(s) imported; {kept} stored before, left as they were")
    return status


def describe(found: history.Found) -> str:
    """An imported outage in one line, times in the regulation's zone."""
    zone = found.mapping.timezone
    stages = " → ".join(m.stage.name for m in found.moves)
    return (f"{found.ticket.ref} {found.service}: declared "
            f"{local_time(from_epoch(found.declared_at), zone)}; {stages} (since "
            f"{local_time(from_epoch(found.stage.at), zone)})")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write a date, YYYY-MM-DD") from None
