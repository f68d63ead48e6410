"""Run an app under a real server in a subprocess, talk HTTP to it, read its stdout.

``serve`` starts the command, waits until the port answers, and always stops
the process; ``Server.records`` parses every stdout line as strict mozlog.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

MOZLOG_KEYS = {
    "Timestamp",
    "Type",
    "Logger",
    "Hostname",
    "EnvVersion",
    "Severity",
    "Pid",
    "Fields",
}


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return strict_loads(self.body.decode())


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict_loads(text: str) -> Any:
    """RFC 8259 JSON only: Python's json module would accept NaN and Infinity."""
    return json.loads(text, parse_constant=_reject_constant)


def request(
    port: int,
    path: str,
    method: str = "GET",
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = (),
    timeout: float = 15.0,
) -> Response:
    """One request on a fresh connection; ``headers`` as pairs may repeat a name."""
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        skip_host = any(name.lower() == "host" for name, _ in pairs)
        conn.putrequest(method, path, skip_host=skip_host, skip_accept_encoding=True)
        for name, value in pairs:
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    logger_name: str

    def request(self, path: str, method: str = "GET", **kwargs: Any) -> Response:
        return request(self.port, path, method, **kwargs)

    def repeat(
        self, path: str, count: int, headers: Mapping[str, str] | None = None
    ) -> dict[int, int]:
        """``count`` GETs of ``path`` on one kept-alive connection (reopened
        whenever the server closes it); how many got each status."""
        statuses: dict[int, int] = {}
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            for _ in range(count):
                conn.request("GET", path, headers=dict(headers or {}))
                resp = conn.getresponse()
                resp.read()
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
        finally:
            conn.close()
        return statuses

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def records(self, since: int = 0) -> list[dict[str, Any]]:
        """The records on stdout from line ``since`` on, each line asserted to
        be one strict mozlog JSON object from this app."""
        text = self.stdout()
        complete = text[: text.rfind("\n") + 1]  # a line still being written waits
        records = []
        for number, line in enumerate(complete.splitlines()[since:], since + 1):
            try:
                record = strict_loads(line)
            except ValueError as exc:
                raise AssertionError(
                    f"stdout line {number} is not JSON: {line!r}"
                ) from exc
            assert isinstance(record, dict) and set(record) == MOZLOG_KEYS, line
            assert record["Logger"] == self.logger_name, line
            assert record["EnvVersion"] == "2.0" and isinstance(record["Fields"], dict)
            records.append(record)
        return records

    def line_count(self) -> int:
        return self.stdout().count("\n")

    def wait_for(
        self, predicate: Any, since: int = 0, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """The records since line ``since``, once one matches ``predicate``:
        servers may write a request's records just after answering it."""
        deadline = time.monotonic() + timeout
        while True:
            records = self.records(since)
            if any(predicate(r) for r in records) or time.monotonic() > deadline:
                return records
            time.sleep(0.05)

    def summaries(self, rid: str, since: int = 0) -> list[dict[str, Any]]:
        """The request.summary records carrying ``rid``."""
        records = self.wait_for(lambda r: is_summary(r, rid), since)
        return [r for r in records if is_summary(r, rid)]

    def serving_pid(self) -> int:
        """The process that answers requests: gunicorn's one worker, or the
        server itself when it has no children."""
        children = _children(self.process.pid)
        assert len(children) <= 1, children
        return children[0] if children else self.process.pid

    def workers(self) -> list[int]:
        """The pids of the server's children: gunicorn's workers."""
        return _children(self.process.pid)

    def rss_and_threads(self) -> tuple[int, int]:
        """The serving process's resident memory in KiB and its thread count."""
        status = Path(f"/proc/{self.serving_pid()}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]), int(fields["Threads"])


def is_summary(record: dict[str, Any], rid: str | None = None) -> bool:
    return record["Type"] == "request.summary" and (
        rid is None or record["Fields"].get("rid") == rid
    )


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "children").read_text().split()
        except FileNotFoundError:  # the thread ended meanwhile
            continue
        found.extend(int(child) for child in text)
    return found


@contextmanager
def serve(
    command: list[str],
    port: int,
    logs: Path,
    logger_name: str,
    env: Mapping[str, str | None] | None = None,
    cwd: Path | str = ROOT,
    ready_path: str = "/__lbheartbeat__",
    startup_timeout: float = 60.0,
) -> Iterator[Server]:
    """Start ``command`` with PORT set; yield once ``ready_path`` answers."""
    full_env = dict(
        os.environ,
        PYTHONUNBUFFERED="1",
        PORT=str(port),
        PATH=f"{BIN}:{os.environ.get('PATH', '')}",
    )
    for name, value in (env or {}).items():
        if value is None:  # unset in the server's environment
            full_env.pop(name, None)
        else:
            full_env[name] = value
    logs.mkdir(parents=True, exist_ok=True)
    out, err = logs / "stdout.log", logs / "stderr.log"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        process = subprocess.Popen(
            command, cwd=cwd, env=full_env, stdout=stdout, stderr=stderr
        )
    server = Server(port, process, out, err, logger_name)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"server exited early:\n{server.stdout()}\n{server.stderr()}"
                )
            try:
                request(port, ready_path, timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"server never answered:\n{server.stdout()}\n{server.stderr()}"
                    ) from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
