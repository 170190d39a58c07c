"""The dashboard's charts as inline SVG drawn on the server: nothing for the browser to fetch
or run. Every text in them (the tooltips) is escaped; the callers say what it is."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date

from markupsafe import Markup, escape

GREEN, YELLOW, ORANGE, RED = "#2da44e", "#d4a72c", "#e16f24", "#cf222e"
GREY, LIGHT, DARK, INK = "#d0d7de", "#9ecbff", "#0969da", "#57606a"
SERIES = ("#0969da", "#8250df", "#1a7f37", "#bf3989", "#9a6700", "#57606a")
SHORT, MEDIUM = 30, 240  # minutes a day: yellow up to, orange up to, red beyond
TICK = 5  # a day's width in a service's bar


def severity(minutes: float) -> str:
    """A day's colour by its outage minutes."""
    if minutes <= 0:
        return GREEN
    return YELLOW if minutes <= SHORT else ORANGE if minutes <= MEDIUM else RED


def defs() -> Markup:
    """What the services' bars share: a day without outage, drawn once for the page."""
    return Markup(f'<svg width="0" height="0" class="defs" aria-hidden="true"><defs>'
                  f'<pattern id="hdc-ok" width="{TICK}" height="20" '
                  f'patternUnits="userSpaceOnUse"><rect width="{TICK - 1}" height="20" '
                  f'fill="{GREEN}"/></pattern></defs></svg>')


def strip(days: Sequence[date], minutes: dict[date, float],
          title: Callable[[date, float], str]) -> Markup:
    """A service's days left to right: green, or coloured by the day's outage minutes."""
    width = TICK * len(days)
    parts = [f'<svg class="strip" viewBox="0 0 {width} 20" width="{width}" height="20" '
             f'role="img"><rect width="{width}" height="20" fill="url(#hdc-ok)"/>']
    for i, day in enumerate(days):
        down = minutes.get(day, 0.0)
        if down > 0:
            parts.append(f'<rect x="{i * TICK}" width="{TICK - 1}" height="20" '
                         f'fill="{severity(down)}"><title>{escape(title(day, down))}</title>'
                         f'</rect>')
    return Markup("".join(parts) + "</svg>")


def day_bars(points: Sequence[tuple[str, float]], target: float | None,
             label: Callable[[float], str]) -> Markup:
    """Each day's percentage as a bar from the chart's floor, the target as a dashed line;
    a day under the target is red. `points`: (tooltip, percent)."""
    width, height, left = 900, 220, 48
    values = [p for _, p in points]
    low = min([*values, *([target] if target is not None else []), 100.0])
    floor = max(0.0, math.floor(low - max(0.5, (100 - low) * 0.1)))
    floor = min(floor, 99.0)

    def y(percent: float) -> float:
        return round(10 + (100 - percent) / (100 - floor) * (height - 30), 1)

    step = min(30.0, (width - left) / max(1, len(points)))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img">']
    for tick in _ticks(floor, 100.0):
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y(tick)}" y2="{y(tick)}" '
                     f'stroke="{GREY}" stroke-width="0.5"/><text x="{left - 4}" '
                     f'y="{y(tick) + 4}" text-anchor="end">{escape(label(tick))}</text>')
    for i, (tip, percent) in enumerate(points):
        top = y(percent)
        parts.append(f'<rect x="{left + i * step:.1f}" y="{top}" '
                     f'width="{max(1.0, step - 1):.1f}" height="{max(1.0, y(floor) - top)}" '
                     f'fill="{_versus(percent, target)}"><title>{escape(tip)}</title></rect>')
    if target is not None:
        parts.append(f'<line class="target" x1="{left}" x2="{width}" y1="{y(target)}" '
                     f'y2="{y(target)}" stroke="{INK}" stroke-dasharray="6 4"/>')
    return Markup("".join(parts) + "</svg>")


def meter(parts: Sequence[tuple[float, str]], scale: float, marker: float | None = None,
          title: str = "", width: int = 200) -> Markup:
    """A small horizontal bar: `parts` (value, colour) laid from the left over `scale` (each
    from 0, the longest first, so shorter ones show on top), a mark at `marker`."""
    if scale <= 0:
        scale = 1.0
    found = [f'<svg class="meter" viewBox="0 0 {width} 14" width="{width}" height="14" '
             f'role="img"><title>{escape(title)}</title>'
             f'<rect width="{width}" height="14" fill="#f6f8fa"/>']
    for value, colour in sorted(parts, key=lambda p: -p[0]):
        found.append(f'<rect height="14" width="{min(width, width * value / scale):.1f}" '
                     f'fill="{colour}"/>')
    if marker is not None:
        x = min(width - 1.0, width * marker / scale)
        found.append(f'<rect x="{x:.1f}" width="2" height="14" fill="{RED}"/>')
    return Markup("".join(found) + "</svg>")


def stacked(columns: Sequence[tuple[str, Sequence[float]]]) -> Markup:
    """Each day's counts stacked (one colour a series, SERIES in order); `columns`: (tooltip,
    counts)."""
    width, height, left = 900, 160, 36
    top = max([sum(counts) for _, counts in columns] + [1])
    step = min(30.0, (width - left) / max(1, len(columns)))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img">',
             f'<text x="{left - 4}" y="14" text-anchor="end">{top:g}</text>',
             f'<line x1="{left}" x2="{width}" y1="{height - 10}" y2="{height - 10}" '
             f'stroke="{GREY}"/>']
    for i, (tip, counts) in enumerate(columns):
        base = float(height - 10)
        for k, count in enumerate(counts):
            if count <= 0:
                continue
            h = count / top * (height - 20)
            base -= h
            parts.append(f'<rect x="{left + i * step:.1f}" y="{base:.1f}" '
                         f'width="{max(1.0, step - 1):.1f}" height="{h:.1f}" '
                         f'fill="{SERIES[k % len(SERIES)]}"><title>{escape(tip)}</title></rect>')
    return Markup("".join(parts) + "</svg>")


def _versus(percent: float, target: float | None) -> str:
    """Red under the target; without one, orange for a day with any outage."""
    if target is not None:
        return RED if percent < target else GREEN
    return GREEN if percent >= 100 else ORANGE


def _ticks(floor: float, top: float) -> list[float]:
    """Three to six round values between the floor and the top."""
    span = top - floor
    step = next(s for s in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 25, 50) if span / s <= 6)
    first = math.ceil(floor / step) * step
    return [round(first + i * step, 2) for i in range(int((top - first) / step + 1e-9) + 1)]
