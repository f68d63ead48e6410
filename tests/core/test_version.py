"""version.json loading: missing, valid, broken, not a file, too big, and cached."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dockerflow import version
from dockerflow.safejson import encode_strict
from dockerflow.version import (
    MAX_SIZE,
    VersionFileError,
    get_version,
    get_version_async,
    load_version,
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    version.clear_cache()


def write(root: Path, text: str | bytes) -> Path:
    path = root / "version.json"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_missing_file_gives_none(tmp_path: Path) -> None:
    assert get_version(tmp_path) is None
    assert get_version(str(tmp_path)) is None


def test_valid_file(tmp_path: Path) -> None:
    data = {
        "source": "https://example.com/repo",
        "version": "1.0",
        "commit": "abc",
        "build": "1",
        "numbers": [1.5, -2e10, 0],
    }
    write(tmp_path, json.dumps(data))
    assert get_version(tmp_path) == data


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "is not valid JSON"),
        ("", "is not valid JSON"),
        (b"\xff\xfe\x00", "is not valid JSON"),
        ("[1, 2]", "holds a JSON list, not an object"),
        ('"text"', "holds a JSON str, not an object"),
        ("null", "holds a JSON NoneType, not an object"),
        ('{"version": NaN}', "NaN is not a JSON number"),
        ('{"version": Infinity}', "Infinity is not a JSON number"),
        ('{"a": [-Infinity]}', "-Infinity is not a JSON number"),
        ('{"version": 1e400}', "1e400 is out of range"),
        ("[" * 60_000 + "]" * 10, "is nested too deeply"),
    ],
)
def test_broken_file_raises_one_clear_error(
    tmp_path: Path, text: str, reason: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(VersionFileError) as info:
        get_version(tmp_path)
    assert reason in str(info.value)
    assert info.value.path == str(path)
    assert isinstance(info.value, ValueError)


def test_directory_in_its_place(tmp_path: Path) -> None:
    (tmp_path / "version.json").mkdir()
    with pytest.raises(VersionFileError, match="is not a regular file"):
        get_version(tmp_path)


def finishes(func: Callable[[], Any], seconds: float = 10) -> Any:
    """``func()``'s result or exception, failing the test if it blocks."""
    outcome: list[Any] = []

    def call() -> None:
        try:
            outcome.append(func())
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still blocked after {seconds} s"
    return outcome[0]


def test_file_gone_between_stat_and_open(tmp_path: Path) -> None:
    with pytest.raises(VersionFileError, match="cannot be read"):
        version._read(str(tmp_path / "version.json"))


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "version.json")
    error = finishes(lambda: get_version(tmp_path))
    assert isinstance(error, VersionFileError)
    assert error.reason == "is not a regular file"


def test_fifo_swapped_in_after_the_stat_does_not_block(tmp_path: Path) -> None:
    # The file judged by stat was replaced before open: open and read must
    # still not wait for a writer.
    fifo = tmp_path / "version.json"
    os.mkfifo(fifo)
    error = finishes(lambda: version._read(str(fifo)))
    assert isinstance(error, VersionFileError)
    assert error.reason == "is not a regular file"


def test_link_to_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "version.json").symlink_to("/dev/zero")
    error = finishes(lambda: get_version(tmp_path))
    assert isinstance(error, VersionFileError)
    assert error.reason == "is not a regular file"


def test_link_to_a_regular_file_is_followed(tmp_path: Path) -> None:
    target = tmp_path / "build-42.json"
    target.write_text('{"version": "42"}')
    (tmp_path / "version.json").symlink_to(target)
    assert get_version(tmp_path) == {"version": "42"}


def test_size_cap(tmp_path: Path) -> None:
    padding = MAX_SIZE - len('{"v":""}')
    write(tmp_path, '{"v":"' + "x" * padding + '"}')
    data = get_version(tmp_path)
    assert data is not None and len(data["v"]) == padding
    write(tmp_path, '{"v":"' + "x" * (padding + 1) + '"}')
    with pytest.raises(VersionFileError) as info:
        get_version(tmp_path)
    assert info.value.reason == f"is larger than {MAX_SIZE} bytes"


def test_read_stops_at_the_cap_whatever_stat_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file that grows between fstat and read is still read only up to the
    # cap (plus the byte that tells it grew).
    write(tmp_path, b" " * (10 * MAX_SIZE))
    monkeypatch.setattr(version, "_check_kind", lambda path, st: None)
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(
        version.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n)
    )
    with pytest.raises(VersionFileError, match="is larger than"):
        get_version(tmp_path)
    assert sum(reads) <= MAX_SIZE + 1


def test_root_that_is_a_file(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(VersionFileError, match="cannot be read"):
        get_version(not_a_dir)


def test_cached_until_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '{"version": "1"}')
    reads: list[str] = []
    real_read = version._read
    monkeypatch.setattr(version, "_read", lambda p: reads.append(p) or real_read(p))
    assert get_version(tmp_path) == {"version": "1"}
    assert get_version(tmp_path) == {"version": "1"}
    assert len(reads) == 1
    path.write_text('{"version": "22"}')
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert get_version(tmp_path) == {"version": "22"}
    assert len(reads) == 2


def test_body_encoded_once_per_change(tmp_path: Path) -> None:
    path = write(tmp_path, '{ "version" : "1",\n "build": 7 }')
    first = load_version(tmp_path)
    assert first is not None
    assert first.body == b'{"version":"1","build":7}' == encode_strict(dict(first.data))
    assert load_version(tmp_path) is first
    path.write_text('{"version": "2"}')
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = load_version(tmp_path)
    assert second is not None and second.body == b'{"version":"2"}'


def test_cached_data_is_read_only(tmp_path: Path) -> None:
    write(tmp_path, '{"version": "1"}')
    loaded = load_version(tmp_path)
    assert loaded is not None
    with pytest.raises(TypeError):
        loaded.data["version"] = "2"  # type: ignore[index]


def test_callers_get_their_own_copy(tmp_path: Path) -> None:
    write(tmp_path, '{"version": "1", "nested": {"a": 1}}')
    first = get_version(tmp_path)
    assert first is not None
    first["nested"]["a"] = 2
    assert get_version(tmp_path) == {"version": "1", "nested": {"a": 1}}


def test_broken_file_fixed_later(tmp_path: Path) -> None:
    path = write(tmp_path, "{")
    with pytest.raises(VersionFileError):
        get_version(tmp_path)
    path.write_text('{"version": "2"}')
    assert get_version(tmp_path) == {"version": "2"}


def test_async_variant(tmp_path: Path) -> None:
    write(tmp_path, '{"version": "3"}')
    assert asyncio.run(get_version_async(tmp_path)) == {"version": "3"}
