"""The heatmap drawing, from plain data to SVG, with no database.

The markup is parsed as XML so each assertion reads the picture's structure,
not its formatting.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

from dockerflow.django.admin import svg

NS = {"s": "http://www.w3.org/2000/svg"}
START = datetime(2026, 3, 4, 0, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def cells(status: str = "ok", failing: float = 0.0, count: int = 24) -> tuple:
    return tuple(
        svg.Cell(
            start=START + i * HOUR,
            end=START + (i + 1) * HOUR,
            status=status,
            failing=failing,
            runs=12,
            href=f"?bucket={i}",
        )
        for i in range(count)
    )


def heatmap(*rows: svg.Row, **kwargs: object) -> svg.Heatmap:
    return svg.Heatmap(
        rows=rows,
        start=START,
        end=START + 24 * HOUR,
        **kwargs,  # type: ignore[arg-type]
    )


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def rects_of(cell: ET.Element) -> list[ET.Element]:
    return cell.findall("s:rect", NS)


def test_one_cell_per_row_and_bucket_each_linking_to_its_bucket() -> None:
    picture = heatmap(svg.Row("web-1", cells()), svg.Row("web-2", cells()))
    root = parse(svg.render(picture))
    links = root.findall(".//s:a/s:g[@class='cell']/..", NS)
    assert len(root.findall(".//s:g[@class='cell']", NS)) == 48
    assert len(links) == 48
    assert links[5].get("href") == "?bucket=5"
    labels = [row.get("data-label") for row in root.findall("s:g[@class='row']", NS)]
    assert labels == ["web-1", "web-2"]


def test_a_short_failure_paints_a_sliver_not_the_whole_bucket() -> None:
    row = svg.Row("web-1", cells("error", failing=0.1, count=1))
    cell = parse(svg.render(heatmap(row))).find(".//s:g[@class='cell']", NS)
    assert cell is not None and cell.get("data-status") == "error"
    background, fill = rects_of(cell)
    assert background.get("fill") == svg.TINTS["error"]
    assert fill.get("fill") == svg.COLOURS["error"]
    assert float(fill.get("height", 0)) < float(background.get("height", 0)) / 5


def test_a_tiny_failure_stays_visible() -> None:
    row = svg.Row("web-1", cells("critical", failing=0.001, count=1))
    cell = parse(svg.render(heatmap(row))).find(".//s:g[@class='cell']", NS)
    assert cell is not None
    assert float(rects_of(cell)[1].get("height", 0)) == 2


def test_a_healthy_bucket_is_solid_and_an_empty_one_grey() -> None:
    row = svg.Row(
        "web-1", (*cells("ok", count=1), svg.Cell(START + HOUR, START + 2 * HOUR))
    )
    healthy, empty = parse(svg.render(heatmap(row))).findall(
        ".//s:g[@class='cell']", NS
    )
    assert [r.get("fill") for r in rects_of(healthy)] == [svg.COLOURS["ok"]]
    assert [r.get("fill") for r in rects_of(empty)] == [svg.NO_DATA]
    assert empty.get("data-status") == "none"
    title = empty.find("s:title", NS)
    assert title is not None and "no data" in (title.text or "")


def test_the_now_line_counts_failing_and_missing_hosts_apart() -> None:
    picture = heatmap(svg.Row("a", cells()), failing=3, hosts=100, missing=2)
    now = parse(svg.render(picture)).find("s:text[@class='now']", NS)
    assert now is not None and now.text == "3 of 100 hosts failing · 2 missing"
    assert now.get("fill") == svg.COLOURS["error"]
    calm = heatmap(svg.Row("a", cells()), failing=0, hosts=4)
    assert svg.summary(calm) == "0 of 4 hosts failing"


def test_a_missing_host_is_hatched_from_its_last_report() -> None:
    gone = START + 20 * HOUR
    picture = heatmap(svg.Row("web-9", cells(), missing_since=gone))
    root = parse(svg.render(picture))
    hatch = root.find(".//s:rect[@class='missing']", NS)
    assert hatch is not None
    assert hatch.get("fill") == "url(#dockerflow-missing)"
    assert float(hatch.get("x", 0)) == svg.LABEL_WIDTH + 20 * svg.CELL_WIDTH
    assert root.find(".//s:pattern[@id='dockerflow-missing']", NS) is not None


def test_deploys_are_marked_where_the_version_changed() -> None:
    deploy = svg.Deploy(START + 6 * HOUR + timedelta(minutes=30), "2026.3.4")
    root = parse(svg.render(heatmap(svg.Row("a", cells()), deploys=(deploy,))))
    marker = root.find(".//s:g[@class='deploy']", NS)
    assert marker is not None
    line = marker.find("s:line", NS)
    assert line is not None
    assert float(line.get("x1", 0)) == svg.LABEL_WIDTH + 6.5 * svg.CELL_WIDTH
    text = marker.find("s:text", NS)
    assert text is not None and "2026.3.4" in (text.text or "")


def test_labels_and_links_are_escaped() -> None:
    row = svg.Row('<script>"x"</script>', cells(count=1), href='?host=a&b="c"')
    markup = svg.render(heatmap(row))
    assert "<script>" not in markup
    root = parse(markup)  # still well-formed XML
    label = root.find(".//s:g[@class='row']", NS)
    assert label is not None and label.get("data-label") == '<script>"x"</script>'
    assert root.find(".//s:a[@href='?host=a&b=\"c\"']", NS) is not None


def test_an_empty_history_says_so() -> None:
    root = parse(svg.render(heatmap()))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "No heartbeat recorded yet." in texts


def test_many_hosts_get_compact_rows() -> None:
    rows = [svg.Row(f"web-{i}", cells()) for i in range(100)]
    root = parse(svg.render(heatmap(*rows)))
    assert len(root.findall(".//s:g[@class='cell']", NS)) == 2400
    assert int(root.get("height", 0)) < 100 * 16


def test_worst_ranks_statuses() -> None:
    assert svg.worst(["ok", "warning", "info"]) == "warning"
    assert svg.worst(["ok", "critical", "error"]) == "critical"
    assert svg.worst(["ok", "mystery"]) == "error"
    assert svg.worst([]) == ""
