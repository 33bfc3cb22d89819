"""Cheap checks of packaging/: the spec is valid Python, the .desktop entry is complete.

The real bundle is built by ``make package`` (minutes of PyInstaller) and checked by
``packaging/smoke_test.sh``; neither runs in this suite.
"""

from __future__ import annotations

import ast
import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"


def test_spec_compiles_and_names_the_bundle():
    source = (PACKAGING / "starnet.spec").read_text(encoding="utf-8")
    tree = ast.parse(source, filename="starnet.spec")
    compile(tree, "starnet.spec", "exec")
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT"} <= calls
    assert "vispy.app.backends._pyside6" in source  # vispy picks its backend by name at run time
    assert 'name="starnet"' in source
    assert '"resources"' in source  # core.resources.resources_dir() looks for it in sys._MEIPASS
    if '"numba.cuda"' in source:  # numba's dispatcher needs this extension; only numba.cuda names it in Python
        assert '"numba._devicearray"' in source
    assert '"QtTest"' not in source  # vispy's PySide6 backend imports QtTest


def test_spec_does_not_exclude_what_the_app_imports():
    """A module in the spec's excludes must not be one that core/ or app/ imports."""
    source = (PACKAGING / "starnet.spec").read_text(encoding="utf-8")
    block = source.split("excludes = [", 1)[1].split("\n]\n", 1)[0]
    excluded = set(re.findall(r'"([A-Za-z_][\w.]*)"', block))
    imported = set()
    for path in [*ROOT.joinpath("core").rglob("*.py"), *ROOT.joinpath("app").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
                imported.update(f"{node.module}.{a.name}" for a in node.names)
    clash = {m for m in imported for e in excluded if m == e or m.startswith(e + ".")}
    assert not clash, f"the spec excludes modules the app imports: {sorted(clash)}"


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string((PACKAGING / "starnet.desktop").read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_desktop_file_has_required_keys():
    entry = _desktop_entry()
    for key in ("Type", "Name", "Exec", "Icon", "Categories", "Comment", "Terminal"):
        assert entry.get(key), key
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "starnet"
    assert entry["Terminal"] in ("true", "false")
    assert entry["Categories"].endswith(";")
    assert (ROOT / "resources" / "icons" / f"{entry['Icon']}.png").is_file()
    assert (ROOT / "resources" / "icons" / f"{entry['Icon']}.svg").is_file()


def test_desktop_file_validates():
    out = subprocess.run(["desktop-file-validate", str(PACKAGING / "starnet.desktop")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_packaging_scripts_are_executable_shell():
    for name in ("build.sh", "smoke_test.sh"):
        path = PACKAGING / name
        assert path.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash"), name
        if shutil.which("bash"):
            assert subprocess.run(["bash", "-n", str(path)]).returncode == 0, name


BLOCKER = r'''
import importlib.abc, importlib.util, re, sys
src = open(SPEC, encoding="utf-8").read()
names = set(re.findall(r'"([A-Za-z_][\w.]*)"', src.split("excludes = [", 1)[1].split("\n]\n", 1)[0]))
names |= {"PySide6." + m for m in re.findall(r'"(Qt\w+)"', src.split("QT_UNUSED = [", 1)[1].split("\n]\n", 1)[0])}
def blocked(name):
    return any(name == e or name.startswith(e + ".") for e in names)
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if blocked(name):
            raise ModuleNotFoundError(f"No module named {name!r} (excluded by the spec)", name=name)
sys.meta_path.insert(0, Blocker())
_find_spec = importlib.util.find_spec
importlib.util.find_spec = lambda name, package=None: None if blocked(name) else _find_spec(name, package)
'''


@pytest.mark.slow
def test_engine_runs_without_the_excluded_modules(tmp_path):
    """The bundle leaves out the spec's excludes: the engine must not need any of them.

    Simulated in a fresh interpreter whose imports of excluded modules fail, as in the bundle.
    """
    (tmp_path / "sitecustomize.py").write_text(f"SPEC = {str(PACKAGING / 'starnet.spec')!r}\n" + BLOCKER)
    code = (
        "from core import api\n"
        "m = api.load_preset('default')\n"
        "m = m.model_copy(update={'analysis': m.analysis.model_copy(update={'duration_s': 3600.0, 'step_s': 120.0})})\n"
        "doc = api.results_document(api.analyze(m))\n"
        "assert doc['insight'] and doc['coverage'], doc.keys()\n"
        "from core.export.report import figures  # matplotlib's Agg canvas\n"
        "import reportlab.platypus, pyarrow.parquet, dask.distributed  # report, sweep, --scheduler\n"
        "import sys; assert 'tkinter' not in sys.modules\n"
        "print('ok')\n"
    )
    env = dict(__import__("os").environ, PYTHONPATH=f"{tmp_path}:{ROOT}")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-3000:]
