"""`--env-file FILE` (or $HDC_ENV_FILE): the CLI reads the environment file the systemd units
read (EnvironmentFile= syntax), so operator commands in a shell see what the service sees; the
process environment wins over the file, as an `Environment=` line would."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from connector.errors import ConfigError, format_problem
from connector.yamlfile import read_text

ENV_FILE_ENV = "HDC_ENV_FILE"
OPTION = "--env-file"
ENV_FILE_HELP = ("read variables (secrets, HELPDESK_CONNECTOR_CONFIG) from FILE as systemd's "
                 f"EnvironmentFile= does, before or after the command (default: ${ENV_FILE_ENV}); "
                 "the environment wins over the file")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ESCAPED = re.compile(r"\\(.)")


def take_env_file(argv: Sequence[str]) -> tuple[list[str], str | None]:
    """`--env-file FILE` or `--env-file=FILE` taken out of the arguments, wherever it stands
    (before or after the command); the file, else $HDC_ENV_FILE, else None."""
    rest, found, args = [], os.environ.get(ENV_FILE_ENV) or None, list(argv)
    while args:
        arg = args.pop(0)
        if arg == OPTION and args:
            found = args.pop(0)
        elif arg.startswith(f"{OPTION}="):
            found = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return rest, found


def load_env_file(path: str | Path | None) -> None:
    """Set each variable of the file that the process environment does not have already."""
    if path is None:
        return
    for name, value in parse_env_file(Path(path)).items():
        os.environ.setdefault(name, value)


def parse_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd reads them: `#`/`;` comments and blank lines skipped, spaces
    around the value trimmed, "double" (with \\ escapes) or 'single' quotes, a trailing
    backslash continuing the line; a line it would not read is a ConfigError naming it."""
    found: dict[str, str] = {}
    lines = read_text(path).splitlines()
    number = 0
    while number < len(lines):
        start, line = number + 1, lines[number]
        number += 1
        while line.endswith("\\") and number < len(lines):
            line, number = line[:-1] + lines[number], number + 1
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        name, equals, value = stripped.partition("=")
        name = name.strip()
        if not equals:
            raise ConfigError([format_problem(str(path), f"line {start}", "not KEY=VALUE",
                                              "write NAME=value, one per line")])
        if not _NAME.match(name):
            raise ConfigError([format_problem(
                str(path), f"line {start}", f"`{name[:40]}` is not a variable name",
                "write NAME=value: letters, digits and _, no `export`")])
        found[name] = _unquote(value.strip(), str(path), start)
    return found


def _unquote(value: str, file: str, line: int) -> str:
    if not value or value[0] not in "\"'":
        return value
    quote = value[0]
    if len(value) < 2 or value[-1] != quote:
        raise ConfigError([format_problem(file, f"line {line}", "the quote is not closed",
                                          f"end the value with {quote}")])
    inner = value[1:-1]
    return _ESCAPED.sub(r"\1", inner) if quote == '"' else inner
