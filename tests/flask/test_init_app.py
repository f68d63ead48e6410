"""init_app: once per app, with a clear error the second time; a route per row
of the endpoint table."""

from __future__ import annotations

import flask
import pytest

import dockerflow_flask.app
from dockerflow.endpoints import ENDPOINTS, Endpoint
from dockerflow.flows import EndpointRequest
from dockerflow.replies import Reply
from dockerflow_flask import Dockerflow


@pytest.mark.parametrize("same", [True, False], ids=["same", "another"])
def test_a_second_init_app_says_what_is_wrong(same: bool) -> None:
    app = flask.Flask("twice")
    first = Dockerflow(app)
    second = first if same else Dockerflow()
    with pytest.raises(RuntimeError, match="already set up on the Flask app 'twice'"):
        second.init_app(app)
    # The first set-up still serves.
    assert app.test_client().get("/__lbheartbeat__").status_code == 200
    assert app.extensions["dockerflow"].extension is first


def test_one_extension_serves_several_apps() -> None:
    dockerflow = Dockerflow()
    apps = [flask.Flask(name) for name in ("one", "two")]
    for app in apps:
        dockerflow.init_app(app)
    for app in apps:
        assert app.test_client().get("/__lbheartbeat__/").status_code == 200


def _hello(asked: EndpointRequest) -> Reply:
    return Reply(200, {"hello": asked.method, "debug": asked.debug()})


async def _hello_async(asked: EndpointRequest) -> Reply:
    return _hello(asked)


HELLO = Endpoint("/__hello__", "hello", _hello, _hello_async, probe=False)


def test_a_new_row_of_the_table_is_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dockerflow_flask.app, "ENDPOINTS", (*ENDPOINTS, HELLO))
    app = flask.Flask("hello")
    Dockerflow(app)
    client = app.test_client()
    for path in HELLO.paths:
        assert client.get(path).get_json() == {"hello": "GET", "debug": False}
    assert client.head(HELLO.path).data == b""
    with app.test_request_context():
        assert flask.url_for("dockerflow.hello") == HELLO.path
