"""Formatter speed: dockerflow's JsonLogFormatter against the seed's algorithm.

Both formatters run on the same records in one process, interleaved, and the
script prints per-record times and the ratio. Run: python benchmarks/logging_formatter.py
"""

from __future__ import annotations

import functools
import json
import logging
import socket
import sys
import timeit
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dockerflow.logging import JsonLogFormatter


class SeedAlgorithmFormatter(logging.Formatter):
    """The baseline: python-dockerflow 2020.10's formatting steps, restated.

    Copy every non-standard record attribute into Fields, format the message
    (skipping JSON-looking ones), add the traceback, then ``json.dumps`` with
    an encoder class whose fallback is ``repr``.
    """

    class _ReprEncoder(json.JSONEncoder):
        def default(self, o):
            return repr(o)

    _skip = frozenset(
        [
            "args",
            "asctime",
            "created",
            "exc_info",
            "exc_text",
            "filename",
            "funcName",
            "levelname",
            "levelno",
            "lineno",
            "module",
            "msecs",
            "message",
            "msg",
            "name",
            "pathname",
            "process",
            "processName",
            "relativeCreated",
            "stack_info",
            "thread",
            "threadName",
        ]
    )
    _severity = {50: 2, 40: 3, 30: 4, 20: 6, 10: 7}

    def __init__(self, logger_name="Dockerflow"):
        super().__init__()
        self.logger_name = logger_name
        self.hostname = socket.gethostname()

    def format(self, record):
        out = {
            "Timestamp": int(record.created * 1e9),
            "Type": record.name,
            "Logger": self.logger_name,
            "Hostname": self.hostname,
            "EnvVersion": "2.0",
            "Severity": self._severity.get(record.levelno, 7),
            "Pid": record.process,
        }
        fields = {}
        for key, value in record.__dict__.items():
            if key not in self._skip:
                fields[key] = value
        message = record.getMessage()
        if message and not (message.startswith("{") and message.endswith("}")):
            fields["msg"] = message
        if record.exc_info:
            fields["error"] = repr(record.exc_info[1])
            lines = ["Uncaught exception:\n", *traceback.format_tb(record.exc_info[2])]
            lines += [f"{record.exc_info[0]!r}\n", f"{record.exc_info[1]!r}\n"]
            fields["traceback"] = "".join(lines)
        out["Fields"] = fields
        return json.dumps(out, cls=self._ReprEncoder)


def make_records() -> dict[str, logging.LogRecord]:
    summary = logging.LogRecord(
        "request.summary", logging.INFO, __file__, 1, "", (), None
    )
    summary.__dict__.update(
        errno=0,
        agent="Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
        lang="en-US,en;q=0.5",
        method="GET",
        path="/api/v1/items/42",
        uid="1234",
        rid="4bd4c6a1-8d8a-4b9a-9d5e-3c8a3f7f2a11",
        t=12,
    )
    plain = logging.LogRecord(
        "myproject", logging.INFO, __file__, 1, "user %s logged in", ("bob",), None
    )
    try:
        raise ValueError("broken <input>")
    except ValueError:
        exc_info = sys.exc_info()
    error = logging.LogRecord(
        "myproject", logging.ERROR, __file__, 1, "failed", (), exc_info
    )
    return {"request.summary": summary, "plain message": plain, "exception": error}


def main(number: int = 20_000, repeat: int = 9) -> dict[str, float]:
    ours, seed = JsonLogFormatter(), SeedAlgorithmFormatter()
    ratios = {}
    print(f"{'record':<18}{'seed µs':>10}{'ours µs':>10}{'speed-up':>10}")
    for label, record in make_records().items():
        json.loads(ours.format(record))  # both must produce valid JSON
        json.loads(seed.format(record))
        best = {"seed": float("inf"), "ours": float("inf")}
        for _ in range(repeat):  # interleaved, so both see the same machine state
            for name, fmt in (("seed", seed), ("ours", ours)):
                took = timeit.timeit(
                    functools.partial(fmt.format, record), number=number
                )
                best[name] = min(best[name], took / number * 1e6)
        ratios[label] = best["seed"] / best["ours"]
        print(
            f"{label:<18}{best['seed']:>10.2f}{best['ours']:>10.2f}{ratios[label]:>9.2f}x"
        )
    return ratios


if __name__ == "__main__":
    main()
