"""Run every benchmark against a fresh embedded stack and print a Markdown table.

Usage: ``make bench`` (or ``.venv/bin/python benchmarks/run.py``). Results go in BENCHMARKS.md.
"""

from __future__ import annotations

import platform
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import extension_overhead
from tests.stack_helpers import dtolab, new_state_dir, up


def main() -> int:
    state_dir = new_state_dir("dtolab-bench-")
    try:
        stack = up(state_dir)
        overhead = extension_overhead.run(stack)
    finally:
        dtolab(state_dir, "down")
        shutil.rmtree(state_dir, ignore_errors=True)
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print("\n## Server extension overhead on a STAC collections request\n")
    print("| path | median (ms) | p90 (ms) |\n|---|---|---|")
    print(f"| STAC API directly | {overhead['direct_median_ms']} | {overhead['direct_p90_ms']} |")
    print(
        f"| through the dtolab server extension | {overhead['extension_median_ms']} | "
        f"{overhead['extension_p90_ms']} |"
    )
    target = "met" if overhead["added_median_ms"] <= 10 else "NOT met"
    print(
        f"\nAdded: {overhead['added_median_ms']} ms median over {overhead['rounds']} "
        f"alternating rounds (target <= 10 ms: {target})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
