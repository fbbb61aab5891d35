"""The statistics as PNG charts, in the reader's language.

matplotlib is imported here, inside `render`, and nowhere else: it costs tens of megabytes,
which a bot that never draws a chart should not carry. Charts are drawn on the Agg canvas
directly (no pyplot and its global figure manager), one at a time, in a worker thread.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.i18n import Translator
from bot.stats.figures import INCIDENT_KINDS, Figures, IncidentKind, Reply, Verdict
from bot.stats.texts import KIND_NAMES, VERDICT_NAMES, duration, percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# 1280 x 720 pixels: Telegram shows photos up to 1280 on the long side.
WIDTH_INCHES, HEIGHT_INCHES, DPI = 10.0, 5.625, 128
# DejaVu Sans, shipped inside matplotlib (no system font needed), has every Vietnamese letter.
FONT = "DejaVu Sans"
GREEN, RED, ORANGE, GREY = "#59a14f", "#e15759", "#f28e2b", "#8c8c8c"
KIND_COLOURS: dict[IncidentKind, str] = dict(
    zip(
        INCIDENT_KINDS,
        ("#4e79a7", "#59a14f", "#f28e2b", "#e15759", "#b07aa1", "#76b7b2", "#bab0ac"),
        strict=True,
    )
)
VERDICT_COLOURS = {
    Verdict.MET: GREEN,
    Verdict.LATE: RED,
    Verdict.OPEN: ORANGE,
    Verdict.OVERDUE: RED,
}
# A reply hours late would flatten every other bar: taller ones are cut here and labelled.
REPLY_CAP_LIMITS = 4
# A wait this long reads better in hours than in minutes.
LONG_WAIT_MINUTES = 120
# Bars get their own labels up to this many; past it the axis names only some.
LABELLED_BARS = 20
# Past LABELLED_BARS, only this many of the longest waits cut at the cap are labelled.
DENSE_LABELS = 10
BAR_WIDTH = 0.7
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Chart:
    """One chart: what it shows, and the PNG."""

    name: str
    png: bytes


def render(figures: Figures, tr: Translator) -> list[Chart]:
    """The four charts of a period: incidents, reply times, cameras, EPZ outages."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    drawers: list[tuple[str, Callable[[Figure, Figures, Translator], None]]] = [
        ("incidents", _incidents),
        ("replies", _replies),
        ("cameras", _cameras),
        ("outages", _outages),
    ]
    charts = []
    # rcParams are global and matplotlib's caches are not made for two threads at once.
    with _LOCK, matplotlib.rc_context({"font.family": FONT, "font.size": 11}):
        for name, draw in drawers:
            figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
            FigureCanvasAgg(figure)
            draw(figure, figures, tr)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
            charts.append(Chart(name, buffer.getvalue()))
    return charts


def _title(axes: Axes, title: str, detail: str) -> None:
    axes.set_title(f"{title}\n{detail}", fontsize=13, loc="left")


def _empty(axes: Axes, tr: Translator) -> None:
    """Say there is nothing to show, where the chart would be."""
    axes.text(
        0.5,
        0.5,
        tr("No data for this period"),
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontsize=18,
        color=GREY,
    )
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(False)


def _every(count: int) -> int:
    """Label every n-th of `count` ticks so about a dozen labels show."""
    return max(1, math.ceil(count / 16))


def _incidents(figure: Figure, figures: Figures, tr: Translator) -> None:
    from matplotlib.ticker import MaxNLocator

    axes = figure.subplots()
    _title(
        axes,
        tr("Incidents by day and by kind"),
        f"{figures.period.name(tr)} · "
        + tr("{count} incidents").format(count=figures.incident_count),
    )
    days = sorted(figures.incidents)
    if not figures.incident_count:
        _empty(axes, tr)
        return
    positions = list(range(len(days)))
    bottom = [0] * len(days)
    for kind in INCIDENT_KINDS:
        counts = [figures.incidents[day][kind] for day in days]
        if not any(counts):
            continue
        axes.bar(
            positions,
            counts,
            bottom=bottom,
            width=0.8,
            color=KIND_COLOURS[kind],
            label=f"{tr(KIND_NAMES[kind])} ({figures.kinds[kind]})",
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    step = _every(len(days))
    axes.set_xticks(positions[::step], [f"{day:%d/%m}" for day in days[::step]])
    axes.set_xlim(-0.6, len(days) - 0.4)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(tr("Incidents"))
    axes.set_xlabel(tr("Shift"))
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=10)


def _replies(figure: Figure, figures: Figures, tr: Translator) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    axes = figure.subplots()
    limit = figures.reply_limit.total_seconds() / 60
    replies = figures.replies
    median = figures.median_reply()
    detail = tr("{count} requests · {late} past the limit").format(
        count=len(replies), late=figures.breaches
    )
    if median is not None:
        detail += " · " + tr("median {minutes} min").format(
            minutes=round(median.total_seconds() / 60)
        )
    _title(
        axes,
        tr("Time to the first reply against the {limit}-minute limit").format(limit=round(limit)),
        f"{figures.period.name(tr)} · {detail}",
    )
    if not replies:
        _empty(axes, tr)
        return
    minutes = [reply.waited.total_seconds() / 60 for reply in replies]
    cap = max(2 * limit, min(max(minutes) * 1.15, REPLY_CAP_LIMITS * limit))
    positions = list(range(len(replies)))
    heights = [min(value, cap) for value in minutes]
    if len(replies) <= LABELLED_BARS:
        _reply_bars(axes, positions, heights, replies)
        labelled = positions
    else:
        _reply_bars_dense(axes, positions, heights, replies)
        labelled = _longest(minutes, cap)
    for position in labelled:
        reply, value = replies[position], minutes[position]
        axes.annotate(
            f"{value:.0f}" if value < LONG_WAIT_MINUTES else duration(tr, reply.waited),
            (position, heights[position]),
            ha="center",
            va="bottom",
            fontsize=9,
            xytext=(0, 2),
            textcoords="offset points",
        )
    axes.axhline(limit, color=RED, linestyle="--", linewidth=2)
    if len(replies) <= LABELLED_BARS:
        labels = [
            f"{reply.label}\n{reply.delivered_at.astimezone(tr.tz):%d/%m}" for reply in replies
        ]
        axes.set_xticks(positions, labels, fontsize=8)
    else:
        step = _every(len(replies))
        axes.set_xticks(
            positions[::step],
            [f"{reply.delivered_at.astimezone(tr.tz):%d/%m}" for reply in replies[::step]],
        )
    axes.set_ylim(0, cap * 1.1)
    axes.set_ylabel(tr("Minutes to the first reply"))
    axes.set_xlabel(tr("Requests, in the order they were delivered"))
    axes.grid(axis="y", alpha=0.3)
    axes.legend(
        handles=[
            Patch(color=GREEN, label=tr("within the limit")),
            Patch(color=RED, label=tr("past the limit")),
            Patch(facecolor=GREY, hatch="//", edgecolor="white", label=tr("no reply yet")),
            Line2D([], [], color=RED, linestyle="--", linewidth=2, label=tr("the limit")),
        ],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=10,
    )


def _reply_bars(
    axes: Axes, positions: list[int], heights: list[float], replies: tuple[Reply, ...]
) -> None:
    """A bar per request, hatched while it waits for a reply."""
    bars = axes.bar(
        positions,
        heights,
        width=BAR_WIDTH,
        color=[RED if reply.breached else GREEN for reply in replies],
    )
    for bar, reply in zip(bars, replies, strict=True):
        if reply.replied_at is None:
            bar.set_hatch("//")
            bar.set_edgecolor("white")


def _reply_bars_dense(
    axes: Axes, positions: list[int], heights: list[float], replies: tuple[Reply, ...]
) -> None:
    """The same bars as two collections, answered and waiting: one artist each, not thousands.

    A quarter's few thousand bars as separate patches take seconds to lay out and draw.
    """
    from matplotlib.collections import PolyCollection

    half = BAR_WIDTH / 2
    for waiting in (False, True):
        chosen = [n for n, reply in enumerate(replies) if (reply.replied_at is None) is waiting]
        if not chosen:
            continue
        colours = [RED if replies[n].breached else GREEN for n in chosen]
        bars = PolyCollection(
            [
                [(x - half, 0), (x - half, h), (x + half, h), (x + half, 0)]
                for x, h in ((positions[n], heights[n]) for n in chosen)
            ],
            facecolors=colours,
            # Thinner than a pixel at this density: an edge of their own colour keeps them seen.
            edgecolors="white" if waiting else colours,
            linewidths=0.3,
            hatch="//" if waiting else None,
        )
        axes.add_collection(bars)
    axes.set_xlim(-0.6, len(replies) - 0.4)


def _longest(minutes: list[float], cap: float) -> list[int]:
    """The longest of the waits cut at the cap, apart enough that their labels do not overlap.

    The oldest requests still waiting have waited longest, side by side: each label keeps its
    own share of the axis.
    """
    spacing = len(minutes) / DENSE_LABELS
    chosen: list[int] = []
    for n in sorted(range(len(minutes)), key=lambda n: minutes[n], reverse=True):
        if minutes[n] <= cap or len(chosen) == DENSE_LABELS:
            break
        if all(abs(n - other) >= spacing for other in chosen):
            chosen.append(n)
    return sorted(chosen)


def _cameras(figure: Figure, figures: Figures, tr: Translator) -> None:
    axes = figure.subplots()
    total = figures.camera_total()
    detail = (
        tr("{percent}% up · down {down} in all · {faults} faults").format(
            percent=percent(tr, total.availability),
            down=duration(tr, total.down),
            faults=total.faults,
        )
        if total.availability is not None
        else tr("no camera was checked")
    )
    _title(axes, tr("Camera availability by area"), f"{figures.period.name(tr)} · {detail}")
    if total.availability is None:
        _empty(axes, tr)
        return
    areas = figures.areas
    positions = list(range(len(areas)))
    values = [area.time.availability or 0.0 for area in areas]
    axes.barh(positions, values, height=0.6, color="#4e79a7")
    for position, area, value in zip(positions, areas, values, strict=True):
        text = f"{percent(tr, value)}%" if area.time.availability is not None else tr("not checked")
        axes.text(min(value, 100) + 1, position, text, va="center", fontsize=10)
    axes.set_yticks(
        positions,
        [
            f"{area.area or tr('no area')} ("
            + tr.plural("{count} camera", "{count} cameras", area.cameras).format(
                count=area.cameras
            )
            + ")"
            for area in areas
        ],
    )
    axes.invert_yaxis()
    axes.set_xlim(0, 112)
    axes.set_xticks([0, 20, 40, 60, 80, 100])
    axes.set_xlabel(tr("Share of the checked time the cameras were up (%)"))
    axes.grid(axis="x", alpha=0.3)


def _outages(figure: Figure, figures: Figures, tr: Translator) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    outages = figures.outages
    axes = figure.subplots()
    _title(
        axes,
        tr("EPZ outages: repair time against the deadline"),
        f"{figures.period.name(tr)} · "
        + tr("{count} outages · {late} past the deadline").format(
            count=len(outages),
            late=figures.outage_count(Verdict.LATE) + figures.outage_count(Verdict.OVERDUE),
        ),
    )
    if not outages:
        _empty(axes, tr)
        return
    figure.set_figheight(max(HEIGHT_INCHES, min(12.0, 1.6 + 0.4 * len(outages))))
    positions = list(range(len(outages)))
    # A repair on the day of the notice takes no working day; a sliver still shows its colour.
    bars = axes.barh(
        positions,
        [max(outage.taken_days, 0.08) for outage in outages],
        height=0.6,
        color=[VERDICT_COLOURS[outage.verdict] for outage in outages],
    )
    for bar, outage in zip(bars, outages, strict=True):
        if outage.verdict in (Verdict.OPEN, Verdict.OVERDUE):
            bar.set_hatch("//")
            bar.set_edgecolor("white")
    deadlines = [(p, o.allowed_days) for p, o in zip(positions, outages, strict=True)]
    marked = [(p, days) for p, days in deadlines if days is not None]
    if marked:
        axes.scatter(
            [days for _, days in marked],
            [p for p, _ in marked],
            marker="|",
            s=700,
            linewidths=3,
            color="black",
            zorder=3,
        )
    widest = max(max(o.taken_days, o.allowed_days or 0) for o in outages)
    for position, outage in zip(positions, outages, strict=True):
        label = (
            f"{outage.taken_days}/{outage.allowed_days}"
            if outage.allowed_days is not None
            else str(outage.taken_days)
        )
        axes.text(
            max(outage.taken_days, outage.allowed_days or 0) + widest * 0.02 + 0.1,
            position,
            label,
            va="center",
            fontsize=10,
        )
    axes.set_yticks(
        positions,
        [
            _shorten(
                tr("No. {number}").format(number=outage.number)
                + f" · {outage.enterprise}"
                + (f" · {', '.join(outage.cameras)}" if outage.cameras else ""),
                42,
            )
            for outage in outages
        ],
        fontsize=9,
    )
    axes.invert_yaxis()
    axes.set_xlim(0, widest * 1.15 + 1)
    axes.set_xlabel(tr("Working days since the notice"))
    axes.grid(axis="x", alpha=0.3)
    shown = [v for v in Verdict if any(o.verdict is v for o in outages)]
    axes.legend(
        handles=[
            Patch(
                facecolor=VERDICT_COLOURS[verdict],
                hatch="//" if verdict in (Verdict.OPEN, Verdict.OVERDUE) else None,
                edgecolor="white",
                label=tr(VERDICT_NAMES[verdict]),
            )
            for verdict in shown
        ]
        + [
            Line2D(
                [],
                [],
                marker="|",
                markersize=16,
                markeredgewidth=3,
                linestyle="",
                color="black",
                label=tr("deadline"),
            )
        ],
        # Under the chart: the outages' names already take the left of it.
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncol=3,
        frameon=False,
        fontsize=10,
    )


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
