"""The template ids features speak with, for the mapping loader to insist on: every feature
folder's `texts.py` (its TEMPLATES, id → placeholders), found by that convention — a new
feature's texts are checked without being listed anywhere. Texts are data: reading them runs
none of a feature's flows."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def _feature_templates() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    here = Path(__file__).parent
    for feature in sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.ispkg):
        if (here / feature / "texts.py").exists():
            texts = importlib.import_module(f"connector.features.{feature}.texts")
            found.update(texts.TEMPLATES)
    return found


FEATURE_TEMPLATES: dict[str, set[str]] = _feature_templates()
