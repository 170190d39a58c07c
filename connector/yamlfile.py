"""Load YAML files into typed models, turning every problem into file/key/fix messages."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from connector.errors import ConfigError, format_problem

M = TypeVar("M", bound=BaseModel)

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, reporting syntax errors with the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError.at(str(path), "", "file not found", "check the path") from None
    except UnicodeDecodeError:
        raise ConfigError.at(str(path), "", "not UTF-8", "save the file as UTF-8") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise ConfigError.at(str(path), where, f"invalid YAML: {exc}", "fix the syntax") from None


def interpolate_env(node: Any, file: str, key: str = "") -> Any:
    """Replace `${VAR}` and `${VAR:-default}` in strings; an unset VAR with no default fails."""
    if isinstance(node, dict):
        return {k: interpolate_env(v, file, f"{key}.{k}" if key else str(k))
                for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate_env(v, file, f"{key}[{i}]") for i, v in enumerate(node)]
    if not isinstance(node, str):
        return node

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = os.environ.get(name)
        if value is not None:
            return value
        if default is not None:
            return default
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
    loc = [str(p) for p in err["loc"]]
    key = ".".join(loc)
    if err["type"] == "extra_forbidden":
        known = ", ".join(sorted(_known_keys(model, loc[:-1])))
        return format_problem(file, key, "unknown key", f"remove it or use one of: {known}")
    if err["type"] == "missing":
        return format_problem(file, key, "required key is missing", "add it")
    return format_problem(file, key, err["msg"], "see the commented example config")


def _known_keys(model: type[BaseModel], path: list[str]) -> list[str]:
    current: Any = model
    for part in path:
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part)
            if info is None:
                return []
            current = _first_model(info.annotation)
        else:
            current = _first_model(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _first_model(annotation: Any) -> Any:
    """Dig the first BaseModel out of list[X], dict[str, X], X | None and such."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _first_model(arg)
        if found is not None:
            return found
    return None
