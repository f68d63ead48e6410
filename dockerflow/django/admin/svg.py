"""The heartbeat heatmap as SVG: plain data in, markup out, no query and no Django.

The admin builds a ``Heatmap`` from the history tables (``picture.py``) and
this module draws it, so the drawing is tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

#: Statuses from best to worst; a cell takes the colour of its worst.
STATUSES = ("ok", "info", "warning", "error", "critical")
#: Status colours, readable as fills on white and against each other.
COLOURS = {
    "ok": "#2e8540",
    "info": "#3f7fbf",
    "warning": "#e59b0e",
    "error": "#d7301f",
    "critical": "#7a0019",
}
#: A pale tint of each colour: the part of a cell that was not failing.
TINTS = {
    "ok": "#2e8540",
    "info": "#3f7fbf",
    "warning": "#f8dfae",
    "error": "#f5c0b9",
    "critical": "#e3b3bd",
}
NO_DATA = "#d9d9d9"
MISSING = "#8c8c8c"

LABEL_WIDTH = 170
CELL_WIDTH = 30
GAP = 2
TOP = 42  # the summary line, then the deploy labels
AXIS = 22


@dataclass(frozen=True)
class Cell:
    """One bucket of one row."""

    start: datetime
    end: datetime
    #: The worst status of the bucket's runs; "" when nothing reported.
    status: str = ""
    #: The share of the bucket spent failing, from 0 to 1.
    failing: float = 0.0
    runs: int = 0
    href: str = ""


@dataclass(frozen=True)
class Row:
    """A host (or a check) and its buckets, oldest first."""

    label: str
    cells: tuple[Cell, ...]
    #: Set when the host stopped reporting: the time it was last heard from.
    missing_since: datetime | None = None
    href: str = ""


@dataclass(frozen=True)
class Deploy:
    """The first time a version was seen in the window."""

    time: datetime
    version: str


@dataclass(frozen=True)
class Heatmap:
    rows: tuple[Row, ...]
    start: datetime
    end: datetime
    deploys: tuple[Deploy, ...] = ()
    #: Hosts whose latest run failed, and every host that reports.
    failing: int = 0
    hosts: int = 0
    missing: int = 0
    #: What the rows are: "hosts" or "checks".
    kind: str = "hosts"
    time_format: str = "%H:%M"


def worst(statuses: list[str] | tuple[str, ...]) -> str:
    """The worst of ``statuses`` (unknown words count as errors), "" for none."""
    ranks = [STATUSES.index(s) if s in STATUSES else 3 for s in statuses if s]
    return STATUSES[max(ranks)] if ranks else ""


def summary(heatmap: Heatmap) -> str:
    """The "now" line: "k of N hosts failing", and the missing ones apart."""
    text = f"{heatmap.failing} of {heatmap.hosts} hosts failing"
    if heatmap.missing:
        text += f" · {heatmap.missing} missing"
    return text


def _row_height(rows: int) -> int:
    # Dozens of replicas must still fit on a screen: rows shrink, never vanish.
    return 18 if rows <= 30 else 12


def _x(heatmap: Heatmap, when: datetime) -> float:
    span = (heatmap.end - heatmap.start).total_seconds() or 1.0
    share = (when - heatmap.start).total_seconds() / span
    columns = max(len(heatmap.rows[0].cells), 1) if heatmap.rows else 24
    return LABEL_WIDTH + min(max(share, 0.0), 1.0) * columns * CELL_WIDTH


def _attrs(**values: object) -> str:
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for name, value in values.items()
    )


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}"/>'


def _cell(cell: Cell, x: int, y: int, height: int, label: str, when: str) -> str:
    # Thousands of cells per page: plain f-strings, and the label and the
    # bucket's text escaped once by the caller.
    width = CELL_WIDTH - GAP
    status = escape(cell.status)
    if not cell.status:
        tooltip = f"{label} · {when} · no data"
        shapes = _rect(x, y, width, height, NO_DATA)
    else:
        failing = min(max(cell.failing, 0.0), 1.0)
        tooltip = f"{label} · {when} · {status} · {cell.runs} runs"
        shapes = _rect(x, y, width, height, TINTS.get(cell.status, TINTS["error"]))
        if failing:
            tooltip += f" · failing {failing:.0%} of the time"
            # Only the failing share is painted solid, from the bottom up, so
            # one short failure shows as a sliver and not as a red hour.
            fill = max(round(height * failing, 1), 2)
            colour = COLOURS.get(cell.status, COLOURS["error"])
            shapes += _rect(x, round(y + height - fill, 1), width, fill, colour)
    group = (
        f'<g class="cell" data-status="{status or "none"}" data-start="{cell.start.isoformat()}">'
        f"<title>{tooltip}</title>{shapes}</g>"
    )
    if cell.href:
        return f'<a href="{escape(cell.href)}">{group}</a>'
    return group


def _row(
    heatmap: Heatmap, row: Row, y: int, height: int, whens: list[str]
) -> list[str]:
    room = 15 if row.missing_since else 24
    label = row.label if len(row.label) <= room else row.label[: room - 1] + "…"
    colour = "#333333"
    if row.missing_since:
        label, colour = f"{label} (missing)", MISSING
    text = f"<text{_attrs(x=LABEL_WIDTH - 8, y=y + height - 4, text_anchor='end', fill=colour)}>"
    text += f"{escape(label)}<title>{escape(row.label)}</title></text>"
    if row.href:
        text = f'<a href="{escape(row.href)}">{text}</a>'
    parts = [f'<g class="row" data-label="{escape(row.label)}">', text]
    name = escape(row.label)
    for index, (cell, when) in enumerate(zip(row.cells, whens, strict=False)):
        parts.append(
            _cell(cell, LABEL_WIDTH + index * CELL_WIDTH, y, height, name, when)
        )
    if row.missing_since is not None:
        # Hatched from the last report on: silence is not the same as failing.
        start = _x(heatmap, row.missing_since)
        end = _x(heatmap, heatmap.end)
        parts.append(
            '<rect class="missing"'
            + _attrs(
                x=round(start, 1),
                y=y,
                width=round(max(end - start, 3), 1),
                height=height,
                fill="url(#dockerflow-missing)",
            )
            + f"><title>{escape(row.label)} missing since {row.missing_since:%Y-%m-%d %H:%M}</title></rect>"
        )
    parts.append("</g>")
    return parts


def _axis(heatmap: Heatmap, y: int) -> list[str]:
    parts = ['<g class="axis" fill="#555555">']
    columns = len(heatmap.rows[0].cells) if heatmap.rows else 0
    step = max(columns // 8, 1)
    for index, cell in enumerate(heatmap.rows[0].cells if heatmap.rows else ()):
        if index % step == 0:
            x = LABEL_WIDTH + index * CELL_WIDTH
            parts.append(
                f"<text{_attrs(x=x, y=y + 14)}>{cell.start.strftime(heatmap.time_format)}</text>"
            )
    parts.append("</g>")
    return parts


def _deploys(heatmap: Heatmap, bottom: int) -> list[str]:
    parts = ['<g class="deploys">']
    for deploy in heatmap.deploys:
        x = round(_x(heatmap, deploy.time), 1)
        title = f"<title>version {escape(deploy.version)} from {deploy.time:%Y-%m-%d %H:%M}</title>"
        label = (
            deploy.version if len(deploy.version) <= 12 else deploy.version[:11] + "…"
        )
        parts.append(
            '<g class="deploy">'
            + title
            + f"<line{_attrs(x1=x, y1=TOP - 4, x2=x, y2=bottom, stroke='#1d3f72', stroke_width=1.5, stroke_dasharray='4 2')}/>"
            + f"<text{_attrs(x=x + 3, y=TOP - 6, fill='#1d3f72')}>▼ {escape(label)}</text></g>"
        )
    parts.append("</g>")
    return parts


def render(heatmap: Heatmap) -> str:
    """The whole picture as one ``<svg>`` element, ready to inline in HTML."""
    height = _row_height(len(heatmap.rows))
    columns = len(heatmap.rows[0].cells) if heatmap.rows else 0
    width = LABEL_WIDTH + max(columns, 8) * CELL_WIDTH + 60
    bottom = TOP + len(heatmap.rows) * (height + GAP)
    total = bottom + AXIS
    line = summary(heatmap)
    alarm = COLOURS["error"] if heatmap.failing else COLOURS["ok"]
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="dockerflow-heatmap"'
        + _attrs(
            width=width,
            height=total,
            viewBox=f"0 0 {width} {total}",
            font_family="sans-serif",
            font_size=11,
            role="img",
            data_kind=heatmap.kind,
        )
        + ">",
        f"<title>Heartbeats of {len(heatmap.rows)} {escape(heatmap.kind)}, "
        f"{heatmap.start:%Y-%m-%d %H:%M} to {heatmap.end:%H:%M}. {escape(line)}</title>",
        '<defs><pattern id="dockerflow-missing" width="6" height="6"'
        ' patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#eeeeee"/><rect width="3" height="6" fill="{MISSING}"/>'
        "</pattern></defs>",
        f'<text class="now"{_attrs(x=0, y=16, font_size=14, font_weight="bold", fill=alarm)}>'
        f"{escape(line)}</text>",
    ]
    if not heatmap.rows:
        parts.append(
            f"<text{_attrs(x=0, y=TOP + 12, fill='#555555')}>No heartbeat recorded yet.</text>"
        )
    # Every row has the same buckets: their text is written once.
    whens = [
        escape(f"{c.start:%Y-%m-%d %H:%M} to {c.end:%H:%M}")
        for c in (heatmap.rows[0].cells if heatmap.rows else ())
    ]
    for index, row in enumerate(heatmap.rows):
        parts.extend(_row(heatmap, row, TOP + index * (height + GAP), height, whens))
    if heatmap.rows:
        parts.extend(_axis(heatmap, bottom))
    parts.extend(_deploys(heatmap, bottom))
    parts.append("</svg>")
    return "".join(parts)
