"""Check levels and messages, shaped like Django's system-check messages.

A check returns a list of these. They compare, print and repr like
``django.core.checks`` messages, so code written for either works with both.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "INFO",
    "STATUSES",
    "WARNING",
    "CheckMessage",
    "Critical",
    "Debug",
    "Error",
    "Info",
    "Warning",
    "level_to_text",
]

DEBUG = 10
INFO = 20
WARNING = 30
ERROR = 40
CRITICAL = 50

#: Status text for each level; 0 means every check passed.
STATUSES: dict[int, str] = {
    0: "ok",
    DEBUG: "debug",
    INFO: "info",
    WARNING: "warning",
    ERROR: "error",
    CRITICAL: "critical",
}


def level_to_text(level: int) -> str:
    """The status word for a level, ``"unknown"`` for a level with no name."""
    return STATUSES.get(level, "unknown")


class CheckMessage:
    """One finding of a check: a text, a level, and an ID such as ``acme.E001``.

    Constructed as in python-dockerflow, ``CheckMessage(msg, level, hint,
    obj, id)``; custom checks normally use a subclass, which sets the level.
    Django's own ``django.core.checks.CheckMessage`` takes the level first.
    """

    #: Set by each subclass; a bare CheckMessage needs ``level=``.
    level: int

    def __init__(
        self,
        msg: str,
        level: int | None = None,
        hint: str | None = None,
        obj: Any = None,
        id: str | None = None,
    ) -> None:
        if level is not None:
            self.level = int(level)
        elif not hasattr(self, "level"):
            raise TypeError(
                "CheckMessage needs a level: pass level= or use Error, Warning, "
                "Info, Debug or Critical."
            )
        self.msg = msg
        self.hint = hint
        self.obj = obj
        self.id = id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CheckMessage):
            return NotImplemented
        return all(
            getattr(self, attr) == getattr(other, attr)
            for attr in ("level", "msg", "hint", "obj", "id")
        )

    def __hash__(self) -> int:
        return hash((self.level, self.msg, self.hint, self.id))

    def __str__(self) -> str:
        obj = "?" if self.obj is None else str(self.obj)
        id_part = f"({self.id}) " if self.id else ""
        hint = f"\n\tHINT: {self.hint}" if self.hint else ""
        return f"{obj}: {id_part}{self.msg}{hint}"

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}: level={self.level!r}, msg={self.msg!r}, "
            f"hint={self.hint!r}, obj={self.obj!r}, id={self.id!r}>"
        )

    def is_serious(self, level: int = ERROR) -> bool:
        return self.level >= level

    def is_silenced(self, silenced: Any = ()) -> bool:
        """Whether this message's ID is in ``silenced``."""
        return self.id in silenced


class _Leveled(CheckMessage):
    # Django's order, (msg, hint, obj, id), so a hint passed second stays a
    # hint; level= still overrides, as python-dockerflow allows.
    def __init__(
        self,
        msg: str,
        hint: str | None = None,
        obj: Any = None,
        id: str | None = None,
        *,
        level: int | None = None,
    ) -> None:
        super().__init__(msg, level=level, hint=hint, obj=obj, id=id)


class Debug(_Leveled):
    level = DEBUG


class Info(_Leveled):
    level = INFO


class Warning(_Leveled):
    level = WARNING


class Error(_Leveled):
    level = ERROR


class Critical(_Leveled):
    level = CRITICAL
