"""``starnet design REQS.yaml -o best.yaml [--scheduler ADDRESS]``: the cheapest design meeting the requirements.

``core.cli`` wires it in like ``sweep``::

    from core.study import design_commands
    design_commands.add_parser(sub)
    COMMANDS["design"] = design_commands.run_design

Writes the mission of the best design to ``-o`` and the design report (the best design, why
the next smaller design fails, the Pareto front of the rest and why each rejected design failed)
beside it as ``<name>.design.json``. Exit code 0 when a design was found, 1 when none in the
space meets every requirement (the report is written all the same), 2 for a bad file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.study.commands import add_executor_options, check_output_folder, check_workers
from core.study.requirements import RequirementsError

if TYPE_CHECKING:
    from core.study.design import DesignOutcome

EXIT_OK, EXIT_NOT_FOUND, EXIT_INTERRUPTED = 0, 1, 130


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``design`` subcommand to ``subparsers``."""
    p = subparsers.add_parser(
        "design", help="find the cheapest constellation that meets a requirements file",
        description="Search a requirements file's design space (a Walker-aware coverage screen, then the full analysis of "
                    "the smallest candidates) and write the cheapest design that meets every requirement as a mission file, "
                    "with a report of the Pareto front of the rest and why each rejected design failed.")
    p.add_argument("requirements", metavar="REQS", help="requirements file (YAML/JSON, see docs/trade-studies.md)")
    p.add_argument("-o", "--output", required=True, metavar="BEST.yaml", help="mission file of the best design")
    p.add_argument("--report", metavar="FILE.json", help="design report (default: BEST.design.json beside the mission)")
    add_executor_options(p)
    return p


def report_path(output: Path) -> Path:
    """``best.yaml`` -> ``best.design.json``."""
    return output.with_name(output.stem + ".design.json")


def run_design(args: argparse.Namespace) -> int:
    """Run the ``design`` command; returns the exit code."""
    from core.analysis.mission_checks import engine_problems
    from core.mission.io import mission_from_dict, save_mission
    from core.study.design import design_from_requirements, write_report
    from core.study.requirements import load_requirements
    from core.study.run import make_executor

    loaded = load_requirements(args.requirements)
    out = Path(args.output)
    report = Path(args.report) if getattr(args, "report", None) else report_path(out)
    check_output_folder(out, "-o", RequirementsError)
    check_output_folder(report, "--report", RequirementsError)
    check_workers(args, RequirementsError)
    quiet = getattr(args, "quiet", False)
    show = not quiet and sys.stdout.isatty()

    def progress(stage: str, n: int) -> None:
        if show:
            print(f"\r{n} designs evaluated ({stage})", end="", flush=True)

    executor = make_executor(getattr(args, "scheduler", None), getattr(args, "workers", None))
    outcome = None
    try:
        outcome = design_from_requirements(loaded, executor, progress=progress)
    finally:
        executor.close(cancel=outcome is None or outcome.cancelled)
    if show:
        print()
    write_report(outcome, report)
    if outcome.best is not None:
        mission = mission_from_dict(outcome.best_mission, str(out), loaded.base_dir, extra_check=engine_problems)
        mission.description = (f"Found by `starnet design {Path(args.requirements).name}`: the cheapest design "
                               f"({loaded.doc.objective}) of its design space that meets every requirement.")
        save_mission(mission, out)
    if not quiet:
        print_summary(outcome, [out] if outcome.best is not None else [], report)
    if outcome.cancelled:
        print("starnet: interrupted; the report has the designs evaluated so far", file=sys.stderr)
        return EXIT_INTERRUPTED
    if outcome.best is None:
        print(f"starnet: no design of the space meets every requirement; see {report} for why each failed", file=sys.stderr)
        return EXIT_NOT_FOUND
    return EXIT_OK


def print_summary(outcome: DesignOutcome, written: list[Path], report: Path) -> None:
    """The answer, why the next smaller design fails, and the Pareto front, as rich tables."""
    from rich.console import Console

    from core.analysis.tables import Table, print_tables

    console = Console()
    counts = outcome.counts
    console.print(f"{counts['total']} designs evaluated ({counts['coverage']} coverage screens, {counts['full']} full analyses) "
                  f"in {outcome.elapsed_s:.1f} s, {outcome.rounds} rounds ({outcome.executor})")
    rows = []
    if outcome.best is not None:
        rows.append(["best", outcome.best.point.label(), _metrics_text(outcome.best.metrics), "meets every requirement"])
    smaller = outcome.nearest_smaller()
    if smaller is not None:
        rows.append(["next smaller", smaller.point.label(), _metrics_text(smaller.metrics), "; ".join(smaller.why())])
    for e in outcome.pareto()[:10]:
        rows.append(["front", e.point.label(), _metrics_text(e.metrics), e.verdict()])
    if rows:
        print_tables([Table("Design from requirements", ["", "design", "figures", "verdict"], rows)], console)
    for path in [*written, report]:
        console.print(f"wrote {path}")


def _metrics_text(metrics: dict) -> str:
    parts = []
    for key, fmt in (("satellites", "{:.0f} sats"), ("coverage_percent", "{:.2f} % meets coverage"),
                     ("launch_usd", "${:,.0f}"), ("mass_kg", "{:,.0f} kg")):
        if metrics.get(key) is not None:
            parts.append(fmt.format(metrics[key]))
    return ", ".join(parts)
