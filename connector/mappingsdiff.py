"""`helpdesk-connector mappings diff`: after an upgrade, what the shipped mappings have that the
admin's copy (made by `init`) has not, or has otherwise — key by key, and as a unified diff on
request — so the admin knows what to merge into their own files."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connector import __version__
from connector.config import DEFAULT_CONFIG_ENV, load_config
from connector.starter import shipped_mappings
from connector.yamlfile import read_yaml

TEXTS = "templates"  # where a regulation keeps its own wording: shown per text
LEGEND = ("  + only in the shipped mappings (used, with a warning, until your copy has it)\n"
          "  - only in your copy\n"
          "  ~ differs: your edit, or the release changed it")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`mappings diff [--config FILE] [--unified]`."""
    mappings = sub.add_parser("mappings", help="compare your copy of the mappings with the "
                              "installed release's")
    actions = mappings.add_subparsers(required=True, metavar="ACTION")
    diff = actions.add_parser("diff", help="what the shipped mappings have that your copy "
                              "has not, or has otherwise")
    diff.add_argument("--config", metavar="FILE",
                      help=f"config YAML (default: ${DEFAULT_CONFIG_ENV})")
    diff.add_argument("--unified", action="store_true",
                      help="also a unified diff of each file that differs (yours → shipped)")
    diff.set_defaults(command=cmd_mappings_diff)


def cmd_mappings_diff(args: argparse.Namespace) -> int:
    copy, shipped = load_config(args.config).mappings_dir.resolve(), shipped_mappings()
    if copy == shipped:
        print(f"your config uses the shipped mappings themselves ({shipped}): nothing to compare")
        return 0
    print(f"your copy: {copy}\nshipped with helpdesk-connector {__version__}: {shipped}\n"
          f"{LEGEND}\n")
    for line in report(copy, shipped, unified=args.unified):
        print(line)
    return 0


def report(copy: Path, shipped: Path, *, unified: bool = False) -> Iterator[str]:
    """Per file: whether it is only on one side, the same, or which keys differ."""
    names = sorted({p.name for p in copy.glob("*.yml")} | {p.name for p in shipped.glob("*.yml")})
    for name in names:
        mine, theirs = copy / name, shipped / name
        if not theirs.is_file():
            yield f"{name}: your own file, not shipped"
            continue
        if not mine.is_file():
            yield f"{name}: only shipped, not in your copy"
            continue
        changes = list(key_changes(read_yaml(mine), read_yaml(theirs)))
        if not changes:
            same = mine.read_bytes() == theirs.read_bytes()
            yield f"{name}: {'same' if same else 'same values (comments or layout differ)'}"
            continue
        yield f"{name}:"
        yield from (f"  {mark} {key}" for mark, key in changes)
        if unified:
            yield from _unified(mine, theirs)


def key_changes(mine: Any, theirs: Any, depth: int = 2,
                prefix: str = "") -> Iterator[tuple[str, str]]:
    """(+|-|~, dotted key) for each key only shipped, only in the copy, or different — down to
    `depth` levels (templates.yml: language.text; a regulation: outage.stages) and a
    regulation's own texts down to each text; a section one side lacks is one line."""
    if depth == 0 or not isinstance(mine, dict) or not isinstance(theirs, dict):
        if mine != theirs:
            yield "~", prefix.rstrip(".")
        return
    for key in sorted(mine.keys() | theirs.keys(), key=str):
        path = f"{prefix}{key}"
        if key not in mine:
            yield "+", path
        elif key not in theirs:
            yield "-", path
        else:
            deeper = depth if not prefix and key == TEXTS else depth - 1
            yield from key_changes(mine[key], theirs[key], deeper, f"{path}.")


def _unified(mine: Path, theirs: Path) -> Iterator[str]:
    lines = difflib.unified_diff(
        mine.read_text(encoding="utf-8").splitlines(), theirs.read_text(encoding="utf-8")
        .splitlines(), fromfile=f"{mine} (yours)", tofile=f"{theirs} (shipped)", lineterm="")
    yield from (f"    {line}" for line in lines)
