"""Nothing outside lotsen.demo imports it (DESIGN.md §3: the demo composes the rooms; no
room leans on it). Checked on the source, so that a lazy import inside a function counts
as much as one at the top of a module."""

from __future__ import annotations

import ast
from pathlib import Path

import lotsen

SRC = Path(lotsen.__file__).parent
DEMO = SRC / "demo"


def _demo_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [
            f"{path.relative_to(SRC.parent)}:{node.lineno} {name}"
            for name in names
            if name == "lotsen.demo" or name.startswith("lotsen.demo.")
        ]
    return found


def test_no_module_outside_the_demo_imports_it():
    outside = [path for path in SRC.rglob("*.py") if DEMO not in path.parents]
    assert len(outside) > 100  # the whole package was read, not an empty directory
    assert [hit for path in outside for hit in _demo_imports(path)] == []
