"""`helpdesk-connector users add|list|remove`: who may read the dashboard. The dashboard is
off until the first user is added."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

from connector.config import DEFAULT_CONFIG_ENV, config_path, load_config
from connector.context import Build, FeatureContext
from connector.features.reports.dashboard import users
from connector.features.reports.dashboard.passwords import PasswordError, hash_password
from connector.store.db import reading

EXIT_OK, EXIT_INVALID = 0, 1  # as connector.cli


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], build: Build) -> None:
    p = sub.add_parser("users", help="who may read the dashboard: add, list, remove")
    actions = p.add_subparsers(required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a user (with --replace: set a new password)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--replace", action="store_true",
                     help="set a new password for a user that exists (their sessions end)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of stdin (else asked twice)")
    add.set_defaults(command=cmd_add)
    listing = actions.add_parser("list", help="the users, with when each was added")
    listing.set_defaults(command=cmd_list)
    remove = actions.add_parser("remove", help="remove a user (their sessions end)")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(command=cmd_remove)
    for action in (add, listing, remove):
        action.add_argument("--config", metavar="FILE",
                            help=f"config YAML (default: ${DEFAULT_CONFIG_ENV})")
        action.set_defaults(build=build)


def cmd_add(args: argparse.Namespace) -> int:
    try:
        name = users.check_name(args.name)
        password = _password(args.password_stdin)
        hashed = hash_password(password)
    except (users.UserError, PasswordError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    c = _connector(args)
    try:
        with c.engine.begin() as conn:
            new = users.add(conn, name, hashed, args.replace)
    except users.UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    print(f"{name}: {'added' if new else 'password changed'}; the dashboard is at /dashboard")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    c = _connector(args)
    with reading(c.engine) as conn:
        found = users.listed(conn)
    for row in found:
        added = datetime.fromtimestamp(row.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(f"{row.name}\tadded {added}")
    if not found:
        print("no users: the dashboard is off (add one with `users add NAME`)")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    c = _connector(args)
    with c.engine.begin() as conn:
        removed = users.remove(conn, args.name)
    if not removed:
        print(f"error: no user named {args.name[:70]!r} (see `users list`)", file=sys.stderr)
        return EXIT_INVALID
    print(f"{args.name}: removed")
    return EXIT_OK


def _connector(args: argparse.Namespace) -> FeatureContext:
    """The connector on its store, brought to the newest schema (the users' table with it)."""
    c: FeatureContext = args.build(load_config(config_path(args.config)), True)
    return c


def _password(from_stdin: bool) -> str:
    """The first line of stdin (a script's), else asked twice without echo (a person's)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise PasswordError("the two passwords differ")
    return first
