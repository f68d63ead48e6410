"""version.json loading: missing, valid, broken, and cached until it changes."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from dockerflow import version
from dockerflow.version import VersionFileError, get_version, get_version_async


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


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "version.json").mkdir()
    with pytest.raises(VersionFileError, match="cannot be read"):
        get_version(tmp_path)


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
    real_load = version._load
    monkeypatch.setattr(version, "_load", lambda p: reads.append(p) or real_load(p))
    assert get_version(tmp_path) == {"version": "1"}
    assert get_version(tmp_path) == {"version": "1"}
    assert len(reads) == 1
    path.write_text('{"version": "22"}')
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert get_version(tmp_path) == {"version": "22"}
    assert len(reads) == 2


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
