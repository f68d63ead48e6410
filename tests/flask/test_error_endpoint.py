"""/__error__ on Flask: off by default, then only behind the heartbeat's token."""

from __future__ import annotations

import logging

from .conftest import MakeApp

ON = {"DOCKERFLOW_ERROR_ENDPOINT": "on", "DOCKERFLOW_HEARTBEAT_TOKEN": "s3cret"}
TOKEN = {"Authorization": "Bearer s3cret"}


def test_off_by_default(make_app: MakeApp) -> None:
    app, _ = make_app({"DOCKERFLOW_HEARTBEAT_TOKEN": "s3cret"})
    assert app.test_client().get("/__error__", headers=TOKEN).status_code == 404


def test_on_it_answers_strangers_404(make_app: MakeApp) -> None:
    app, _ = make_app(ON)
    response = app.test_client().get("/__error__")
    assert (response.status_code, response.get_json()) == (404, {"error": "Not Found"})


def test_on_it_raises_for_the_token(make_app: MakeApp, summaries) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app(ON)
    assert app.test_client().get("/__error__", headers=TOKEN).status_code == 500
    [record] = [r for r in summaries() if r.path == "/__error__"]
    assert (record.levelno, record.errno) == (logging.ERROR, 500)
    assert "on purpose" in record.getMessage()
