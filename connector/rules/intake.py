"""Sevastopol intake (§3.1–3.5, Appendix 1, §2.9): incomplete requests wait in Feedback until
the applicant completes them, in the request itself or in a note."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from connector.events import Action, TicketEvent
from connector.rules.context import RuleContext
from connector.rules.form import filled, form_values
from connector.rules.models import AttachmentAdvice, Detect, IntakeField, IntakeValidation
from connector.rules.registration import check_registration, reported_by_l1
from connector.rules.state import TicketState

WAITING = "intake:waiting"
FOUND = "intake:found:"  # + item name: found in an applicant's note (notes come one by one)
MISSING = "intake:missing:"  # + item name: named in the last note to the applicant
ADVISED = "intake:advised:"  # + what §3.5 advice was given


def apply_intake_validation(
    rule: IntakeValidation, event: TicketEvent, state: TicketState, ctx: RuleContext
) -> list[Action]:
    """Hold a new problem report that lacks mandatory items in Feedback with a note naming each.

    The applicant answers in the request or, with Mantis' default rights, in a note — and
    Mantis itself then moves the request out of Feedback. Complete: it returns to New with
    thanks. Still incomplete: it goes (back) to Feedback with a note naming what is still
    missing. A status set by L1 staff while it waits is theirs: the check stops. A request
    in the outage category is never held (`outage_request`). A request L1 reported is
    checked against §2.7's items instead (`registered_by_l1`, registration.py).
    """
    if event.by_connector or (event.kind == "note" and not event.supplements):
        return []  # not an applicant's request; only the applicant's notes complete one
    if event.kind not in ("ticket", "note"):
        return []
    if rule.registered_by_l1 is not None and reported_by_l1(event, state, ctx):
        # §2.7: L1's own request is checked against what L1 records, and never held
        return check_registration(rule.registered_by_l1, event, state, ctx, rule.type)
    _remember(rule, event, state)
    advice = _advice(rule.attachments, event, state, ctx)
    return _with_advice(_decide(rule, event, state, ctx), advice, event)


def _decide(rule: IntakeValidation, event: TicketEvent, state: TicketState,
            ctx: RuleContext) -> list[Action]:
    """Hold, keep holding or release the request; the §3.5 advice is not this one's."""
    if outage_request(event, ctx):
        _forget(state)  # the outage process has it: no wait, no move to incomplete_status
        return []
    missing = _missing(rule, event, state) if in_scope(rule, event) else {}
    waiting, status = WAITING in state.flags, event.status
    if not waiting:
        if missing and status == rule.complete_status:
            state.flags.add(WAITING)
            return _hold(rule, event, state, ctx, missing, "intake_incomplete")
        return []
    if status == rule.incomplete_status:
        if not missing:
            return _release(rule, event, state, ctx, move=True)
        if not set(missing) < _named(state):
            return []  # nothing new supplied: the note already says what is missing
        return _hold(rule, event, state, ctx, missing, "intake_still_incomplete", move=False)
    answered = (rule.answered_statuses or [rule.complete_status])
    if "status" in event.staff_set or status not in answered:
        _forget(state)  # someone took it on regardless
        return []
    if not _applicant_answered(event):
        return []  # e.g. a view from before the move to Feedback landed
    if not missing:
        return _release(rule, event, state, ctx, move=False)
    return _hold(rule, event, state, ctx, missing, "intake_still_incomplete")


def in_scope(rule: IntakeValidation, event: TicketEvent) -> bool:
    """Appendix 1 is the form of a problem report: other requests are not held for it."""
    scope = rule.applies_to
    if scope.categories and event.category and event.category not in scope.categories:
        return False
    return not (scope.impacts and event.impact and event.impact not in scope.impacts)


def outage_request(event: TicketEvent, ctx: RuleContext) -> bool:
    """A request in the mapping's outage category (`outage.declare.category`), declared or
    not, or one meeting `outage.declare` itself is the outage process's: never held for the
    form (issue 17: the outage moved it on, the applicant's next note sent it back)."""
    outage = ctx.mapping.outage if ctx.mapping is not None else None
    if outage is None:
        return False
    declare = outage.declare
    return event.category in declare.category or declare.holds(event)


def missing_items(rule: IntakeValidation, event: TicketEvent,
                  state: TicketState | None = None) -> list[str]:
    """Titles of the mandatory items the request lacks, in the regulation's order."""
    return list(_missing(rule, event, state or TicketState()).values())


def _missing(rule: IntakeValidation, event: TicketEvent, state: TicketState) -> dict[str, str]:
    """Name → title of each mandatory item the request lacks, in the regulation's order."""
    found = {f[len(FOUND):] for f in state.flags if f.startswith(FOUND)}
    texts = "\n".join([event.description, *event.fields.values()])
    values = form_values(texts, [label for f in rule.fields for label in f.detect.labels])
    missing = {f.name: f.title for f in rule.fields
               if f.name not in found and not present(f, values, event)}
    bare = {ext.lower() for ext in rule.bare_attachment_types}
    if event.attachments and not event.description.strip() and all(
            a.extension in bare for a in event.attachments):
        missing = {"description": rule.description_title, **missing}
    return missing


def present(item: IntakeField, values: dict[str, str], event: TicketEvent) -> bool:
    """Any one of the detection methods finding the item is enough."""
    detect: Detect = item.detect
    if any(filled(values.get(label), item.hint) for label in detect.labels):
        return True
    names = [*detect.custom_fields, *detect.text_fields]
    if any(filled(event.fields.get(name, ""), item.hint) for name in names):
        return True
    wanted = {ext.lower() for ext in detect.attachment_types}
    return any(a.extension in wanted for a in event.attachments)


def _remember(rule: IntakeValidation, event: TicketEvent, state: TicketState) -> None:
    """Items the applicant's notes supply, kept: a note event carries only its own note."""
    labels = [label for f in rule.fields for label in f.detect.labels]
    for text in event.supplements:
        values = form_values(text, labels)
        for item in rule.fields:
            if any(filled(values.get(label), item.hint) for label in item.detect.labels):
                state.flags.add(FOUND + item.name)


def _hold(rule: IntakeValidation, event: TicketEvent, state: TicketState, ctx: RuleContext,
          missing: dict[str, str], template: str, move: bool = True) -> list[Action]:
    tracker, ref = event.ref.tracker, event.ref
    state.flags -= {f for f in state.flags if f.startswith(MISSING)}
    state.flags |= {MISSING + name for name in missing}
    note = ctx.text(template, event, status=rule.incomplete_status,
                    missing="\n".join(f"— {title}" for title in missing.values()))
    actions = [Action("set_status", tracker, ref, {"status": rule.incomplete_status}, rule.type)]
    return [*(actions if move else []), Action("add_note", tracker, ref, {"body": note},
                                              rule.type)]


def _release(rule: IntakeValidation, event: TicketEvent, state: TicketState, ctx: RuleContext,
             *, move: bool) -> list[Action]:
    _forget(state)
    tracker, ref = event.ref.tracker, event.ref
    note = ctx.text("intake_complete", event, status=rule.complete_status)
    actions = [Action("set_status", tracker, ref, {"status": rule.complete_status}, rule.type)]
    return [*(actions if move else []), Action("add_note", tracker, ref, {"body": note},
                                              rule.type)]


def _applicant_answered(event: TicketEvent) -> bool:
    """The applicant wrote something, or moved the request themselves (Mantis records the
    feedback → new of reassign_on_feedback as the reporter's change)."""
    mover = event.changed_by.get("status")
    return bool(event.supplements) or (mover is not None and mover.name == event.author != "")


def _named(state: TicketState) -> set[str]:
    """Item names the last note to the applicant listed."""
    return {f[len(MISSING):] for f in state.flags if f.startswith(MISSING)}


def _forget(state: TicketState) -> None:
    state.flags -= {f for f in state.flags if f == WAITING or f.startswith(MISSING)}


def _with_advice(actions: list[Action], advice: str, event: TicketEvent) -> list[Action]:
    """One note per event: the §3.5 advice closes the note that holds or releases the request,
    so no note seems to accept a request another note holds (issue 20 item 9)."""
    if not advice:
        return actions
    for i, action in enumerate(actions):
        if action.kind == "add_note":
            body = f"{action.params['body']}\n\n{advice}"
            return [*actions[:i], replace(action, params={**action.params, "body": body}),
                    *actions[i + 1:]]
    return [*actions, Action("add_note", event.ref.tracker, event.ref, {"body": advice},
                             "intake_validation")]


def _advice(policy: AttachmentAdvice | None, event: TicketEvent, state: TicketState,
            ctx: RuleContext) -> str:
    """§3.5 on files, each kind of advice once per ticket and set of files: the note's text."""
    if policy is None or event.kind != "ticket" or not event.attachments:
        return ""
    files = event.attachments
    problems: list[str] = []
    total = sum(a.size for a in files)
    if total > policy.max_total_mb * 1024 * 1024:
        problems.append(ctx.text("intake_files_too_big", event,
                                 size=f"{total / 1024 / 1024:.1f}".replace(".", ","),
                                 limit=f"{policy.max_total_mb:g}"))
    odd = [a.name for a in files if a.extension in policy.other_image_types]
    if odd:
        problems.append(ctx.text("intake_files_format", event, files=", ".join(odd),
                                 types=", ".join(t.upper() for t in policy.screenshot_types
                                                 if t != "jpeg")))
    shots = [a for a in files if a.extension in policy.screenshot_types]
    if len(shots) > policy.archive_above:
        problems.append(ctx.text("intake_files_archive", event, count=len(shots),
                                 limit=policy.archive_above,
                                 archives=", ".join(policy.archive_types)))
    key = ADVISED + hashlib.sha256("\n".join(problems).encode()).hexdigest()[:12]
    if not problems or key in state.flags:
        return ""
    state.flags.add(key)
    return ctx.text("intake_files", event, problems="\n".join(f"— {p}" for p in problems))
