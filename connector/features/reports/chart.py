"""The report's picture for the chat: reliability per day against the target, and outage
minutes per service in the period — a PNG drawn with matplotlib's Agg canvas (no display, no
global pyplot state, safe in the worker's threads); DejaVu Sans, which matplotlib ships, has
Cyrillic. Every word on it comes from templates.yml; numbers are written as the team reads
them (a decimal comma)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from connector.features.reports.formats import number

SERVICES_SHOWN = 8  # the weakest zones; the rest are in the text report
TITLE_CHARS = 45
FONT = "DejaVu Sans"


@dataclass(frozen=True)
class ChartData:
    days: list[tuple[date, float]]  # reliability per day, per cent
    target: float | None
    services: list[tuple[str, float]]  # (title, outage minutes) of the period, most first


@dataclass(frozen=True)
class ChartWords:
    title: str  # the picture's: the report and its period
    days: str  # the upper panel's title
    target: str  # the target line's legend ("" without a target)
    services: str  # the lower panel's title
    nothing: str  # said in the lower panel when no service had an outage


def render(data: ChartData, words: ChartWords) -> bytes:
    """The PNG's bytes."""
    figure = Figure(figsize=(9, 7.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(words.title, fontfamily=FONT, fontsize="x-large")
    gs = figure.add_gridspec(2, 1, height_ratios=[3, 2])
    top, bottom = figure.add_subfigure(gs[0]), figure.add_subfigure(gs[1])  # own margins
    _days(top.subplots(), data, words)
    _services(bottom.subplots(), data, words)
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _days(ax: Axes, data: ChartData, words: ChartWords) -> None:
    xs = list(range(len(data.days)))
    values = [v for _, v in data.days]
    ax.plot(xs, values, marker="o", markersize=3, color="#1f77b4")
    if data.target is not None:
        ax.axhline(data.target, color="#d62728", linestyle="--",
                   label=words.target)
        ax.legend(loc="lower left", prop={"family": FONT})
    low = min([*values, data.target if data.target is not None else 100.0, 100.0])
    ax.set_ylim(max(0.0, low - max(0.5, (100 - low) * 0.1)), 100.2)
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _pos: number(v, 1)))
    step = max(1, len(xs) // 10)
    ax.set_xticks(xs[::step], [d.strftime("%d.%m") for d, _ in data.days][::step],
                  fontfamily=FONT)
    ax.set_title(words.days, fontfamily=FONT)
    ax.grid(True, alpha=0.3)


def _services(ax: Axes, data: ChartData, words: ChartWords) -> None:
    ax.set_title(words.services, fontfamily=FONT)
    shown = [(t, m) for t, m in data.services if m > 0][:SERVICES_SHOWN]
    if not shown:
        ax.text(0.5, 0.5, words.nothing, ha="center", va="center",
                fontfamily=FONT, transform=ax.transAxes)
        ax.set_axis_off()
        return
    titles = [_short(t) for t, _ in reversed(shown)]
    minutes = [m for _, m in reversed(shown)]
    bars = ax.barh(titles, minutes, color="#ff7f0e")
    ax.bar_label(bars, [number(m, 0) for m in minutes], padding=3,
                 fontfamily=FONT)
    ax.set_yticks(range(len(titles)), titles, fontfamily=FONT)
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _pos: number(v, 0)))
    ax.margins(x=0.15)


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…"
