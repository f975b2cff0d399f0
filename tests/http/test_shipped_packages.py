"""Front-end packages that reach the browser are runtime dependencies (issue 10, item 10).

govuk-frontend (its script, fonts and images copied to static, its Sass compiled into
lotsen.css) and htmx are shipped to every user, so ``npm audit --omit=dev`` must check them:
they belong under ``dependencies`` in package.json and are not marked ``dev`` in the lock.
The packages shipped are read from what the build copies and compiles (the Makefile's
``cp node_modules/<package>/…`` lines and the stylesheet's ``@use``), so a package added
to the build later is held to the same rule."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COPIED = re.compile(r"\bcp\b[^\n]*?\bnode_modules/((?:@[\w.-]+/)?[\w.-]+)/")
SASS_USE = re.compile(r"""@(?:use|import|forward)\s+["']((?:@[\w.-]+/)?[\w.-]+)/""")


def shipped_packages() -> set[str]:
    packages = set(COPIED.findall((ROOT / "Makefile").read_text()))
    for sheet in (ROOT / "assets").glob("*.scss"):
        packages |= set(SASS_USE.findall(sheet.read_text()))
    return packages


def test_the_build_ships_govuk_frontend_and_htmx():
    # Guards the reading of the build: if it found nothing, the rule below would hold
    # vacuously.
    assert {"govuk-frontend", "htmx.org"} <= shipped_packages()


def test_every_shipped_package_is_a_runtime_dependency():
    manifest = json.loads((ROOT / "package.json").read_text())
    runtime = set(manifest.get("dependencies", {}))
    development = set(manifest.get("devDependencies", {}))
    shipped = shipped_packages()
    assert shipped <= runtime, sorted(shipped - runtime)
    assert not shipped & development, sorted(shipped & development)


def test_the_lock_does_not_mark_a_shipped_package_as_development_only():
    # npm audit --omit=dev skips what the lock marks "dev": true.
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    for package in shipped_packages():
        entry = lock[f"node_modules/{package}"]
        assert not entry.get("dev"), package
        assert package in lock[""].get("dependencies", {}), package
