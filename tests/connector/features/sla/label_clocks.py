"""SLA clocks started and stopped by labels — how Belarus timed its accident stages before a
stage's norm moved onto the stage itself (issue 20 item 4, connector/features/outage/norms.py).
The SLA tests of the shared history, its folding and the 0009 upgrade were written on these
two policies and their stored rows (tests/fixtures/sla); a team may still write such a policy,
so they keep them, on a copy of the shipped mappings."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import REPO

POLICIES = """\
  - name: outage_diagnosing
    title: Норма этапа «Диагностика»
    target_hours: 0.5
    start: {labels: ["Сбой: диагностика"]}
    stop: {no_labels: ["Сбой: диагностика"]}
    thresholds:
      - {at: 100, room: outages}
      - {at: 200, label: "SLA: нарушен", room: outages, head: true}
  - name: outage_fixing
    title: Норма этапа «Устранение»
    target_hours: 2
    start: {labels: ["Сбой: устранение"]}
    stop: {no_labels: ["Сбой: устранение"]}
    thresholds:
      - {at: 100, room: outages}
      - {at: 200, label: "SLA: нарушен", room: outages, head: true}
"""
BEFORE = "  # §4.3.4: the head of support prepares the accident report"


def label_clock_mappings(directory: Path) -> Path:
    """The shipped mappings, with belarus-ehr's two label-started policies before its report's
    (the order the stored rows were written in)."""
    shutil.copytree(REPO / "mappings", directory)
    belarus = directory / "belarus-ehr.yml"
    text = belarus.read_text(encoding="utf-8")
    assert text.count(BEFORE) == 1
    belarus.write_text(text.replace(BEFORE, POLICIES + BEFORE), encoding="utf-8")
    return directory
