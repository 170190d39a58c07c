"""Load YAML files into typed models, turning every problem into file/key/fix messages."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from connector.errors import ConfigError, format_problem

M = TypeVar("M", bound=BaseModel)

# libyaml's parser where PyYAML was built with it: the same data, ten times as fast (a
# worker's start-up reads every mapping)
LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, reporting syntax errors with the file and line."""
    text = read_text(path)
    try:
        return yaml.load(text, Loader=LOADER)
    except yaml.YAMLError:
        pass  # libyaml words its errors differently: the reference parser says what is wrong
    try:
        return yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError.at(str(path), where, f"invalid YAML: {problem}",
                             "fix the syntax (indent with spaces, not tabs)") from None


def read_text(path: Path) -> str:
    """A config-side file's text (UTF-8), or a ConfigError saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError.at(str(path), "", "file not found", "check the path") from None
    except IsADirectoryError:
        raise ConfigError.at(str(path), "", "a directory, not a file",
                             "name the YAML file itself") from None
    except PermissionError:
        raise ConfigError.at(str(path), "", "cannot read it (permission denied)",
                             "let the user running the command read it (chgrp/chmod 640)"
                             ) from None
    except OSError as exc:
        raise ConfigError.at(str(path), "", f"cannot read it ({exc.strerror or exc})",
                             "check the path") from None
    except UnicodeDecodeError:
        raise ConfigError.at(str(path), "", "not UTF-8", "save the file as UTF-8") from None


def every_key(key: str) -> bool:
    """Every `${VAR}` of the file is needed (the default)."""
    return True


def interpolate_env(node: Any, file: str, key: str = "",
                    needed: Callable[[str], bool] = every_key) -> Any:
    """Replace `${VAR}` and `${VAR:-default}` in strings; an unset VAR with no default fails
    where the key is `needed`, and is empty elsewhere (a command that uses no secret)."""
    if isinstance(node, dict):
        return {k: interpolate_env(v, file, f"{key}.{k}" if key else str(k), needed)
                for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate_env(v, file, f"{key}[{i}]", needed) for i, v in enumerate(node)]
    if not isinstance(node, str):
        return node

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = os.environ.get(name)
        if value is not None:
            return value
        if default is not None:
            return default
        if not needed(key):
            return ""
        raise ConfigError.at(
            file, key, f"environment variable {name} is not set",
            f"export {name}=… or write ${{{name}:-default}}",
        )

    return _ENV.sub(substitute, node)


def parse_model(model: type[M], data: Any, file: str) -> M:
    """Validate data against a model; unknown keys are rejected with the known ones listed."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise ConfigError([_describe(model, err, file) for err in exc.errors()]) from None


def _describe(model: type[BaseModel], err: Any, file: str) -> str:
    key, known = _locate(model, list(err["loc"]))
    if err["type"] == "extra_forbidden":
        return format_problem(file, key, "unknown key",
                              f"remove it or use one of: {', '.join(sorted(known))}")
    if err["type"] == "missing":
        return format_problem(file, key, "required key is missing", "add it")
    own = err["msg"].removeprefix("Value error, ")
    if " — " in own:  # a validator's own `problem — fix`
        return format_problem(file, key, *own.split(" — ", 1))
    return format_problem(file, key, err["msg"], "see the commented example config")


def _locate(model: type[BaseModel], loc: list[Any]) -> tuple[str, list[str]]:
    """Render an error location as `a.b[0].c` and list the keys known next to its last part.

    List indexes become `[i]`; the tag pydantic inserts for a discriminated union member
    (`rules.0.single_priority_label.x`) is not a key of the file and is dropped.
    """
    key = ""
    candidates: list[type[BaseModel]] = [model]
    for i, part in enumerate(loc):
        if isinstance(part, int):
            key += f"[{part}]"
            continue
        if not any(part in m.model_fields for m in candidates):
            tagged = [m for m in candidates if part in _tags(m)]
            if tagged:
                candidates = tagged
                continue
        key += f".{part}" if key else str(part)
        if i < len(loc) - 1:
            info = next((m.model_fields[part] for m in candidates if part in m.model_fields), None)
            candidates = _models(info.annotation) if info else []
    known = list(candidates[0].model_fields) if len(candidates) == 1 else []
    return key, known


def _models(annotation: Any) -> list[type[BaseModel]]:
    """Every BaseModel inside list[X], dict[str, X], X | None, Annotated[A | B, …] and such."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) or () for m in _models(arg)]


def _tags(model: type[BaseModel]) -> set[str]:
    """Values of single-valued Literal fields: what a discriminated union selects the model by."""
    return {args[0] for info in model.model_fields.values()
            if get_origin(info.annotation) is Literal
            and len(args := get_args(info.annotation)) == 1}
