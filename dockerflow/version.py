"""Loading ``version.json``: a small regular file, parsed and encoded once per change.

``load_version`` gives the parsed object with the body ``/__version__`` sends;
``get_version`` is python-dockerflow's API on top of it.
"""

from __future__ import annotations

import asyncio
import copy
import json
import math
import os
import stat
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NoReturn

from .safejson import encode_strict

__all__ = [
    "MAX_SIZE",
    "VersionFile",
    "VersionFileError",
    "clear_cache",
    "get_version",
    "get_version_async",
    "load_version",
    "loader_for",
    "looked_at",
]

VERSION_FILENAME = "version.json"

#: The largest version.json served, in bytes. A real one is under 1 KB; the
#: cap keeps a runaway file (or a link to /dev/zero) from eating memory.
MAX_SIZE = 64 * 1024

# Open flags: O_NONBLOCK so that a FIFO swapped in after the stat can't
# block the worker waiting for a writer; it changes nothing for a file.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class VersionFileError(ValueError):
    """version.json exists but can't be served: not a small regular file of
    strict JSON holding an object."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class VersionFile:
    """A parsed version.json: ``data`` (read-only) and ``body``, its strict
    JSON encoding as ``/__version__`` sends it."""

    path: str
    data: Mapping[str, Any]
    body: bytes


_Stamp = tuple[int, int, int]
_cache: dict[str, tuple[_Stamp, VersionFile]] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _stamp(st: os.stat_result) -> _Stamp:
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _cannot_read(path: str, exc: OSError) -> VersionFileError:
    return VersionFileError(path, f"cannot be read ({exc.strerror or exc})")


def _check_kind(path: str, st: os.stat_result) -> None:
    # Judged before opening: opening a FIFO or a device can block or have
    # side effects, and reading one may never end.
    if not stat.S_ISREG(st.st_mode):
        raise VersionFileError(path, "is not a regular file")
    if st.st_size > MAX_SIZE:
        raise VersionFileError(path, f"is larger than {MAX_SIZE} bytes")


def _read(path: str) -> tuple[bytes, os.stat_result]:
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _cannot_read(path, exc) from exc
    try:
        # The file we opened may not be the one we stat'ed: judge it again.
        st = os.fstat(fd)
        _check_kind(path, st)
        chunks: list[bytes] = []
        left = MAX_SIZE + 1  # one byte more tells a file that grew meanwhile
        while left > 0 and (chunk := os.read(fd, left)):
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise _cannot_read(path, exc) from exc
    finally:
        os.close(fd)
    if left <= 0:
        raise VersionFileError(path, f"is larger than {MAX_SIZE} bytes")
    return b"".join(chunks), st


def _reject_constant(name: str) -> NoReturn:
    # Python's json accepts NaN and Infinity; JSON doesn't.
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses to inf
        raise ValueError(f"{text} is out of range")
    return value


def _parse(path: str, raw: bytes) -> VersionFile:
    try:
        data = json.loads(
            raw, parse_constant=_reject_constant, parse_float=_finite_float
        )
        body = encode_strict(data)
    except RecursionError as exc:
        raise VersionFileError(path, "is nested too deeply") from exc
    except ValueError as exc:  # also UnicodeDecodeError
        raise VersionFileError(path, f"is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise VersionFileError(
            path, f"holds a JSON {type(data).__name__}, not an object"
        )
    return VersionFile(path, MappingProxyType(data), body)


def load_version(root: str | os.PathLike[str]) -> VersionFile | None:
    """``root/version.json`` parsed and encoded, or None when there is none.

    Only a regular file (or a link to one) of at most :data:`MAX_SIZE` bytes
    is read, and only strict JSON is accepted: NaN and Infinity are refused.
    The result is kept until the file's modification time, size or inode
    change, so serving it costs a ``stat``. Raises ``VersionFileError``.
    """
    path = os.path.join(os.fspath(root), VERSION_FILENAME)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _cannot_read(path, exc) from exc
    _check_kind(path, st)
    with _lock:
        cached = _cache.get(path)
    if cached is not None and cached[0] == _stamp(st):
        return cached[1]
    raw, st = _read(path)
    version = _parse(path, raw)
    with _lock:
        _cache[path] = (_stamp(st), version)
    return version


def get_version(root: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The contents of ``root/version.json``, or None when there is none.

    :func:`load_version`'s rules and cache apply; each call gets its own
    copy to change at will.
    """
    version = load_version(root)
    return None if version is None else copy.deepcopy(dict(version.data))


async def get_version_async(root: str | os.PathLike[str]) -> dict[str, Any] | None:
    """``get_version`` on a worker thread, for event loops that must not block."""
    return await asyncio.to_thread(get_version, root)


# The functions as defined here: a test that patches the module's names
# must reach its own stand-in, not load_version.
_DEFAULT_LOADERS = (get_version, get_version_async)


def loader_for(callback: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """What an endpoint should call for ``callback``: for the default loaders,
    :func:`load_version`, whose body is encoded once per file change."""
    return load_version if callback in _DEFAULT_LOADERS else callback


def looked_at(callback: Callable[[Any], Any], root: Any) -> str | None:
    """The absolute path of the file ``callback(root)`` reads, for the default
    loaders; None for any other callback, which may read anything."""
    if callback not in _DEFAULT_LOADERS and callback is not load_version:
        return None
    return os.path.abspath(os.path.join(os.fspath(root), VERSION_FILENAME))
