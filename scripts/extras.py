"""Print the requirements of setup.cfg's extras, one per line: what
``pip install ".[extra,...]"`` would add, without building this project.

``make run`` installs these and runs the example project from the checkout.
Usage: python scripts/extras.py django django-redis example
"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path


def requirements(extras: list[str]) -> list[str]:
    config = configparser.ConfigParser()
    config.read(Path(__file__).resolve().parent.parent / "setup.cfg")
    table = config["options.extras_require"]
    found: list[str] = []
    for extra in extras:
        for line in table[extra].splitlines():
            if line.strip() and line.strip() not in found:
                found.append(line.strip())
    return found


if __name__ == "__main__":
    print("\n".join(requirements(sys.argv[1:])))
