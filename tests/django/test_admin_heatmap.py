"""The heatmap drawing, from plain data to an HTML table, with no database.

The markup is parsed as XML so each assertion reads the table's structure,
not its formatting.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from dockerflow.django.admin import heatmap as grid

START = datetime(2026, 3, 4, 0, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def cells(status: str = "ok", failing: float = 0.0, count: int = 24) -> tuple:
    return tuple(
        grid.Cell(
            start=START + i * HOUR,
            end=START + (i + 1) * HOUR,
            status=status,
            failing=failing,
            runs=12,
            href=f"?bucket={i}",
        )
        for i in range(count)
    )


def heatmap(*rows: grid.Row, **kwargs: object) -> grid.Heatmap:
    return grid.Heatmap(
        rows=rows,
        start=START,
        end=START + 24 * HOUR,
        **kwargs,  # type: ignore[arg-type]
    )


def parse(markup: str) -> ET.Element:
    return ET.fromstring(f"<div>{markup}</div>")


def tds(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//td[@data-status]")


def text(element: ET.Element) -> str:
    return "".join(element.itertext())


def test_one_cell_per_row_and_bucket_each_linking_to_its_bucket() -> None:
    picture = heatmap(grid.Row("web-1", cells()), grid.Row("web-2", cells()))
    root = parse(grid.render(picture))
    found = root.findall(".//td[@data-status]")
    assert len(found) == 48
    links = [td.find("a") for td in found]
    assert all(a is not None for a in links)
    assert links[5] is not None and links[5].get("href") == "?bucket=5"
    labels = [row.get("data-label") for row in root.findall(".//tr[@class='row']")]
    assert labels == ["web-1", "web-2"]


def test_each_row_and_column_has_a_header_a_screen_reader_reads() -> None:
    root = parse(grid.render(heatmap(grid.Row("web-1", cells(), href="?host=web-1"))))
    row = root.find(".//tr[@class='row']")
    assert row is not None
    header = row.find("th[@scope='row']")
    assert header is not None and text(header) == "web-1"
    hours = root.findall(".//tr[@class='hours']/th[@scope='col']")
    assert [text(h) for h in hours][:3] == ["Host", "00", "01"]
    assert len(hours) == 25
    caption = root.find(".//caption")
    assert caption is not None and "Heartbeats of 1 hosts" in text(caption)
    assert "UTC" in text(caption)


def test_a_cell_tells_its_host_hour_status_and_runs_in_text() -> None:
    row = grid.Row("web-1", cells("error", failing=0.25, count=1))
    tip = parse(grid.render(heatmap(row))).find(".//span[@class='tip']")
    assert tip is not None
    assert (
        tip.text
        == "web-1 · 00:00 to 01:00 UTC · error · 12 runs · failing 25% of the time"
    )


@pytest.mark.parametrize(
    ("share", "solid"),
    [(0.1, "fail-10"), (0.25, "fail-30"), (0.001, "fail-10"), (1.0, "fail-100")],
)
def test_only_the_failing_share_is_solid_and_a_short_one_stays_visible(
    share: float, solid: str
) -> None:
    row = grid.Row("web-1", cells("critical", failing=share, count=1))
    cell = parse(grid.render(heatmap(row))).find(".//td[@data-status='critical']")
    assert cell is not None
    fill = cell.find(".//span[@class]")
    assert fill is not None and fill.get("class") == f"fill {solid}"


def test_a_healthy_bucket_has_no_failing_part_and_an_empty_one_says_no_data() -> None:
    row = grid.Row(
        "web-1", (*cells("ok", count=1), grid.Cell(START + HOUR, START + 2 * HOUR))
    )
    healthy, empty = tds(parse(grid.render(heatmap(row))))
    assert healthy.get("data-status") == "ok"
    assert [s.get("class") for s in healthy.iter("span")] == ["tip"]
    assert empty.get("data-status") == "none"
    tip = empty.find(".//span[@class='tip']")
    assert tip is not None and "no data" in (tip.text or "")


def test_the_now_line_counts_failing_and_missing_hosts_apart() -> None:
    picture = heatmap(grid.Row("a", cells()), failing=3, hosts=100, missing=2)
    assert grid.summary(picture) == "3 of 100 hosts failing · 2 missing"
    calm = heatmap(grid.Row("a", cells()), failing=0, hosts=4)
    assert grid.summary(calm) == "0 of 4 hosts failing"
    assert not grid.alarming(calm)


def test_silence_alone_is_an_alarm() -> None:
    # Every host quiet, none failing when it went: not a healthy picture.
    silent = heatmap(grid.Row("a", cells()), failing=0, hosts=7, missing=7)
    assert grid.summary(silent) == "0 of 7 hosts failing · 7 missing"
    assert grid.alarming(silent)


def test_a_missing_host_is_hatched_from_its_last_report_and_says_so() -> None:
    gone = START + 20 * HOUR + timedelta(minutes=10)
    quiet = tuple(
        grid.Cell(c.start, c.end, href=c.href) if c.start >= gone else c
        for c in cells()
    )
    root = parse(grid.render(heatmap(grid.Row("web-9", quiet, missing_since=gone))))
    hatched = [td for td in tds(root) if "missing" in (td.get("class") or "")]
    assert [td.get("data-start") for td in hatched] == [
        (START + h * HOUR).isoformat() for h in (21, 22, 23)
    ]
    tip = hatched[0].find(".//span[@class='tip']")
    assert tip is not None and "missing, last report 2026-03-04 20:10 UTC" in (
        tip.text or ""
    )
    label = root.find(".//th[@scope='row']")
    assert label is not None and "missing since 20:10" in text(label)


def test_deploys_are_marked_in_their_hour_and_listed() -> None:
    deploy = grid.Deploy(START + 6 * HOUR + timedelta(minutes=30), "2026.3.4")
    root = parse(grid.render(heatmap(grid.Row("a", cells()), deploys=(deploy,))))
    marked = [td for td in tds(root) if "deployed" in (td.get("class") or "")]
    assert [td.get("data-start") for td in marked] == [(START + 6 * HOUR).isoformat()]
    listed = root.findall(".//li[@class='deploy']")
    assert len(listed) == 1
    assert text(listed[0]) == "▼ 2026.3.4 from 2026-03-04 06:30 UTC"


def test_labels_and_links_are_escaped() -> None:
    row = grid.Row('<script>"x"</script>', cells(count=1), href='?host=a&b="c"')
    markup = grid.render(heatmap(row))
    assert "<script>" not in markup
    root = parse(markup)  # still well-formed XML
    label = root.find(".//tr[@class='row']")
    assert label is not None and label.get("data-label") == '<script>"x"</script>'
    assert root.find(".//a[@href='?host=a&b=\"c\"']") is not None


def test_an_empty_history_says_so() -> None:
    root = parse(grid.render(heatmap()))
    assert text(root) == "No heartbeat recorded yet."


def test_many_hosts_get_compact_rows() -> None:
    rows = [grid.Row(f"web-{i}", cells()) for i in range(100)]
    root = parse(grid.render(heatmap(*rows)))
    assert len(root.findall(".//td[@data-status]")) == 2400
    table = root.find(".//table")
    assert table is not None and "compact" in (table.get("class") or "")


def test_worst_ranks_statuses() -> None:
    assert grid.worst(["ok", "warning", "info"]) == "warning"
    assert grid.worst(["ok", "critical", "error"]) == "critical"
    assert grid.worst(["ok", "mystery"]) == "error"
    assert grid.worst([]) == ""
