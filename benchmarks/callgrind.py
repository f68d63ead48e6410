"""Instructions per request, ours beside python-dockerflow's, counted by callgrind.

Time on a shared 2-core machine swings with the other work on it; the
number of instructions a request executes does not. A benchmark's
``--count`` worker runs each scenario's requests between two marker calls,
``os.getsid(0)`` and ``os.getpgid(0)``: valgrind's callgrind zeroes its
counter before the C function ``getsid`` and dumps it before ``getpgid``,
so each dump holds one scenario's requests and nothing else (startup,
imports and warm-up are not in it). Hash seeds are fixed and the warmed-up
heap frozen out of the collector's way, so two runs agree to a few
instructions a request.

Every thread's instructions count. A group of scenarios shares a worker
process; a scenario whose work leaves threads behind (python-dockerflow's
sync probe view hands each request to a thread of its own, which ends
later) goes in a group of its own, so what its threads do lands in its
own counts and not in the bare app's.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sidebyside import ROOT, SEED, SEED_VERSION, Scenarios, per_request_us, seed_python

__all__ = ["available", "count_worker", "instructions", "report_instructions"]

VALGRIND = "valgrind"
_ZERO, _DUMP = "getsid", "getpgid"


def count_worker(scenarios: Scenarios, argv: list[str]) -> None:
    """The worker side (``--count NUMBER LABEL...``): each scenario named
    gets NUMBER requests between the markers."""
    number, labels = int(argv[0]), argv[1:]
    scenarios = {label: scenarios[label] for label in labels}
    summary = logging.getLogger("request.summary")
    for app, path, log in scenarios.values():  # warm up: first calls import and cache
        summary.disabled = not log
        per_request_us(app, path, 50)
    # What the warm-up left is the app's, not a request's: a full collection
    # walking it would land in whichever scenario it fell on.
    gc.collect()
    gc.freeze()
    for app, path, log in scenarios.values():
        summary.disabled = not log
        os.getsid(0)
        per_request_us(app, path, number)
        os.getpgid(0)
    print(json.dumps(list(scenarios)), flush=True)


def _counted(
    python: Path | str, script: Path, ours: bool, number: int, labels: list[str]
) -> dict[str, float]:
    """One worker under callgrind: instructions per request of each of ``labels``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONHASHSEED"] = "0"
    if ours:  # the seed's venv must not see this checkout
        env["PYTHONPATH"] = str(ROOT)
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [
                VALGRIND,
                "--tool=callgrind",
                f"--callgrind-out-file={out}/cg.%p",
                f"--zero-before={_ZERO}",
                f"--dump-before={_DUMP}",
                str(python),
                str(script),
                "--count",
                str(number),
                *labels,
            ],
            env=env,
            cwd=str(script.parent),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"callgrind worker failed:\n{done.stderr[-2000:]}")
        assert json.loads(done.stdout.splitlines()[-1]) == labels
        # cg.PID.1, cg.PID.2, ...: one per getpgid, then cg.PID at exit.
        dumps = sorted(
            Path(out).glob("cg.*.*"), key=lambda p: int(p.name.rsplit(".", 1)[1])
        )
        totals = [_summary(p.read_text()) for p in dumps[: len(labels)]]
    return {label: total / number for label, total in zip(labels, totals, strict=True)}


def _summary(dump: str) -> int:
    found = re.search(r"^summary: (\d+)", dump, re.MULTILINE)
    assert found, "a callgrind dump without its summary line"
    return int(found.group(1))


def instructions(
    script: Path, frameworks: list[str], number: int, groups: list[list[str]]
) -> tuple[dict[str, float], dict[str, float]]:
    """Instructions per request of the scenarios of ``script``, each group
    of labels in one worker process: ours, the seed's.

    Two workers run at once: a count does not depend on the load.
    """
    seed = seed_python(frameworks)
    sides: tuple[dict[str, float], dict[str, float]] = ({}, {})
    with ThreadPoolExecutor(2) as pool:
        runs = [
            (side, pool.submit(_counted, python, script, side == 0, number, group))
            for group in groups
            for side, python in enumerate((sys.executable, seed))
        ]
        for side, run in runs:
            sides[side].update(run.result())
    return sides


def report_instructions(
    counts: tuple[dict[str, float], dict[str, float]],
    rows: tuple[str, ...],
    plain: str,
    overheads: list[tuple[str, str]],
    number: int,
) -> dict[str, float]:
    """Print instructions per request of ``rows``, then each overhead
    (``label`` minus ``plain``) side by side with its ratio; return the ratios."""
    ours, seed = counts
    print(f"callgrind: instructions per request, {number} requests each")
    print(f"{'':<36}{'dockerflow':>12}{f'{SEED} {SEED_VERSION}':>28}")
    for label in rows:
        print(f"{label:<36}{ours[label]:>12,.0f}{seed[label]:>28,.0f}")
    ratios = {}
    for label, what in overheads:
        mine, theirs = ours[label] - ours[plain], seed[label] - seed[plain]
        ratios[label] = mine / theirs
        print(
            f"{what} overhead: ours {mine:,.0f}, seed {theirs:,.0f} instructions,"
            f" ratio {mine / theirs:.2f}"
        )
    return ratios


def available() -> bool:
    try:
        subprocess.run([VALGRIND, "--version"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True
