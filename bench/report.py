"""Figures from load-generator records, and the Markdown table comparing them with baselines."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

Stats = dict[str, Any]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _ms(values: Sequence[float]) -> Stats:
    return {"p50": percentile(values, 50) * 1000, "p99": percentile(values, 99) * 1000,
            "max": (max(values) if values else math.nan) * 1000}


def steady(result: dict[str, Any]) -> Stats:
    """Open loop: ack latency from the scheduled send time (and raw, from the actual one)."""
    window = [r for r in result["records"] if r[2] >= result["measure_from"]]
    ok = [r for r in window if 200 <= r[5] < 300]
    seconds = result["end"] - result["measure_from"]
    late = [r[3] - r[2] for r in window]
    return {"requests": len(window), "ok": len(ok), "failed": len(window) - len(ok),
            "offered_rate": len(window) / seconds if seconds > 0 else math.nan,
            "send_lag_p99_ms": percentile(late, 99) * 1000,
            **_ms([r[4] - r[2] for r in ok]),
            **{f"raw_{k}": v for k, v in _ms([r[4] - r[3] for r in ok]).items()},
            "reconnects": result["reconnects"], "errors": result["errors"]}


def peak(result: dict[str, Any]) -> Stats:
    """Closed loop: 2xx answers completed inside the measured window, per second."""
    start, end = result["measure_from"], result["end"]
    done = [r for r in result["records"] if start <= r[4] <= end]
    ok = [r for r in done if 200 <= r[5] < 300]
    return {"req_s": len(ok) / (end - start), "ok": len(ok), "failed": len(done) - len(ok),
            "concurrency": result["concurrency"], "seconds": end - start,
            **_ms([r[4] - r[3] for r in ok]), "errors": result["errors"]}


def effect(result: dict[str, Any], puts: dict[int, float]) -> Stats:
    """Webhook → effect: the stand-in receiving the issue's PUT minus the webhook's send time."""
    sent = {r[1]: (r[2], r[3]) for r in result["records"] if 200 <= r[5] < 300}
    matched = [iid for iid in sent if iid in puts]
    stats = _ms([puts[i] - sent[i][1] for i in matched])
    scheduled = _ms([puts[i] - sent[i][0] for i in matched])
    ack = _ms([r[4] - r[3] for r in result["records"] if 200 <= r[5] < 300])
    return {"events": len(result["records"]), "acked": len(sent), "effects": len(matched),
            **stats, "from_scheduled_p50": scheduled["p50"],
            "from_scheduled_p99": scheduled["p99"], "ack_p50": ack["p50"], "ack_p99": ack["p99"]}


def _num(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or math.isnan(a) or math.isnan(b) or b == 0:
        return None
    return a / b


def rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Table rows: metric, baseline, connector, ratio (connector/baseline), target, verdict."""
    out: list[dict[str, Any]] = []

    def row(metric: str, base: float | None, conn: float | None, target: str = "",
            ok: bool | None = None, digits: int = 1, ratio: bool = True) -> None:
        r = _ratio(conn, base) if ratio else None
        verdict = "" if ok is None else ("met" if ok else "MISSED")
        out.append({"metric": metric, "baseline": base, "connector": conn, "ratio": r,
                    "target": target, "verdict": verdict, "digits": digits, "compared": ratio})

    def get(*path: str) -> Any:
        node: Any = results
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return node

    def met(value: float | None, test: Any) -> bool | None:
        return None if value is None or math.isnan(value) else bool(test(value))

    for q in ("p50", "p99", "max"):
        b, c = get("steady", "baseline", q), get("steady", "connector", q)
        target, ok = ("< 50 ms", met(c, lambda v: v < 50)) if q == "p99" else ("", None)
        row(f"steady ack {q} (ms, from scheduled send)", b, c, target, ok)
    for q in ("p50", "p99"):
        row(f"steady ack {q} (ms, raw)", get("steady", "baseline", f"raw_{q}"),
            get("steady", "connector", f"raw_{q}"))
    base = get("peak", "baseline", "req_s")
    for key, label, floor in (("connector_worker", "connector + worker", 0.5),
                              ("receiver_alone", "receiver alone", 0.8)):
        c = get("peak", key, "req_s")
        r = _ratio(c, base)
        row(f"peak ingest, {label} (req/s)", base, c, f"≥ {floor}× baseline",
            met(r, lambda v, f=floor: v >= f), digits=0)
    b, c = get("drain", "baseline_worker", "per_s"), get("drain", "connector_worker", "per_s")
    row("backlog drain (events/s: first claim → none pending, polled)", b, c,
        "≥ 0.5× baseline", met(_ratio(c, b), lambda v: v >= 0.5), digits=0)
    row("backlog drain (events/s: first → last processed_at)",
        get("drain", "baseline_worker", "done_per_s"),
        get("drain", "connector_worker", "done_per_s"), digits=0)
    b, c = get("drain", "baseline_worker", "with_start_per_s"), \
        get("drain", "connector_worker", "with_start_per_s")
    row("backlog drain incl. process start (events/s)", b, c, digits=0)
    row("backlog drain, minimal worker in batches of 100 (context)",
        get("drain", "baseline_worker_100", "per_s"), get("drain", "connector_worker", "per_s"),
        digits=0)
    c = get("effect", "p50")
    row(f"webhook → effect p50 (ms, {get('effect', 'rate') or '?'} ev/s)", None, c, "< 15 ms",
        met(c, lambda v: v < 15), ratio=False)
    row("webhook → effect p99 (ms)", None, get("effect", "p99"), ratio=False)
    return out


def markdown(table: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table."""
    lines = ["| metric | baseline | connector | connector/baseline | target | verdict |",
             "|---|---:|---:|---:|---|---|"]
    for r in table:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        base = _num(r["baseline"], r["digits"]) if r["compared"] else "—"
        lines.append(f"| {r['metric']} | {base} | {_num(r['connector'], r['digits'])} | "
                     f"{ratio} | {r['target']} | {r['verdict']} |")
    return "\n".join(lines)
