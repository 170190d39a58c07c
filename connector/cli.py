"""`helpdesk-connector` command line: init, run, worker, check-config, explain, db upgrade."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connector import __version__
from connector.clihelp import describe_commands
from connector.config import DEFAULT_CONFIG_ENV, Config, config_path, load_config
from connector.envfile import ENV_FILE_HELP, OPTION, load_env_file, take_env_file
from connector.errors import ActionError, ConfigError, PayloadError, StoreError
from connector.jsonstyle import cli_json
from connector.ports import ensure_free
from connector.samples import register as sample_commands

if TYPE_CHECKING:  # start-up time: the connector's types only for the checker
    from connector.context import FeatureContext

log = logging.getLogger(__name__)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
CONFIG_HELP = f"config YAML (default: ${DEFAULT_CONFIG_ENV})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    argv, env_file = take_env_file(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        load_env_file(env_file)
        _resolve_config(args)
        return command(args)
    except ConfigError as exc:  # boundary: every config problem, one per line
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_INVALID
    except PayloadError as exc:
        print(f"error: payload: {exc.reason}", file=sys.stderr)
        return EXIT_INVALID
    except ActionError as exc:  # a service refused a one-time setup call
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except StoreError as exc:  # the store cannot be reached
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="helpdesk-connector", description=__doc__)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument(OPTION, metavar="FILE", help=ENV_FILE_HELP)  # taken out by take_env_file
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="serve webhooks and run the worker (gunicorn)")
    run.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    run.add_argument("--host", default="127.0.0.1", help="address to listen on")
    run.add_argument("--port", type=int, default=8080, help="port to listen on")
    run.add_argument("--threads", type=int, default=8, help="threads answering requests")
    run.set_defaults(command=cmd_run)

    worker = sub.add_parser("worker", help="run only the worker (scale-out next to `run`)")
    worker.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    worker.set_defaults(command=cmd_worker)

    check = sub.add_parser("check-config", help="validate the config and every mapping")
    check.add_argument("config_file", nargs="?", metavar="FILE", help="same as --config")
    check.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    check.set_defaults(command=cmd_check_config)

    explain = sub.add_parser("explain", help="print what the rules decide for a payload")
    explain.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    explain.add_argument("--tracker", required=True, choices=["gitlab", "mantis", "otrs"])
    explain.add_argument("--event", help="event name, e.g. 'Issue Hook' (default: from payload)")
    explain.add_argument("--json", action="store_true", help="machine-readable output")
    explain.add_argument("payload", type=Path)
    explain.set_defaults(command=cmd_explain)

    telegram = sub.add_parser("telegram", help="Telegram one-time setup")
    telegram_sub = telegram.add_subparsers(required=True, metavar="ACTION")
    set_webhook = telegram_sub.add_parser(
        "set-webhook", help="register chats.telegram.webhook_url with its secret token")
    set_webhook.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    set_webhook.set_defaults(command=cmd_telegram_set_webhook)

    failed = sub.add_parser("failed", help="list parked events and failed actions, with reasons")
    failed.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    failed.set_defaults(command=cmd_failed)

    retry = sub.add_parser("retry", help="put parked events / failed actions back in line")
    retry.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    retry.add_argument("items", nargs="+", metavar="inbox:ID|outbox:ID")
    retry.set_defaults(command=cmd_retry)

    db = sub.add_parser("db-upgrade", help="apply schema migrations to the store")
    db.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    db.set_defaults(command=cmd_db_upgrade)

    init = sub.add_parser("init", help="write DIR/config.yml and a copy of the mappings to edit")
    init.add_argument("directory", type=Path, metavar="DIR")
    init.add_argument("--data-dir", type=Path, metavar="DATA",
                      help="where the SQLite store goes (default: $HDC_DATA_DIR, else "
                      "/var/lib/helpdesk-connector as root, else $XDG_DATA_HOME/"
                      "helpdesk-connector or ~/.local/share/helpdesk-connector)")
    init.set_defaults(command=cmd_init)
    # start-up time: `--help` and `init` import no store, no SDK
    from connector.features.outage.commands import register as outage_commands
    from connector.features.reports.commands import register as report_commands
    from connector.features.reports.dashboard.commands import register as user_commands
    from connector.features.sla.commands import register as sla_commands
    from connector.mappingsdiff import register as mappings_commands
    from connector.operations_cli import register as operator_commands
    operator_commands(sub)  # inbox|outbox list|show|retry|cancel
    sla_commands(sub, build=_connector)  # sla show|repair
    report_commands(sub, build=_connector)  # report
    user_commands(sub, build=_connector)  # users add|list|remove (the dashboard's)
    outage_commands(sub, build=_connector)  # outages import
    mappings_commands(sub)  # mappings diff
    sample_commands(sub)  # sample gitlab-issue
    describe_commands(p)  # every command's --help: a description line, defaults shown
    return p


def _resolve_config(args: argparse.Namespace) -> None:
    """One way for every command that reads a config: --config FILE (check-config also takes
    it positionally), else $HELPDESK_CONNECTOR_CONFIG; neither is a one-line error."""
    if not hasattr(args, "config"):
        return  # init
    positional = getattr(args, "config_file", None)
    if positional and args.config and positional != args.config:
        raise ConfigError([f"two configs given ({positional}, --config {args.config}): give one"])
    args.config = config_path(args.config or positional)


def cmd_init(args: argparse.Namespace) -> int:
    # start-up time: imported by the command that needs it
    from connector.starter import init_dir

    for path in init_dir(args.directory, args.data_dir):
        print(f"wrote {path}")
    config = args.directory / "config.yml"
    print(f"next: edit {config}, then `helpdesk-connector check-config --config {config}` "
          f"and `helpdesk-connector run --config {config}`")
    return EXIT_OK


def cmd_check_config(args: argparse.Namespace) -> int:
    # start-up time: imported by the command that needs it
    from connector.assembly import check_config
    from connector.startup import announce

    config = load_config(args.config)
    mappings = check_config(config)
    for line in mappings.warnings():  # not errors: an older copy after an upgrade, people moved
        print(f"warning: {line}", file=sys.stderr)
    print(f"ok: {args.config}; mappings: {', '.join(sorted(mappings.by_name))}")
    announce(config, mappings, sys.stdout)
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    # start-up time: imported by the command that needs it
    from connector.adapters import load_tracker_plugin
    from connector.assembly import check_config
    from connector.rules.engine import RuleContext, decide
    from connector.rules.state import TicketState
    config = load_config(args.config)
    mappings = check_config(config)
    payload = _read_payload(args.payload)
    plugin = load_tracker_plugin(args.tracker)
    event_name = args.event or plugin.guess_event(payload)
    event = plugin.normalize(event_name, payload)
    if event is None:
        print(f"ignored: {event_name} is not a ticket event the rules handle")
        return EXIT_OK
    tracker = config.trackers.configured().get(args.tracker)
    mapping_name = tracker.mapping_for(event.ref.project) if tracker else None
    if mapping_name is None:
        print(f"ignored: no mapping for project {event.ref.project} "
              f"(see trackers.{args.tracker}.projects)")
        return EXIT_OK
    ctx = RuleContext(mappings, config.language, dict(config.roles))
    decision = decide(mappings.get(mapping_name), event, TicketState(), ctx)
    if args.json:
        print(cli_json([{"kind": a.kind, "target": a.target, "ticket": str(a.ticket),
                         "params": a.params, "rule": a.reason} for a in decision.actions]))
        for warning in decision.warnings:
            print(f"warning: {warning.text}", file=sys.stderr)
        return EXIT_OK
    print(f"event: {event.ref} {event_name} ({event.action}) by {event.actor or '?'}")
    print(f"labels: {', '.join(event.labels) or '—'}")
    print(f"mapping: {mapping_name}")
    for warning in decision.warnings:
        print(f"warning: {warning.text}")
    if not decision.actions:
        print("decisions: none")
    for i, a in enumerate(decision.actions, 1):
        print(f"{i}. {a.kind} → {a.target} [{a.reason}]")
        for key, value in a.params.items():
            print(f"   {key}: {_show(value)}")
    return EXIT_OK


def _read_payload(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PayloadError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise PayloadError(f"{path}: malformed JSON: {exc.msg} at line {exc.lineno}") from None


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    return str(value).replace("\n", "\n   ")


def cmd_telegram_set_webhook(args: argparse.Namespace) -> int:
    # start-up time: imported by the command that needs it
    from connector.adapters import load_chat_plugin

    config = load_config(args.config)
    register = load_chat_plugin("telegram").register_webhook
    assert register is not None
    print(f"Telegram will deliver updates to {register(config)}")
    return EXIT_OK


def cmd_failed(args: argparse.Namespace) -> int:
    # start-up time: imported by the command that needs it
    from connector.store import inbox, outbox
    from connector.store.db import open_existing, reading

    config = load_config(args.config, secrets=False)  # reads the store only
    engine = open_existing(config.store.url, config.source)
    with reading(engine) as conn:
        events, actions = inbox.failed(conn), outbox.failed(conn)
    for e in events:
        print(f"inbox:{e.id}\t{e.source} {e.event_name}\t{e.ordering_key}\t{e.outcome}")
    for a in actions:
        print(f"outbox:{a.id}\t{a.target} {a.kind}\t{a.ticket}\t{a.last_error}")
    if not events and not actions:
        print("nothing failed")
    return EXIT_OK


def cmd_retry(args: argparse.Namespace) -> int:
    # start-up time: imported by the command that needs it
    from connector.store import inbox, outbox
    from connector.store.db import open_existing

    tables = {"inbox": inbox.requeue, "outbox": outbox.requeue}
    config = load_config(args.config)
    engine = open_existing(config.store.url, config.source)
    status = EXIT_OK
    for item in args.items:
        kind, _, number = item.partition(":")
        if kind not in tables or not (number.isascii() and number.isdigit()):
            print(f"error: {item}: write inbox:ID or outbox:ID (see `failed`)", file=sys.stderr)
            return EXIT_USAGE
        with engine.begin() as conn:
            done = tables[kind](conn, int(number))
        print(f"{item}: {'back in line' if done else 'not a failed item, left alone'}")
        status = status if done else EXIT_INVALID
    return status


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    # start-up time: imported by the command that needs it
    from connector.store.db import make_engine, upgrade
    from connector.upgrades import schema_change

    config = load_config(args.config, secrets=False)  # the store only
    print(schema_change(*upgrade(make_engine(config.store.url))))
    return EXIT_OK


def cmd_worker(args: argparse.Namespace) -> int:
    # start-up time: imported by the command that needs it
    from connector.startup import start_up
    from connector.workerproc import READY_FD_ENV, serve

    config = load_config(args.config)
    if READY_FD_ENV not in os.environ:  # started by hand; `run` did this for its own worker
        start_up(config)  # the summary; the store opened and migrated, or one line and exit 1
    serve(config)
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    # start-up time: imported by the command that needs it
    from connector.logs import setup_logging
    from connector.startup import start_up
    from connector.supervisor import run

    config = load_config(args.config)  # fail fast, before any process starts
    ensure_free(args.host, args.port)  # a busy port: one line naming --port
    start_up(config)  # the summary; the store opened and migrated, or one line and exit 1
    setup_logging(config.logging, config.secrets())
    return run(args.config, args.host, args.port, args.threads, config.worker.embedded)


def _connector(config: Config, migrate: bool) -> FeatureContext:
    """The assembled connector, for commands that act on the store (sla show|repair,
    outages import)."""
    # start-up time: imported by the command that needs it
    from connector.assembly import build_connector
    return build_connector(config, migrate=migrate)


if __name__ == "__main__":
    sys.exit(main())
