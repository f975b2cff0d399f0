"""The pure modules import no Django: each is imported in a fresh interpreter without
settings, and afterwards no ``django`` module may be loaded.

A fresh subprocess because the test run itself has long since imported Django, so
``sys.modules`` here proves nothing. Pure means the module can be read, tested and reused
without a database or settings (DESIGN.md §3); a module that starts to need Django belongs
in a services or selectors module instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PURE_MODULES = (
    # The ground floor's statistics tools.
    "lotsen.stats.suppression",
    "lotsen.stats.charts",
    "lotsen.stats.tabular",
    # The chart builders that keep a meaning of their own in their app.
    "lotsen.finance.charts",
    "lotsen.youth.charts",
    "lotsen.earlywarning.charts",
    "lotsen.earlywarning.evaluation_report",
    # The domain rules.
    "lotsen.school.merit",
    "lotsen.earlywarning.rules",
    "lotsen.kaa.cohort",
    "lotsen.programmes.indicators",
    "lotsen.people.identity",
    "lotsen.accounts.assurance",
    "lotsen.youth.who5",
    "lotsen.youth.lix",
    "lotsen.insights.whatworks",
    "lotsen.finance.money",
    "lotsen.surveys.results",
)

_PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if m == "django" or m.startswith("django."))))
"""


def _django_modules_after_importing(module: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, module],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_imports_no_django(module):
    assert _django_modules_after_importing(module) == []


def test_the_probe_sees_django_when_a_module_loads_it():
    # A module that does import Django (without needing settings) must be caught, or the
    # test above would pass for any module.
    assert "django" in _django_modules_after_importing("django.utils.functional")
