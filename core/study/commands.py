"""``starnet sweep STUDY [--scheduler ADDRESS] [-o FILE.parquet]``: the trade-study command.

``core.cli`` wires it in with::

    from core.study import commands as study_commands
    study_commands.add_parser(sub)              # sub = parser.add_subparsers(...)
    COMMANDS["sweep"] = study_commands.run_sweep

Errors in the study file raise :class:`~core.study.model.StudyError` (a ``MissionError``), which
``core.cli.run`` prints as one line per problem with exit code 2. Ctrl-C stops the run, keeps
every finished design in the checkpoint beside the output and exits with 130; running the same
command again resumes.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.mission.errors import Problem
from core.study.model import StudyError

if TYPE_CHECKING:
    from rich.progress import Progress
    from core.study.run import ProgressFn as StudyProgressFn, StudyOutcome

EXIT_OK, EXIT_INTERRUPTED = 0, 130


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``sweep`` subcommand to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser(
        "sweep", help="run a trade study (a mission plus parameter ranges) and mark its Pareto front",
        description="Evaluate every design of a study file through the same analyses as `starnet analyze`; "
                    "write one row per design (Parquet and CSV). Local on all cores by default; "
                    "on a Dask cluster with --scheduler. Interrupted runs resume from FILE.partial.jsonl.")
    p.add_argument("study", metavar="STUDY", help="study file (YAML/JSON, see docs/trade-studies.md)")
    p.add_argument("-o", "--output", metavar="FILE.parquet",
                   help="results table (a .csv is written beside it); default: STUDY's name with .parquet")
    p.add_argument("--restart", action="store_true", help="ignore the checkpoint of an earlier run and compute every design")
    add_executor_options(p)
    return p


def add_executor_options(p: argparse.ArgumentParser) -> None:
    """``--scheduler``, ``--workers`` and ``--quiet``, shared by ``sweep`` and ``design``."""
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: all cores; 0: in this process)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")


def check_workers(args: argparse.Namespace, error: type[StudyError] = StudyError) -> None:
    """Refuse a negative ``--workers`` (an ``error`` naming the option)."""
    if getattr(args, "workers", None) is not None and args.workers < 0:
        raise error("--workers", [Problem("", "must be 0 or more")])


def check_output_folder(target: Path, where: str, error: type[StudyError] = StudyError) -> None:
    """Refuse an output whose folder does not exist or is not writable (an ``error`` naming ``where``)."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise error(where, [Problem("", f"the folder {folder} does not exist")])
    if not os.access(folder, os.W_OK):
        raise error(where, [Problem("", f"the folder {folder} is not writable")])


def _output_path(args: argparse.Namespace) -> Path:
    if args.output:
        target = Path(args.output)
    else:
        study = Path(args.study)
        target = study.with_suffix(".parquet")
    check_output_folder(target, str(target))
    if target.suffix.lower() not in (".parquet", ".pq", ".csv"):
        target = target.with_name(target.name + ".parquet")
    return target


def run_sweep(args: argparse.Namespace) -> int:
    """Run the ``sweep`` command; returns the exit code (0, or 130 when interrupted)."""
    from core.study.model import load_study
    from core.study.run import checkpoint_path, make_executor, run_study, write_table

    loaded = load_study(args.study)
    out = _output_path(args)
    parquet = out.with_suffix(".parquet") if out.suffix.lower() == ".csv" else out
    quiet = getattr(args, "quiet", False)
    show = not quiet and sys.stdout.isatty()
    check_workers(args)
    executor = make_executor(getattr(args, "scheduler", None), getattr(args, "workers", None))
    outcome: StudyOutcome | None = None
    try:
        with _progress_bar(show, loaded.name) as progress:
            outcome = run_study(loaded, executor, checkpoint=checkpoint_path(parquet), restart=getattr(args, "restart", False),
                                progress=progress)
    finally:
        executor.close(cancel=outcome is None or outcome.interrupted)
    assert outcome is not None  # run_study returned (an error would have left above)
    if outcome.interrupted:
        print(f"starnet: interrupted: {outcome.finished} of {len(outcome.designs)} designs finished and kept in "
              f"{outcome.checkpoint}; run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    outcome.written = write_table(outcome.table, out)
    if not quiet:
        _print_summary(outcome)
    return EXIT_OK


class _progress_bar:
    """A rich progress bar of designs (nothing when ``enabled`` is False)."""

    def __init__(self, enabled: bool, title: str) -> None:
        self.enabled, self.title = enabled, title
        self._bar: Progress | None = None

    def __enter__(self) -> StudyProgressFn:
        if not self.enabled:
            return lambda done, total, record: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TimeRemainingColumn(), transient=True)
        self._bar = bar
        bar.__enter__()
        task = bar.add_task(self.title[:30], total=None)

        def update(done: int, total: int, record: dict | None) -> None:
            bar.update(task, completed=done, total=total)

        return update

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


def _print_summary(outcome: StudyOutcome) -> None:
    from rich.console import Console

    from core.analysis.tables import Table, print_tables

    table = outcome.table
    console = Console()
    n = len(table)
    feasible = int(table["feasible"].sum()) if n else 0
    front = table[table["pareto"]] if n else table
    console.print(f"{n} designs: {feasible} feasible, {len(front)} on the Pareto front; "
                  f"{outcome.computed} computed, {outcome.reused} reused from the checkpoint "
                  f"({outcome.executor or 'nothing to compute'}, {outcome.elapsed_s:.1f} s"
                  + (f", {outcome.designs_per_minute:.1f} designs/min)" if outcome.computed else ")"))
    if len(front):
        skip = {"design_id", "status", "feasible", "reason", "pareto", "pareto_rank", "elapsed_s"}
        columns = [c for c in table.columns if c not in skip]
        rows = [[row[c] for c in columns] for _, row in front.head(20).iterrows()]
        print_tables([Table("Pareto front", [str(c) for c in columns], rows)], console)
        if len(front) > len(rows):
            console.print(f"(the first {len(rows)} of {len(front)} designs on the front; all are in the results table)")
    for path in outcome.written:
        console.print(f"wrote {path}")
