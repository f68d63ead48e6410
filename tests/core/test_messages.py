"""Check messages behave like Django's system-check messages."""

from __future__ import annotations

import pytest

from dockerflow import checks, health


def test_levels_and_statuses() -> None:
    assert (
        checks.DEBUG,
        checks.INFO,
        checks.WARNING,
        checks.ERROR,
        checks.CRITICAL,
    ) == (10, 20, 30, 40, 50)
    assert [checks.level_to_text(level) for level in (0, 10, 20, 30, 40, 50, 35)] == [
        "ok",
        "debug",
        "info",
        "warning",
        "error",
        "critical",
        "unknown",
    ]
    assert checks.STATUSES[0] == "ok"


@pytest.mark.parametrize(
    ("cls", "level"),
    [
        (checks.Debug, 10),
        (checks.Info, 20),
        (checks.Warning, 30),
        (checks.Error, 40),
        (checks.Critical, 50),
    ],
)
def test_subclasses_set_their_level(cls: type[checks.CheckMessage], level: int) -> None:
    message = cls("text", hint="do this", id="acme.X001")
    assert message.level == level
    assert message.is_serious() is (level >= checks.ERROR)


def test_repr_str_and_equality_match_django() -> None:
    message = checks.Error("broken", hint="fix it", obj="thing", id="acme.E001")
    assert repr(message) == (
        "<Error: level=40, msg='broken', hint='fix it', obj='thing', id='acme.E001'>"
    )
    assert str(message) == "thing: (acme.E001) broken\n\tHINT: fix it"
    assert str(checks.Warning("plain")) == "?: plain"
    assert message == checks.Error("broken", hint="fix it", obj="thing", id="acme.E001")
    assert message != checks.Error("broken", id="acme.E001")
    assert message != "broken"
    assert (
        len(
            {
                message,
                checks.Error("broken", hint="fix it", obj="thing", id="acme.E001"),
            }
        )
        == 1
    )


def test_a_bare_message_needs_a_level() -> None:
    with pytest.raises(TypeError, match="needs a level"):
        checks.CheckMessage("text")
    with pytest.raises(ValueError):
        checks.CheckMessage("text", "high")  # type: ignore[arg-type]
    assert checks.CheckMessage("text", "45").level == 45  # type: ignore[arg-type]


def test_is_silenced() -> None:
    assert checks.Error("x", id="a.E1").is_silenced(["a.E1"])
    assert not checks.Error("x", id="a.E1").is_silenced()


def test_django_messages_are_the_same_shape() -> None:
    from django.core import checks as django_checks

    ours = checks.Error("broken", hint="fix it", id="acme.E001")
    theirs = django_checks.Error("broken", hint="fix it", id="acme.E001")
    assert (repr(ours), str(ours)) == (repr(theirs), str(theirs))


def test_health_ids_keep_python_dockerflow_values() -> None:
    assert health.ERROR_CANNOT_CONNECT_DATABASE == "dockerflow.health.E001"
    assert health.ERROR_REDIS_EXCEPTION == "dockerflow.health.E010"
    assert health.WARNING_UNAPPLIED_MIGRATION == "dockerflow.health.W001"
    assert health.INFO_CANT_CHECK_MIGRATIONS == "dockerflow.health.I001"
    ids = [v for k, v in vars(health).items() if k.isupper() and isinstance(v, str)]
    assert sorted(ids) == sorted(health.DESCRIPTIONS)
