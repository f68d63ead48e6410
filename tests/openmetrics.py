"""Reading a scrape of ``/__metrics__`` back, for the metrics tests of every layer."""

from __future__ import annotations

from prometheus_client.openmetrics.parser import text_string_to_metric_families

#: Every sample of a scrape, by name and labels.
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample of an OpenMetrics ``text`` by name and labels; a
    repeated one fails the test."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = (sample.name, frozenset(sample.labels.items()))
            assert key not in found, f"duplicate series {key}"
            found[key] = sample.value
    return found
