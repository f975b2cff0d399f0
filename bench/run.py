"""Run every benchmark in bench/ (files named bench_*.py), each in its own process.

Each benchmark measures Lotsen against a baseline in the same run and prints ratios, never
bare seconds to compare across machines. Tests never assert on time; benchmarks do not
assert at all. `make bench` runs them all; `BENCH=policy make bench` runs those whose
name contains "policy".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    wanted = os.environ.get("BENCH", "")
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        if wanted and wanted not in script.stem:
            continue
        print(f"== {script.stem} ==", flush=True)
        result = subprocess.run([sys.executable, str(script)], check=False)  # noqa: S603
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
