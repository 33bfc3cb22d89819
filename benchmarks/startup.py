"""Start-up time of the desktop app: from process start to the main window on screen, and on to
the first results drawn in it.

Run (needs a display; on a headless machine wrap it in ``xvfb-run -a``)::

    xvfb-run -a -s '-screen 0 1600x1000x24' .venv/bin/python benchmarks/startup.py [--runs 5] [--mission PATH]
    xvfb-run -a ... .venv/bin/python benchmarks/startup.py --importtime    # the slowest imports on the path

Each run launches a fresh interpreter that goes through the real start-up path
(``app.main.run_gui``, exactly what ``starnet gui MISSION`` calls) with the ``MainWindow`` class
wrapped so that it reports, relative to the moment the parent launched the process:

* ``imports``        — ``app.main`` imported (Qt, vispy, pyqtgraph, the engine);
* ``window_shown``   — the main window is exposed on the X server (first frame);
* ``preview_results``— the quick preview pass is drawn (results visible);
* ``full_results``   — the full analysis is drawn; the app then closes itself.

Settings and autosave go to a temporary XDG folder, so the user's layout is not touched and no
recovery prompt appears. The first run warms the caches (bytecode, numba's on-disk cache) and is
reported separately; the rest give the median and the best. ``starnet --version`` and
``starnet screenshot`` wall times are printed for comparison.

Goal: the window appears in <= 3 s from a warm install.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 3.0
EVENTS = ("imports", "window_shown", "preview_results", "full_results")

# The child: the real run_gui with an instrumented MainWindow.
CHILD = r"""
import os, sys, time
T0 = float(os.environ["STARNET_BENCH_T0"])

def mark(name):
    print(f"BENCH {name} {time.time() - T0:.4f}", flush=True)

mark("interpreter")
import app.main as m
from PySide6.QtCore import QEvent, QObject, QTimer
mark("imports")

class _Expose(QObject):
    def __init__(self, owner):
        super().__init__(owner)
        self.done = False
    def eventFilter(self, obj, ev):
        if not self.done and ev.type() == QEvent.Type.Expose and obj.isExposed():
            self.done = True
            mark("window_shown")
        return False

class Timed(m.MainWindow):
    def showEvent(self, ev):
        super().showEvent(ev)
        if not hasattr(self, "_bench_filter"):
            self._bench_filter = _Expose(self)
            self.windowHandle().installEventFilter(self._bench_filter)
            QTimer.singleShot(int(float(os.environ.get("STARNET_BENCH_TIMEOUT", "120")) * 1000), self.close)
    def _on_computed(self, c):
        super()._on_computed(c)
        if c.generation == self.runner.generation:
            mark("preview_results" if c.preview else "full_results")
            if not c.preview:
                QTimer.singleShot(0, self.close)

m.MainWindow = Timed
sys.exit(m.run_gui(sys.argv[1]))
"""


def one_run(mission: str, timeout_s: float, importtime: bool = False) -> tuple[dict[str, float], str]:
    with tempfile.TemporaryDirectory(prefix="starnet-bench-") as tmp:
        env = dict(os.environ, XDG_CONFIG_HOME=f"{tmp}/config", XDG_DATA_HOME=f"{tmp}/data",
                   XDG_CACHE_HOME=os.environ.get("XDG_CACHE_HOME", str(Path.home() / ".cache")),
                   STARNET_BENCH_TIMEOUT=str(timeout_s), PYTHONPATH=str(ROOT))
        env.setdefault("QT_QPA_PLATFORM", "xcb")
        cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", CHILD, mission]
        env["STARNET_BENCH_T0"] = repr(time.time())
        out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s + 30)
    marks = {}
    for line in out.stdout.splitlines():
        if line.startswith("BENCH "):
            _, name, value = line.split()
            marks.setdefault(name, float(value))
    if out.returncode != 0 or "window_shown" not in marks:
        sys.stderr.write(out.stderr[-3000:])
        raise SystemExit(f"start-up run failed (exit {out.returncode}); marks: {marks}")
    return marks, out.stderr


def wall(cmd: list[str], env=None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def slowest_imports(stderr: str, top: int = 15) -> list[tuple[float, str]]:
    rows = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            try:
                _, cumulative, name = (p.strip() for p in line[len("import time:"):].split("|"))
                rows.append((int(cumulative) / 1e6, name))
            except ValueError:
                continue
    top_level = [(t, n) for t, n in rows if not n.startswith(" ") or n.count(" ") <= 2]
    return sorted(top_level, reverse=True)[:top]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mission", default=str(ROOT / "resources" / "missions" / "default.yaml"))
    ap.add_argument("--runs", type=int, default=5, help="measured runs after the warm-up run (default 5)")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--importtime", action="store_true", help="also list the slowest imports on the start-up path")
    ap.add_argument("--no-compare", action="store_true", help="skip the starnet --version / screenshot timings")
    args = ap.parse_args()
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        print("startup.py needs a display: run it under xvfb-run -a", file=sys.stderr)
        return 2

    print(f"StarNet Studio start-up — {Path(args.mission).name}, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    warm, _ = one_run(args.mission, args.timeout)
    print("warm-up run (fills caches): " + ", ".join(f"{k} {warm[k]:.2f} s" for k in EVENTS if k in warm))
    runs = [one_run(args.mission, args.timeout)[0] for _ in range(args.runs)]
    print(f"\n{'event':<18}{'median [s]':>12}{'best [s]':>10}{'worst [s]':>11}")
    for key in EVENTS:
        values = [r[key] for r in runs if key in r]
        if values:
            print(f"{key:<18}{statistics.median(values):>12.2f}{min(values):>10.2f}{max(values):>11.2f}")
    shown = statistics.median(r["window_shown"] for r in runs)
    verdict = "meets" if shown <= GOAL_S else "MISSES"
    print(f"\nwindow shown in {shown:.2f} s (median of {len(runs)}): {verdict} the {GOAL_S:.0f} s goal "
          f"({GOAL_S / shown:.2f}x the budget)")

    if not args.no_compare:
        starnet = str(Path(sys.executable).with_name("starnet"))
        if Path(starnet).exists():
            v = min(wall([starnet, "--version"]) for _ in range(3))
            with tempfile.TemporaryDirectory() as tmp:
                s = wall([starnet, "screenshot", args.mission, "-o", f"{tmp}/shot.png", "--size", "1600x1000"])
            print(f"starnet --version: {v:.2f} s (best of 3); starnet screenshot (open + full analysis + grab): {s:.2f} s")

    if args.importtime:
        _, stderr = one_run(args.mission, args.timeout, importtime=True)
        print("\nslowest imports on the start-up path (cumulative, one run with -X importtime):")
        for t, name in slowest_imports(stderr):
            print(f"  {t:6.2f} s  {name.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
