"""`helpdesk-connector inbox|outbox list|show|retry|cancel`: the operator sees and steers the
queues without SQL. Registered into the main parser by connector/cli.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from connector import operations as ops
from connector.config import DEFAULT_CONFIG_ENV, config_path, load_config
from connector.jsonstyle import cli_json
from connector.store.db import open_existing, reading

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2  # as connector.cli
WIDEST = 72  # the reason column of a table; `show` and --json give it whole

# Table columns per box: (heading, row key).
_TABLE = {
    "inbox": [("ID", "id"), ("STATUS", "status"), ("SOURCE", "source"), ("EVENT", "event"),
              ("TICKET", "ticket"), ("TRIES", "attempts"), ("RECEIVED", "received_at"),
              ("OUTCOME", "outcome")],
    "outbox": [("ID", "id"), ("STATUS", "status"), ("TARGET", "target"), ("KIND", "kind"),
               ("TICKET", "ticket"), ("TRIES", "attempts"), ("CREATED", "created_at"),
               ("LAST ERROR", "last_error")],
}
_WHAT = {"inbox": "received events and polled changes (the rules' input)",
         "outbox": "actions on trackers and chats (the rules' effects)"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `inbox` and `outbox` commands to the main parser."""
    for box in ops.BOXES:
        noun, row_id = ops.NOUN[box], _id_of(box)
        parser = sub.add_parser(box, help=f"list, show, retry or cancel {_WHAT[box]}")
        actions = parser.add_subparsers(required=True, metavar="ACTION")
        listing = _action(actions, box, "list", f"{noun}s, newest first", cmd_list)
        listing.add_argument("--status", choices=ops.STATUSES[box])
        listing.add_argument("--ticket", help="only this ticket, e.g. 'gitlab:1#23'")
        listing.add_argument("--limit", type=_limit, default=ops.DEFAULT_LIMIT,
                             help=f"at most this many (default {ops.DEFAULT_LIMIT}, "
                                  f"max {ops.MAX_LIMIT})")
        listing.add_argument("--json", action="store_true", help="machine-readable output")
        show = _action(actions, box, "show", f"everything about one {noun}", cmd_show)
        show.add_argument("id", type=row_id, metavar="ID")
        show.add_argument("--json", action="store_true", help="machine-readable output")
        retry = _action(actions, box, "retry", f"put {ops.either(ops.RETRYABLE[box])} {noun}s "
                        "back in line", cmd_retry)
        retry.add_argument("ids", nargs="+", metavar="ID", type=row_id)
        cancel = _action(actions, box, "cancel",
                         f"take pending or failed {noun}s out of line for good", cmd_cancel)
        cancel.add_argument("ids", nargs="+", metavar="ID", type=row_id)


def _action(actions: argparse._SubParsersAction[argparse.ArgumentParser], box: str, name: str,
            what: str, command: Callable[[argparse.Namespace, Engine], int]
            ) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=what, description=f"{box} {name}: {what}")
    parser.add_argument("--config", metavar="FILE",
                        help=f"config YAML (default: ${DEFAULT_CONFIG_ENV})")
    parser.set_defaults(command=_on_store(command), box=box)
    return parser


def _id_of(box: str) -> Callable[[str], int]:
    """The argparse type of a row id: `7` or `outbox:7`; argparse prints a bad one's reason."""
    def convert(text: str) -> int:
        try:
            return ops.parse_id(box, text)
        except ops.BadRequest as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return convert


def _limit(text: str) -> int:
    try:
        return ops.make_filter("outbox", limit=text).limit
    except ops.BadRequest as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_list(args: argparse.Namespace, engine: Engine) -> int:
    which = ops.make_filter(args.box, args.status, args.ticket, args.limit)
    with reading(engine) as conn:
        rows = ops.list_rows(conn, args.box, which)
    if args.json:
        print(cli_json(rows))
    elif not rows:
        print(f"no {ops.NOUN[args.box]}s match")
    else:
        print(table(args.box, rows))
    return EXIT_OK


def cmd_show(args: argparse.Namespace, engine: Engine) -> int:
    with reading(engine) as conn:
        row = ops.show(conn, args.box, args.id)
    if row is None:
        print(f"error: {args.box}:{args.id}: no such {ops.NOUN[args.box]}", file=sys.stderr)
        return EXIT_INVALID
    if args.json:
        print(cli_json(row))
        return EXIT_OK
    print(f"{args.box}:{args.id}")
    for key, value in row.items():
        if isinstance(value, dict | list):
            text = cli_json(value)
            print(f"{key}:\n  " + text.replace("\n", "\n  "))
        else:
            print(f"{key}: {'—' if value is None else value}")
    return EXIT_OK


def cmd_retry(args: argparse.Namespace, engine: Engine) -> int:
    return _steer(args, engine, ops.retry)


def cmd_cancel(args: argparse.Namespace, engine: Engine) -> int:
    return _steer(args, engine, ops.cancel)


def _steer(args: argparse.Namespace, engine: Engine,
           act: Callable[[Connection, str, int], ops.Outcome]) -> int:
    """Act on each id in its own transaction; exit 1 if any was left alone."""
    status = EXIT_OK
    for row_id in args.ids:
        with engine.begin() as conn:
            outcome = act(conn, args.box, row_id)
        if outcome.done:
            print(f"{args.box}:{row_id}: {outcome.message}")
        else:
            print(f"error: {args.box}:{row_id}: {outcome.message}", file=sys.stderr)
            status = EXIT_INVALID
    return status


def _on_store(command: Callable[[argparse.Namespace, Engine], int]
              ) -> Callable[[argparse.Namespace], int]:
    """Run a command on the store of --config (or $HELPDESK_CONNECTOR_CONFIG), unmigrated; a
    store error is one line and exit 1."""
    def run(args: argparse.Namespace) -> int:
        config = load_config(config_path(args.config), secrets=False)  # the store only
        engine = open_existing(config.store.url, config.source)
        try:
            return command(args, engine)
        except ops.BadRequest as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            first = (str(cause).strip().splitlines() or [""])[0][:200]
            print(f"error: store: {type(cause).__name__}: {first}", file=sys.stderr)
            return EXIT_INVALID
        finally:
            engine.dispose()
    return run


def table(box: str, rows: list[dict[str, Any]]) -> str:
    """Rows as aligned columns; the last column (the reason) cut to one short line."""
    columns = _TABLE[box]
    cells = [[h for h, _ in columns]]
    for row in rows:
        cells.append([_cell(row.get(key)) for _, key in columns])
    for line in cells[1:]:
        if len(line[-1]) > WIDEST:
            line[-1] = line[-1][:WIDEST - 1] + "…"
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns) - 1)]
    return "\n".join("  ".join([*(c.ljust(w) for c, w in zip(line, widths, strict=False)),
                                line[-1]]).rstrip() for line in cells)


def _cell(value: Any) -> str:
    return "—" if value is None else " ".join(str(value).split())
