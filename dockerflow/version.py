"""Loading ``version.json``, cached until the file changes.

``get_version`` returns None when the file is missing and raises
``VersionFileError`` when it exists but can't be used; adapters turn that
into a JSON 500, never an HTML traceback.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import threading
from typing import Any

__all__ = ["VersionFileError", "clear_cache", "get_version", "get_version_async"]

VERSION_FILENAME = "version.json"


class VersionFileError(ValueError):
    """version.json exists but is unreadable, not JSON, or not a JSON object."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


_cache: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _load(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise VersionFileError(path, f"cannot be read ({exc.strerror or exc})") from exc
    try:
        data = json.loads(raw)
    except ValueError as exc:  # also UnicodeDecodeError
        raise VersionFileError(path, f"is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise VersionFileError(
            path, f"holds a JSON {type(data).__name__}, not an object"
        )
    return data


def get_version(root: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The contents of ``root/version.json``, or None when there is none.

    The parsed file is kept and re-read only when its size, modification
    time or inode change. Each call gets its own copy.
    """
    path = os.path.join(os.fspath(root), VERSION_FILENAME)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise VersionFileError(path, f"cannot be read ({exc.strerror or exc})") from exc
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    with _lock:
        cached = _cache.get(path)
    if cached is None or cached[0] != stamp:
        data = _load(path)
        with _lock:
            _cache[path] = (stamp, data)
    else:
        data = cached[1]
    return copy.deepcopy(data)


async def get_version_async(root: str | os.PathLike[str]) -> dict[str, Any] | None:
    """``get_version`` on a worker thread, for event loops that must not block."""
    return await asyncio.to_thread(get_version, root)
