"""Every command's own `--help`: its purpose as a description line and each option's default,
so an admin never has to read the code to learn what a command does when left alone."""

from __future__ import annotations

import argparse


class DefaultsShown(argparse.RawDescriptionHelpFormatter):
    """Appends "(default: X)" to an option's help when it has a default worth saying; the
    description and epilog are printed as written (an epilog may hold a command to copy)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "%(default)" in text or "default:" in text or not action.option_strings \
                or not worth_saying(action.default):
            return text
        return f"{text} (default: %(default)s)".lstrip()


def worth_saying(default: object) -> bool:
    """A default that tells something: not absent, not a flag's off, not an empty list."""
    return not (default is None or default is False or default is argparse.SUPPRESS
                or default == [])


def describe_commands(parser: argparse.ArgumentParser) -> None:
    """Give every subcommand (and theirs) the one-line help it is listed with as its
    description, and the formatter that shows defaults; an option with a default but no help
    of its own still shows its default."""
    parser.formatter_class = DefaultsShown
    for action in parser._actions:  # argparse keeps its subcommands only there
        if action.option_strings and worth_saying(action.default) and not action.help:
            action.help = "(default: %(default)s)"
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help for choice in action._choices_actions}
        for name, command in action.choices.items():
            if command.description is None:
                command.description = helps.get(name)
            describe_commands(command)
