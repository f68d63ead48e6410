"""Text as every database can store it, and names shortened to fit their column.

A check message or a version.json value may hold a NUL, which PostgreSQL
refuses in text and JSON, or a lone surrogate, which no UTF-8 database takes:
either would cost the whole run. Both become U+FFFD, the replacement character.
"""

from __future__ import annotations

import functools
import hashlib
import re

from .table import NAME_LENGTH

__all__ = ["fitted", "storable"]

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"
#: Hex digits of the hash a shortened name ends with, after a "~".
_DIGITS = 12


def storable(text: str) -> str:
    """``text`` with each NUL and lone surrogate replaced by U+FFFD."""
    return _UNSTORABLE.sub(REPLACEMENT, text)


@functools.lru_cache(maxsize=1024)
def fitted(name: str, length: int = NAME_LENGTH) -> str:
    """``name`` made storable and at most ``length`` characters long.

    A longer name keeps its start and ends with "~" and a hash of the whole
    name, so two long names that differ only at the end stay two names.
    Cached: the same few names come with every run.
    """
    name = storable(name)
    if len(name) <= length:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:_DIGITS]
    return f"{name[: length - _DIGITS - 1]}~{digest}"
