"""The heartbeat heatmap as an HTML table: plain data in, markup out, no query.

The admin builds a ``Heatmap`` of local times from the history tables
(``picture.py``) and this module writes it, so the drawing is tested without
a database. A table, not an image: a screen reader reads it cell by cell
with its headers, the host names stay in view on a phone, and the
stylesheet (``history.css``) colours it from the admin's theme.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from html import escape

from ..times import clock, written

#: Statuses from best to worst; a cell takes the colour of its worst.
STATUSES = ("ok", "info", "warning", "error", "critical")
#: Rows of a picture with more rows than this are drawn compact.
COMPACT_AFTER = 30


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


def alarming(heatmap: Heatmap) -> bool:
    """A host failing or gone quiet: silence is never drawn as health."""
    return bool(heatmap.failing or heatmap.missing)


def failing_class(share: float) -> str:
    """The solid part of a cell, in tenths rounded up: a short failure stays
    visible, and no inline style is needed (a strict CSP allows none)."""
    share = min(max(share, 0.0), 1.0)
    return f"fail-{math.ceil(share * 10) * 10}" if share else ""


def _silent(row: Row, cell: Cell) -> bool:
    """No data in a bucket that ends after the host's last report."""
    return not cell.status and bool(row.missing_since and cell.end > row.missing_since)


def _tip(row: Row, cell: Cell, when: str) -> str:
    if _silent(row, cell) and row.missing_since:
        return (
            f"{row.label} · {when} · missing, last report {written(row.missing_since)}"
        )
    if not cell.status:
        return f"{row.label} · {when} · no data"
    text = f"{row.label} · {when} · {cell.status} · {cell.runs} runs"
    if cell.failing > 0:
        text += f" · failing {min(cell.failing, 1.0):.0%} of the time"
    return text


def _cell(row: Row, cell: Cell, when: str, deployed: bool) -> str:
    classes = ["cell"]
    if deployed:
        classes.append("deployed")
    if _silent(row, cell):
        classes.append("missing")
    status = escape(cell.status) or "none"
    fill = failing_class(cell.failing) if cell.status else ""
    inner = f'<span class="fill {fill}"></span>' if fill else ""
    inner += f'<span class="tip">{escape(_tip(row, cell, when))}</span>'
    if cell.href:
        inner = f'<a href="{escape(cell.href)}">{inner}</a>'
    return (
        f'<td class="{" ".join(classes)}" data-status="{status}"'
        f' data-start="{cell.start.isoformat()}">{inner}</td>'
    )


def _label(row: Row) -> str:
    name = escape(row.label)
    text = f'<a href="{escape(row.href)}">{name}</a>' if row.href else name
    if row.missing_since is not None:
        text += (
            '<span class="missing-mark"> missing since'
            f' <time datetime="{row.missing_since.isoformat()}">'
            f"{clock(row.missing_since)}</time></span>"
        )
    return f'<th scope="row" title="{name}">{text}</th>'


def _columns(heatmap: Heatmap) -> tuple[Cell, ...]:
    return heatmap.rows[0].cells if heatmap.rows else ()


def _head(heatmap: Heatmap, deployed: dict[int, list[Deploy]]) -> list[str]:
    columns = _columns(heatmap)
    what = "Check" if heatmap.kind == "checks" else "Host"
    days: list[tuple[str, int]] = []
    for cell in columns:
        day = f"{cell.start:%Y-%m-%d}"
        if days and days[-1][0] == day:
            days[-1] = (day, days[-1][1] + 1)
        else:
            days.append((day, 1))
    groups = "".join(f'<colgroup span="{n}"></colgroup>' for _d, n in days)
    parts = [
        f"<colgroup></colgroup>{groups}<thead>",
        '<tr class="days"><td class="corner"></td>',
    ]
    parts += [f'<th scope="colgroup" colspan="{n}">{d}</th>' for d, n in days]
    parts += [
        "</tr>",
        '<tr class="hours">',
        f'<th scope="col" class="corner">{what}</th>',
    ]
    for index, cell in enumerate(columns):
        marks = "".join(
            f'<span class="deploy-mark" title="{escape(d.version)}">▼'
            f'<span class="visually-hidden"> deploy of {escape(d.version)}'
            f" at {written(d.time)}</span></span>"
            for d in deployed.get(index, ())
        )
        parts.append(
            f'<th scope="col"><time datetime="{cell.start.isoformat()}">'
            f"{cell.start:%H}</time>{marks}</th>"
        )
    parts += ["</tr>", "</thead>"]
    return parts


def _deployed(heatmap: Heatmap) -> dict[int, list[Deploy]]:
    """The column each deploy happened in."""
    by_column: dict[int, list[Deploy]] = {}
    for deploy in heatmap.deploys:
        for index, cell in enumerate(_columns(heatmap)):
            if cell.start <= deploy.time < cell.end:
                by_column.setdefault(index, []).append(deploy)
    return by_column


def _deploy_list(heatmap: Heatmap) -> str:
    if not heatmap.deploys:
        return ""
    items = "".join(
        f'<li class="deploy"><span aria-hidden="true">▼ </span>'
        f"<strong>{escape(d.version)}</strong> from "
        f'<time datetime="{d.time.isoformat()}">{written(d.time)}</time></li>'
        for d in heatmap.deploys
    )
    return f'<ul class="dockerflow-deploys" aria-label="Deploys">{items}</ul>'


def render(heatmap: Heatmap) -> str:
    """The picture's grid and its deploys, ready to inline in the admin page."""
    if not heatmap.rows:
        return '<p class="dockerflow-empty">No heartbeat recorded yet.</p>'
    deployed = _deployed(heatmap)
    period = f"{written(heatmap.start)} to {written(heatmap.end)}"
    compact = " compact" if len(heatmap.rows) > COMPACT_AFTER else ""
    parts = [
        # Scrolled from the right, so the current hour is in view first.
        '<div class="dockerflow-scroll">',
        f'<table class="dockerflow-grid{compact}" data-kind="{escape(heatmap.kind)}">',
        f'<caption class="visually-hidden">Heartbeats of {len(heatmap.rows)}'
        f" {escape(heatmap.kind)}, hour by hour, {period}. {summary(heatmap)}.</caption>",
        *_head(heatmap, deployed),
        "<tbody>",
    ]
    whens = [
        f"{clock(c.start)} to {clock(c.end)} {c.start:%Z}" for c in _columns(heatmap)
    ]
    for row in heatmap.rows:
        parts.append(f'<tr class="row" data-label="{escape(row.label)}">{_label(row)}')
        parts.extend(
            _cell(row, cell, whens[i], i in deployed)
            for i, cell in enumerate(row.cells)
        )
        parts.append("</tr>")
    parts += ["</tbody></table></div>", _deploy_list(heatmap)]
    return "".join(parts)
