"""The engine stays headless: nothing under core/ imports the GUI stack or the app."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).parents[2] / "core"
FORBIDDEN = {"PySide6", "vispy", "pyqtgraph", "superqt", "app", "PyQt5", "PyQt6"}


def test_no_module_under_core_imports_the_gui_stack():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(CORE.parent)}:{node.lineno} imports {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_import_linter_contracts_are_kept():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is part of the test dependencies"
    done = subprocess.run([exe], cwd=CORE.parent, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "0 broken" in done.stdout


def test_importing_the_engine_does_not_load_qt():
    code = "import core.api, core.cli, sys; print(any(m.split('.')[0] in {'PySide6','vispy','pyqtgraph'} for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=CORE.parent, capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
