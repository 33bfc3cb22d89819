"""The headless ``starnet`` subcommands: analyze, presets, new, export, report, sweep.

``app.cli`` is the console entry point; it reuses :func:`build_parser` and adds ``gui`` and
``screenshot``, importing Qt only when those run.

Exit codes: 0 success; 2 invalid input or usage (a clear message on stderr, naming the file
and the field); 1 an internal error (a bug: the message says so and how to get the
traceback); 130 interrupted; 141 the reader of the output went away (a closed pipe).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, TextIO

from core import __version__
from core.study.task_progress import TaskProgress

if TYPE_CHECKING:
    from core.analysis.pipeline import Results
    from core.study.run import Executor
    from core.mission.model import Mission

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 141


class UsageError(Exception):
    """Bad input the user can fix; printed as one line and exit code 2."""


# --------------------------------------------------------------------------- helpers


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


@contextmanager
def progress_reporter(enabled: bool) -> Iterator[Callable[[str, float], None]]:
    """A ``progress(stage, fraction)`` callback drawing a rich progress bar on a terminal."""
    if not enabled:
        yield lambda stage, fraction: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description:<18}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("starting", total=1.0)

        def update(stage: str, fraction: float) -> None:
            bar.update(task, description=stage, completed=max(0.0, min(1.0, fraction)))

        yield update


def show_progress(args: argparse.Namespace) -> bool:
    return not getattr(args, "quiet", False) and sys.stdout.isatty()


def load_mission_arg(path: str) -> tuple[Mission, Path]:
    """Load the MISSION argument; a preset name is accepted where no such file exists."""
    from core import api

    if not Path(path).exists() and not any(sep in path for sep in "/\\"):
        if path in api.preset_names():
            return api.load_preset(path), api.preset_path(path).parent
        hint = _did_you_mean(path, api.preset_names())
        if hint:
            raise UsageError(f"{path}: no such file or preset{hint}")
    return api.load_mission(path), Path(path).resolve().parent


@contextmanager
def named_after(path: str, mission: Mission) -> Iterator[None]:
    """Refusals raised while running (the memory estimate) name the mission by title: name the file instead."""
    from core.mission.errors import MissionError

    try:
        yield
    except MissionError as exc:
        if exc.source != mission.name:
            raise
        raise MissionError(Path(path).name, exc.problems) from None


def mission_inputs(path: str, mission: Mission, base_dir: Path) -> list[Path]:
    """The files a run of the MISSION argument reads (the mission or preset file, its orbit files)."""
    from core import api
    from core.mission.io import input_files

    source = Path(path) if Path(path).exists() else api.preset_path(path)
    return input_files(mission, source, base_dir)


def _did_you_mean(word: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def write_results_json(document: dict, path: Path) -> None:
    """Write the results document; refuses (internal error) a NaN or infinity, naming its key."""
    from core.mission.atomic import atomic_write_text

    atomic_write_text(path, dumps_results(document))


def dumps_results(document: dict) -> str:
    """The results document as strict JSON (no ``NaN``/``Infinity`` tokens, which JSON does not have)."""
    try:
        return json.dumps(document, indent=2, allow_nan=False) + "\n"
    except ValueError:
        raise RuntimeError(f"the results hold a non-finite number at {_first_non_finite(document)}") from None


def _first_non_finite(data: Any, path: str = "") -> str:
    import math

    stack = [(data, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return where or "the top level"
        if isinstance(item, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in item.items())
        elif isinstance(item, (list, tuple)):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(item))
    return "an unknown key"


# --------------------------------------------------------------------------- commands


def cmd_presets(args: argparse.Namespace) -> int:
    from core import api

    from rich.console import Console
    from rich.table import Table as RichTable

    view = RichTable(title="Built-in missions", title_justify="left")
    view.add_column("preset")
    view.add_column("name")
    view.add_column("satellites", justify="right")
    for name in api.preset_names():
        mission = api.load_preset(name)
        view.add_row(name, mission.name, str(_count_satellites(mission)))
    Console().print(view)
    return EXIT_OK


def _count_satellites(mission: Mission) -> str:
    from core.orbits.shells import satellite_count

    return f"{satellite_count(mission, None):,}"


def cmd_new(args: argparse.Namespace) -> int:
    from core import api
    from core.export._files import check_file_target
    from core.mission.io import atomic_write_text

    try:
        source = api.preset_path(args.preset)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    from core.export._files import refuse_overwriting_inputs

    refuse_overwriting_inputs([("-o", args.output, False)], [source])
    target = check_file_target(args.output)
    if target.exists() and not args.force:
        raise UsageError(f"{target}: already exists (use --force to overwrite)")
    atomic_write_text(target, source.read_text(encoding="utf-8"))
    api.load_mission(target)  # the copy must load as it is
    if not args.quiet:
        print(f"wrote {target} from preset {args.preset!r}")
    return EXIT_OK


def cmd_analyze(args: argparse.Namespace) -> int:
    from core import api
    from core.analysis.tables import print_tables
    from core.export._files import check_dir_target, check_file_target, refuse_overwriting_inputs
    from core.export.commands import check_report_target, write_outputs, write_report

    mission, base_dir = load_mission_arg(args.mission)
    outputs = [("--json", args.json, False), ("--out", args.out, True), ("--report", args.report, False)]
    refuse_overwriting_inputs([o for o in outputs if o[1]], mission_inputs(args.mission, mission, base_dir))
    given = [Path(o[1]).resolve() for o in outputs if o[1]]
    if len(set(given)) < len(given):
        raise UsageError("two output options name the same path; give each its own")
    json_path = check_file_target(args.json) if args.json else None
    out_dir = check_dir_target(args.out) if args.out else None
    report_path = check_report_target(args.report) if args.report else None
    executor = analysis_executor(args)
    tasks = TaskProgress(executor) if executor is not None and not args.quiet else None
    finished = False
    try:
        with progress_reporter(show_progress(args) and executor is None) as progress, named_after(args.mission, mission):
            results = api.analyze(mission, base_dir, progress=tasks.stage if tasks else progress,
                                  executor=tasks.counter if tasks else executor)
        finished = True
    finally:
        if tasks is not None:
            tasks.close()
        if executor is not None:
            executor.close(cancel=not finished)
    document = api.results_document(results)
    written = []
    if json_path is not None:
        write_results_json(document, json_path)
        written.append(f"results written to {json_path}")
    if out_dir is not None:
        files = write_outputs(results, out_dir)
        written.append(f"{len(files)} files written to {out_dir}")
    if report_path is not None:
        write_report(results, report_path)
        written.append(f"report written to {report_path}")
    if not args.quiet:
        print_tables(summary_tables(results))
        print("\n".join(written)) if written else None
    return EXIT_OK


def analysis_executor(args: argparse.Namespace) -> Executor | None:
    """The executor ``--scheduler ADDRESS`` or ``--workers N`` ask for (None: every stage in this process).

    ``--workers N`` is a pool of N local processes (:class:`core.study.run.LocalExecutor`, as
    for ``starnet sweep``), not a local Dask cluster: the tasks and their exact merge are the
    same, and a plain process pool needs no scheduler, ports or worker memory monitor that
    could restart a worker in the middle of a block. ``--workers 0`` runs the tasks here.
    """
    from core.study.run import make_executor

    scheduler, workers = getattr(args, "scheduler", None), getattr(args, "workers", None)
    if scheduler is None and workers is None:
        return None
    if scheduler is not None and workers is not None:
        raise UsageError("give --scheduler ADDRESS or --workers N, not both")
    if workers is not None and workers < 0:
        raise UsageError(f"--workers: must be 0 or more, not {workers}")
    if scheduler is not None and not re.fullmatch(r"([a-z]+://)?[^\s:/]+:\d+/?", scheduler.strip()):
        raise UsageError(f"--scheduler: {scheduler!r} is not a Dask scheduler address (HOST:PORT or tcp://HOST:PORT)")
    return make_executor(scheduler, workers)


def cmd_export(args: argparse.Namespace) -> int:
    from core.export.commands import check_export_args, run_export

    mission, base_dir = load_mission_arg(args.mission)
    check_export_args(args, mission_inputs(args.mission, mission, base_dir))
    with progress_reporter(show_progress(args)) as progress, named_after(args.mission, mission):
        lines = run_export(mission, base_dir, args, progress=progress)
    if not args.quiet:
        print("\n".join(lines))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from core import api
    from core.export._files import refuse_overwriting_inputs
    from core.export.commands import check_report_target, run_report

    mission, base_dir = load_mission_arg(args.mission)
    refuse_overwriting_inputs([("--output", args.output, False)], mission_inputs(args.mission, mission, base_dir))
    target = check_report_target(args.output)
    with progress_reporter(show_progress(args)) as progress, named_after(args.mission, mission):
        results = api.analyze(mission, base_dir, progress=progress)
    run_report(results, target)
    if not args.quiet:
        print(f"report written to {target}")
    return EXIT_OK


def summary_tables(results: Results) -> list:
    """The tables ``starnet analyze`` prints: the mission and shells, then each section's own."""
    from core.analysis.tables import Table

    eph = results.ephemeris
    mission = results.mission
    head = Table(
        title=f"{mission.name} — {eph.n_sat:,} satellites, {eph.n_time:,} epochs from {eph.time.iso(0.0)}",
        columns=["shell", "satellites", "altitude km", "inclination deg", "period min", "RAAN drift deg/day", "propagator"],
        rows=[[s.name, s.n_sat, s.altitude_km, s.inclination_deg, s.period_s / 60.0, s.raan_drift_deg_per_day, s.propagator] for s in eph.shells],
    )
    tables = [head]
    for key, section in results.sections():
        if key == "insight":  # times with their units and, when a model cannot keep up, why
            from core.export.report.content import insight_gains_table, insight_table

            tables += [insight_table(section.to_json()), insight_gains_table(section.to_json())]
        else:
            tables.extend(section.tables())
    return tables


def cmd_sweep(args: argparse.Namespace) -> int:
    from core.study.commands import run_sweep

    return run_sweep(args)


def cmd_design(args: argparse.Namespace) -> int:
    from core.study.design_commands import run_design

    return run_design(args)


# --------------------------------------------------------------------------- parser


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "presets": cmd_presets,
    "new": cmd_new,
    "analyze": cmd_analyze,
    "export": cmd_export,
    "report": cmd_report,
    "sweep": cmd_sweep,
    "design": cmd_design,
}


def build_parser() -> argparse.ArgumentParser:
    """The ``starnet`` parser with the headless subcommands (``app.cli`` adds gui/screenshot)."""
    parser = argparse.ArgumentParser(prog="starnet", description="StarNet Studio: design computing constellations.")
    parser.add_argument("--version", action="version", version=f"starnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("analyze", help="run every analysis headless and print a summary")
    p.add_argument("mission", metavar="MISSION", help="mission file (YAML/JSON) or preset name")
    p.add_argument("--json", metavar="FILE", help="write the results document")
    p.add_argument("--out", metavar="DIR", help="also write CSV time series and exports into DIR")
    p.add_argument("--report", metavar="FILE", help="also write the report (.pdf or .html)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="split the stages into tasks on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--workers", type=int, metavar="N",
                   help="split the stages into tasks on N local worker processes (0: in this process)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")

    p = sub.add_parser("presets", help="list the built-in missions")

    p = sub.add_parser("new", help="write a built-in mission out as a mission file")
    p.add_argument("--preset", required=True, metavar="NAME")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.add_argument("--quiet", action="store_true")

    from core.export.commands import add_parsers as add_export_parsers
    from core.study.commands import add_parser as add_sweep_parser

    add_export_parsers(sub)
    add_sweep_parser(sub)
    from core.study.design_commands import add_parser as add_design_parser

    add_design_parser(sub)
    return parser


def run(args: argparse.Namespace, commands: dict[str, Callable[[argparse.Namespace], int]] | None = None) -> int:
    """Run a parsed command and map errors to exit codes with one clear message each."""
    from core.export._files import ExportError
    from core.mission.errors import MissionError

    table = commands or COMMANDS
    show_mission_warnings()
    try:
        code = table[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not as an error at interpreter exit
        return code
    except MissionError as exc:
        _stderr(str(exc))
        return EXIT_USAGE
    except (UsageError, ExportError) as exc:
        _stderr(f"starnet: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _stderr("starnet: interrupted")
        return 130
    except BrokenPipeError:
        _quiet_broken_pipe()
        return EXIT_BROKEN_PIPE
    except SystemExit as exc:  # rich's console ends a broken pipe with SystemExit(1): give it the usual code
        if isinstance(exc.__context__, BrokenPipeError):
            _quiet_broken_pipe()
            return EXIT_BROKEN_PIPE
        raise
    except MemoryError:
        _stderr("starnet: the run needs more memory than this machine has; shorten analysis.duration_s, raise "
                "analysis.step_s or use fewer satellites")
        return EXIT_USAGE
    except Exception as exc:  # anything else is a bug: one line, and the traceback only on request
        if os.environ.get("STARNET_DEBUG"):
            raise
        _stderr(f"starnet: internal error: {type(exc).__name__}: {str(exc)[:500]} (this is a bug, please report it with "
                "the mission file; set STARNET_DEBUG=1 for the traceback)")
        return EXIT_ERROR


def _quiet_broken_pipe() -> None:
    """The reader of stdout went away (``starnet ... | head``): stop quietly, no second error at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def show_mission_warnings() -> None:
    """Print :class:`~core.mission.errors.MissionWarning` as one ``starnet: warning:`` line on stderr."""
    import warnings

    from core.mission.errors import MissionWarning

    previous = warnings.showwarning
    if getattr(previous, "starnet", False):
        return

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: TextIO | None = None,
             line: str | None = None) -> None:
        if issubclass(category, MissionWarning):
            _stderr(f"starnet: warning: {message}")
        else:
            previous(message, category, filename, lineno, file, line)

    show.starnet = True  # type: ignore[attr-defined]
    warnings.showwarning = show
    # The engine says "the window leaves the time tables" once (core.orbits.epoch_check); drop the raw copies.
    for raw in (".*dubious year.*", "Tried to get polar motions.*", ".*times are outside of range covered by IERS table.*"):
        warnings.filterwarnings("ignore", message=raw)


def main(argv: list[str] | None = None) -> int:
    """Headless entry point (``python -m core.cli``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    return run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
