"""One tiny test hook: stop an import at a named point so a test can kill it there.

With ``LOTSEN_TEST_PAUSE_AT=<point>`` and ``LOTSEN_TEST_PAUSE_FILE=<path>`` in the
environment, ``test_pause("<point>")`` writes the path (the signal the test waits for; no
timing involved) and then sleeps until the process is killed. Without both variables it
does nothing, so production never pauses. Used by tests/kaa/test_import_kill.py to prove
that ``lotsen import population`` killed with SIGKILL at any point leaves the old state or
the new one whole.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ENV_POINT = "LOTSEN_TEST_PAUSE_AT"
ENV_FILE = "LOTSEN_TEST_PAUSE_FILE"
MAX_PAUSE_SECONDS = 120


def test_pause(point: str) -> None:
    if os.environ.get(ENV_POINT) != point or not os.environ.get(ENV_FILE):
        return
    Path(os.environ[ENV_FILE]).write_text(f"{os.getpid()}\n")
    # Bounded, so a forgotten variable cannot hang a process for ever.
    deadline = time.monotonic() + MAX_PAUSE_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)


test_pause.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
