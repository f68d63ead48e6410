"""Logging never loses a record and never raises: one strict JSON line, always."""

from __future__ import annotations

import logging
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerflow.logging import JsonLogFormatter, SafeJSONEncoder
from tests.profiles import examples

from .conftest import make_record, strict_loads


class BrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")

    def __str__(self) -> str:
        raise RuntimeError("str exploded")


class BrokenMapping(dict):  # type: ignore[type-arg]
    def items(self) -> Any:
        raise RuntimeError("items exploded")

    def __len__(self) -> int:
        raise RuntimeError("len exploded")


def fields_of(formatter: JsonLogFormatter, record: logging.LogRecord) -> dict[str, Any]:
    out = strict_loads(formatter.format(record))
    assert out["EnvVersion"] == "2.0"
    return out["Fields"]  # type: ignore[no-any-return]


def test_unserialisable_value_becomes_its_repr(formatter: JsonLogFormatter) -> None:
    fields = fields_of(formatter, make_record(value={1, 2}, when=Decimal("1.5")))
    assert fields["value"] == "{1, 2}"
    assert fields["when"] == "Decimal('1.5')"


def test_value_whose_repr_raises_becomes_a_placeholder(
    formatter: JsonLogFormatter,
) -> None:
    assert fields_of(formatter, make_record(value=BrokenRepr()))["value"] == (
        "<unrepresentable BrokenRepr object>"
    )


def test_message_object_whose_str_raises(formatter: JsonLogFormatter) -> None:
    fields = fields_of(formatter, make_record(BrokenRepr()))
    assert fields["msg"] == "<unrepresentable BrokenRepr object>"
    assert fields["format_error"].startswith("RuntimeError")


def test_format_args_mismatch_keeps_raw_message_and_args(
    formatter: JsonLogFormatter,
) -> None:
    fields = fields_of(formatter, make_record("%s and %s", ("only one",)))
    assert fields["msg"] == "%s and %s"
    assert fields["args"] == ["only one"]
    assert fields["format_error"].startswith("TypeError")


def test_format_args_with_bad_type(formatter: JsonLogFormatter) -> None:
    fields = fields_of(formatter, make_record("%d items", ("many",)))
    assert (fields["msg"], fields["args"]) == ("%d items", ["many"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [(math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity")],
)
def test_nan_and_infinities_are_strict_json(
    formatter: JsonLogFormatter, value: float, expected: str
) -> None:
    fields = fields_of(formatter, make_record(value=value, nested={"v": [value]}))
    assert fields["value"] == expected
    assert fields["nested"] == {"v": [expected]}


def test_bytes(formatter: JsonLogFormatter) -> None:
    assert (
        fields_of(formatter, make_record(value=b"\x00\xffabc"))["value"]
        == "b'\\x00\\xffabc'"
    )


def test_reference_cycles(formatter: JsonLogFormatter) -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    mapping: dict[str, Any] = {"a": 1}
    mapping["self"] = mapping
    fields = fields_of(formatter, make_record(loop=loop, mapping=mapping))
    assert fields["loop"] == [1, "<cycle>"]
    assert fields["mapping"] == {"a": 1, "self": "<cycle>"}


def test_shared_but_not_cyclic_values_are_written_twice(
    formatter: JsonLogFormatter,
) -> None:
    shared = [1, 2]
    assert fields_of(formatter, make_record(value=[shared, shared]))["value"] == [
        [1, 2],
        [1, 2],
    ]


def test_very_deep_values(formatter: JsonLogFormatter) -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    fields = fields_of(formatter, make_record(value=deep))
    depth, node = 0, fields["value"]
    while isinstance(node, list):
        node, depth = node[0], depth + 1
    assert node == "<too deep>"
    assert depth == 62  # the envelope and Fields take two of the 64 levels


def test_very_large_values(formatter: JsonLogFormatter) -> None:
    big_text = "x" * 5_000_000
    fields = fields_of(
        formatter, make_record(text=big_text, items=list(range(200_000)))
    )
    assert fields["text"] == big_text
    assert len(fields["items"]) == 200_000


def test_very_large_values_in_the_sanitising_path_are_cut(
    formatter: JsonLogFormatter,
) -> None:
    items: list[Any] = [*list(range(50000)), math.nan]
    fields = fields_of(formatter, make_record(items=items))
    assert len(fields["items"]) == 10_001
    assert fields["items"][-1] == "<40001 more>"


def test_odd_mapping_keys(formatter: JsonLogFormatter) -> None:
    fields = fields_of(
        formatter, make_record(value={(1, 2): "t", None: "n", 1.5: "f", math.nan: "x"})
    )
    assert fields["value"] == {"(1, 2)": "t", "null": "n", "1.5": "f", '"NaN"': "x"}


def test_broken_mapping(formatter: JsonLogFormatter) -> None:
    fields = fields_of(formatter, make_record(value=BrokenMapping(a=1)))
    assert fields["value"] == "{'a': 1}"


def test_non_ascii_is_escaped(formatter: JsonLogFormatter) -> None:
    line = formatter.format(make_record("héllo \ud800 ✓"))
    assert line.isascii()
    assert strict_loads(line)["Fields"]["msg"] == "héllo \ud800 ✓"


def test_record_that_cannot_even_be_sanitised_still_gives_a_line(
    formatter: JsonLogFormatter,
) -> None:
    record = make_record("x")
    record.created = "not a number"  # type: ignore[assignment]
    record.name = BrokenRepr()  # type: ignore[assignment]
    out = strict_loads(formatter.format(record))
    assert out["Timestamp"] == 0
    assert out["Type"] == "<unrepresentable BrokenRepr object>"
    assert out["Fields"]["msg"] == "'x'"
    assert out["Severity"] == 3


def test_safe_json_encoder_falls_back_to_repr() -> None:
    assert SafeJSONEncoder().encode({"s": {1}}) == '{"s": "{1}"}'


def test_logging_through_a_handler_never_reports_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    logger = logging.getLogger("robust.handler")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("%s %s", 1, extra={"bad": BrokenRepr(), "nan": math.nan})
    finally:
        logger.removeHandler(handler)
    err = capsys.readouterr().err
    assert "--- Logging error ---" not in err
    assert (
        strict_loads(err.strip())["Fields"]["bad"]
        == "<unrepresentable BrokenRepr object>"
    )


# -- property-based fuzz -------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.binary(max_size=20),
    st.decimals(allow_nan=True),
    st.complex_numbers(),
    st.builds(BrokenRepr),
)
keys = st.one_of(
    st.text(max_size=10),
    st.integers(),
    st.floats(),
    st.none(),
    st.tuples(st.integers()),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.tuples(children, children),
        st.dictionaries(keys, children, max_size=5),
        st.frozensets(st.integers(), max_size=3),
    ),
    max_leaves=25,
)
extra_names = st.text(min_size=1, max_size=12).filter(
    lambda k: k not in JsonLogFormatter.EXCLUDED_LOGRECORD_ATTRS and k not in {"rid"}
)


#: 1,000 under the ci profile (make test); the fast default runs fewer.
FUZZ_EXAMPLES = examples(1000)
_fuzz_runs = [0]


def one_record_is_one_line_of_strict_json(
    msg: Any, args: Any, level: int, name: str, extra: dict[str, Any], with_exc: bool
) -> None:
    _fuzz_runs[0] += 1
    formatter = JsonLogFormatter(logger_name="fuzz")
    exc_info = None
    if with_exc:
        try:
            raise ValueError(msg)
        except ValueError as exc:
            exc_info = (type(exc), exc, exc.__traceback__)
    record = logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)
    record.__dict__.update(extra)
    out = strict_loads(formatter.format(record))
    assert out["Type"] == name
    assert out["Logger"] == "fuzz"
    assert isinstance(out["Fields"], dict)
    assert set(extra) <= set(out["Fields"])


fuzz = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)(
    given(
        msg=st.one_of(st.text(), values),
        args=st.one_of(
            st.just(()),
            st.tuples(values),
            st.tuples(values, values),
            st.tuples(
                st.dictionaries(st.text(max_size=5), values, min_size=1, max_size=3)
            ),
        ),
        level=st.integers(min_value=-10, max_value=100),
        name=st.text(max_size=30),
        extra=st.dictionaries(extra_names, values, max_size=6),
        with_exc=st.booleans(),
    )(one_record_is_one_line_of_strict_json)
)


def test_fuzz_every_record_is_one_line_of_strict_json() -> None:
    """At least FUZZ_EXAMPLES generated records (1,000 in CI), each formatted
    as one line of strict JSON; counted here, so the test holds alone and in
    any order."""
    before = _fuzz_runs[0]
    fuzz()
    assert _fuzz_runs[0] - before >= FUZZ_EXAMPLES
