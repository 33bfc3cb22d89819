"""Scale: time and peak memory of ``starnet analyze`` from 1,584 to 1,000,000 satellites, here and on 2 workers.

Each size is the million-satellite preset (``spacex-odc-1m``: five sun-synchronous and five
30-53 deg shells, its bus, links and stations) with every shell scaled to the size, analysed
over one day at 60 s; the 1,000,000 row uses the preset's own 300 s step. Every run is a child
``starnet analyze --json ... --quiet`` under an address-space limit (``--limit-gb``, as
``ulimit -v`` does), so a run that would not fit is *refused* by the engine's estimate (exit 2)
instead of swapping the machine; a run over ``--timeout-s`` is stopped and reported as such.

Peak RSS is sampled every 0.2 s over the child and its descendants (summed: ``--workers`` runs
in several processes) and, on the Dask cluster, its workers. The ratios compare each row with
the linear extrapolation from the 10,000-satellite row in satellite-epochs (time) and in
satellites x epochs (memory): 1.0 is linear, above 1 worse.

    python benchmarks/scale.py                                   # 1,584 / 10k / 100k / 1M, here and on a 2-worker cluster
    python benchmarks/scale.py --quick                           # 1,584 and 10k over 2 hours
    python benchmarks/scale.py --sizes 10000,100000 --modes here --timeout-s 1200
    python benchmarks/scale.py --sizes 10000,100000 --step-s 300 --modes here   # 100k in 12 GB before streaming
    python benchmarks/scale.py --sizes 100000 --write /tmp          # just write /tmp/scale-100045.yaml
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
PRESET = ROOT / "resources" / "missions" / "spacex-odc-1m.yaml"
FULL_SIZE = 1_000_000
REFERENCE_SIZE = 10_000


@dataclass
class Row:
    """One run: what it was and what it cost."""

    mode: str
    satellites: int
    epochs: int
    outcome: str  # "ok", "refused: ...", "timeout after N s", "failed: ..."
    seconds: float = math.nan
    peak_rss_gb: float = math.nan


def scaled_mission(n_sat: int, duration_s: float, step_s: float | None) -> tuple[dict, int]:
    """The preset with each shell scaled to ``n_sat`` satellites in all (same shares, planes ~ sqrt); returns (doc, satellites)."""
    doc = yaml.safe_load(PRESET.read_text(encoding="utf-8"))
    total = 0
    for entry in doc["constellations"]:
        share = entry["planes"] * entry["sats_per_plane"] / FULL_SIZE
        wanted = max(1.0, n_sat * share)
        aspect = entry["sats_per_plane"] / entry["planes"]
        planes = max(1, round(math.sqrt(wanted / aspect)))
        entry["planes"], entry["sats_per_plane"] = planes, max(1, round(wanted / planes))
        entry["phasing"] = min(entry.get("phasing", 0), planes - 1)
        total += entry["planes"] * entry["sats_per_plane"]
    doc["name"] = f"{doc['name']} scaled to {total:,}"
    doc["analysis"]["duration_s"] = duration_s
    if step_s is not None:
        doc["analysis"]["step_s"] = step_s
    return doc, total


def epochs_of(doc: dict) -> int:
    return math.floor(doc["analysis"]["duration_s"] / doc["analysis"]["step_s"] + 1e-9) + 1


def _tree_rss(process: psutil.Process, extra: list[psutil.Process]) -> int:
    total = 0
    for p in [process, *process.children(recursive=True), *extra]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_one(mission_path: Path, flags: list[str], limit_gb: float, timeout_s: float,
            workers: list[psutil.Process]) -> tuple[str, float, float]:
    """``starnet analyze`` in a child: (outcome, seconds, peak RSS GB over the child, its children and ``workers``)."""
    out = mission_path.with_suffix(".json")
    limit = int(limit_gb * 1024**3)

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "core.cli", "analyze", str(mission_path), "--json", str(out), "--quiet", *flags]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=limit_memory)
    watched = psutil.Process(child.pid)
    base = sum(w.memory_info().rss for w in workers)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_rss(watched, workers) - base)
        if time.perf_counter() - start > timeout_s:
            for p in watched.children(recursive=True):
                p.kill()
            child.kill()
            child.wait()
            return f"timeout after {timeout_s:.0f} s", math.nan, peak / 1024**3
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    err = child.stderr.read() if child.stderr else ""
    if child.returncode == 0:
        return "ok", seconds, peak / 1024**3
    first = " ".join(err.strip().splitlines()[-1:]) if err.strip() else f"exit {child.returncode}"
    kind = "refused" if child.returncode == 2 else f"failed (exit {child.returncode})"
    return f"{kind}: {first[:700]}", seconds, peak / 1024**3


def start_cluster(n_workers: int):
    """A local Dask cluster of ``n_workers`` single-threaded worker processes: (cluster, client, worker processes)."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=":0", memory_limit=0, silence_logs=logging.ERROR)
    client = Client(cluster.scheduler_address)
    return cluster, client


def worker_processes(client) -> list[psutil.Process]:
    return [psutil.Process(pid) for pid in client.run(os.getpid).values()]


def row_step(n_sat: int, given_s: float | None) -> float | None:
    """The step of a row: the one given, else 60 s (None, the preset's own 300 s, for the million-satellite row)."""
    if given_s is not None:
        return given_s
    return None if n_sat >= FULL_SIZE else 60.0


def ratio_text(value: float, reference: float, scale: float) -> str:
    if not (math.isfinite(value) and math.isfinite(reference)) or reference <= 0:
        return "-"
    return f"{value / (reference * scale):.2f}"


def print_table(rows: list[Row]) -> None:
    print(f"\n{'mode':<10}{'satellites':>11}{'epochs':>8}{'time s':>10}{'peak GB':>9}{'t/lin':>7}{'mem/lin':>8}  outcome")
    for row in rows:
        ref = next((r for r in rows if r.mode == row.mode and r.satellites == REFERENCE_SIZE and r.outcome == "ok"), None)
        work = row.satellites * row.epochs / (REFERENCE_SIZE * ref.epochs) if ref else math.nan
        t_ratio = ratio_text(row.seconds, ref.seconds, work) if ref and row.outcome == "ok" else "-"
        m_ratio = ratio_text(row.peak_rss_gb, ref.peak_rss_gb, work) if ref and row.outcome == "ok" else "-"
        seconds = f"{row.seconds:.1f}" if math.isfinite(row.seconds) else "-"
        peak = f"{row.peak_rss_gb:.2f}" if math.isfinite(row.peak_rss_gb) else "-"
        print(f"{row.mode:<10}{row.satellites:>11,}{row.epochs:>8,}{seconds:>10}{peak:>9}{t_ratio:>7}{m_ratio:>8}  {row.outcome}")
    print("t/lin, mem/lin: measured / (10,000-satellite row x satellite-epochs ratio); 1.0 is linear.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1584,10000,100000,1000000", help="satellite counts, comma-separated")
    parser.add_argument("--quick", action="store_true", help="1,584 and 10,000 satellites over 2 hours")
    parser.add_argument("--modes", default="here,cluster", help="here (in-process), cluster (2-worker local Dask cluster)")
    parser.add_argument("--workers", type=int, default=2, help="workers of the local cluster")
    parser.add_argument("--limit-gb", type=float, default=12.0, help="address-space limit of each run (the 1M goal: 12 GB)")
    parser.add_argument("--timeout-s", type=float, default=1800.0, help="stop a run after this long")
    parser.add_argument("--step-s", type=float, help="one step for every row (default: 60 s, the preset's 300 s at 1M)")
    parser.add_argument("--write", metavar="DIR", help="only write the scaled missions (scale-N.yaml) into DIR, e.g. for the app")
    args = parser.parse_args()

    sizes = [1584, REFERENCE_SIZE] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    duration_s = 7200.0 if args.quick else 86400.0
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if args.write:
        for n in sizes:
            doc, n_sat = scaled_mission(n, duration_s, row_step(n, args.step_s))
            target = Path(args.write) / f"scale-{n_sat}.yaml"
            target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
            print(f"wrote {target}")
        return
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="starnet-scale-") as folder:
        warm, _ = scaled_mission(12, 60.0, 60.0)  # numba's caches and the imports, outside the timings
        warm_path = Path(folder) / "warm-up.yaml"
        warm_path.write_text(yaml.safe_dump(warm, sort_keys=False), encoding="utf-8")
        run_one(warm_path, [], args.limit_gb, args.timeout_s, [])
        for mode in modes:
            cluster = client = None
            flags: list[str] = []
            if mode == "cluster":
                cluster, client = start_cluster(args.workers)
                flags = ["--scheduler", cluster.scheduler_address]
            try:
                for n in sizes:
                    doc, n_sat = scaled_mission(n, duration_s, row_step(n, args.step_s))
                    path = Path(folder) / f"scale-{n_sat}.yaml"
                    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
                    if client is not None:
                        client.restart()  # a fresh worker for each size: its peak memory is this run's
                    workers = worker_processes(client) if client is not None else []
                    print(f"{mode}: {n_sat:,} satellites x {epochs_of(doc):,} epochs ...", flush=True)
                    outcome, seconds, peak = run_one(path, flags, args.limit_gb, args.timeout_s, workers)
                    rows.append(Row(mode, n_sat, epochs_of(doc), outcome, seconds if outcome == "ok" else math.nan, peak))
                    print(f"  {outcome}, {seconds:.1f} s, peak {peak:.2f} GB", flush=True)
            finally:
                if client is not None:
                    client.close()
                if cluster is not None:
                    cluster.close()
    print_table(rows)


if __name__ == "__main__":
    main()
