"""Bytecodes the FastAPI middlewares execute per request, ours beside python-dockerflow's.

The timings of fastapi_middleware.py swing by a few µs on a shared machine;
this count does not. Each side's apps (the ones fastapi_middleware.py times)
run ten requests under a tracer that counts every bytecode executed; C code
(the JSON encoder's, the file write) is not counted. Run:
python benchmarks/fastapi_bytecodes.py (it builds .venv-seed as that script does)
"""

from __future__ import annotations

import collections
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import Any

REQUESTS = 10
#: Installed at this venv's versions into the seed's, as fastapi_middleware.py does.
FRAMEWORKS = ["fastapi", "starlette", "pydantic", "pydantic_core", "asgiref"]


def count(app: Any, path: str) -> collections.Counter[str]:
    """Bytecodes per function, over REQUESTS requests."""
    from sidebyside import per_request_us

    per_request_us(app, path, 50)  # warm up: first calls import and cache
    counts: collections.Counter[str] = collections.Counter()

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode":
            counts[f"{frame.f_code.co_filename}:{frame.f_code.co_name}"] += 1
        return tracer

    sys.settrace(tracer)
    try:
        per_request_us(app, path, REQUESTS)
    finally:
        sys.settrace(None)
    return counts


def worker() -> None:
    import fastapi_middleware as bench

    bench.configure_logging()
    scenarios = bench.scenarios()
    summary = logging.getLogger("request.summary")
    totals = {}
    for label in (bench.PLAIN, bench.WITH, bench.QUIET):
        app, path, log = scenarios[label]
        summary.disabled = not log
        totals[label] = sum(count(app, path).values()) / REQUESTS
    print(json.dumps(totals))


def main() -> None:
    from fastapi_middleware import PLAIN, QUIET, WITH
    from sidebyside import ROOT, SEED, SEED_VERSION, seed_python

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    here = Path(__file__).resolve()
    sides = {}
    for name, python, path in (
        ("dockerflow", sys.executable, str(ROOT)),
        (f"{SEED} {SEED_VERSION}", str(seed_python(FRAMEWORKS)), None),
    ):
        run_env = {**env, "PYTHONPATH": path} if path else env
        done = subprocess.run(
            [python, str(here), "--worker"],
            env=run_env,
            cwd=str(here.parent),
            capture_output=True,
            text=True,
            check=True,
        )
        sides[name] = json.loads(done.stdout.splitlines()[-1])
    ours, seed = ({k: t[k] - t[PLAIN] for k in (WITH, QUIET)} for t in sides.values())
    print(f"bytecodes per request above the bare app ({REQUESTS} requests each)")
    for label, what in ((WITH, "both middlewares"), (QUIET, "summary not logged")):
        print(
            f"  {what}: ours {ours[label]:.0f}, seed {seed[label]:.0f},"
            f" ratio {ours[label] / seed[label]:.2f}"
        )


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker()
    else:
        main()
