"""The ``export`` and ``report`` subcommands, and ``analyze --out/--report``, minus the CLI plumbing.

``core.cli`` owns argument parsing, mission loading and exit codes; it calls these with
objects it has already loaded (``core.export`` may not import ``core.cli``)::

    add_parsers(subparsers)                        # registers "export" and "report"
    check_export_args(args)                        # before any work: targets writable, something chosen
    messages = run_export(mission, base_dir, args, progress=...)
    check_report_target(path); run_report(results, path)
    write_outputs(results, out_dir)                # analyze --out DIR
    write_report(results, path)                    # analyze --report FILE

User-fixable problems raise :class:`ExportError` (a ``ValueError``); the CLI prints it and
exits with 2. Every file is written to a temporary name and renamed, and folders are
filled through a temporary sibling, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from core.export._files import ExportError, check_dir_target, check_file_target, refuse_overwriting_inputs
from core.export.report import report_kind, write_report

if TYPE_CHECKING:
    from core.analysis.pipeline import Results
    from core.mission.model import Mission

ProgressFn = Callable[[str, float], None]

FILE_OPTIONS = ("czml", "omm", "tle", "geojson")
DIR_OPTIONS = ("oem", "csv", "hypatia")


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Register ``export`` and ``report`` on ``starnet``'s subparsers (CONTRACT §2)."""
    p = subparsers.add_parser("export", help="write exchange formats: CZML, CCSDS OEM/OMM, TLE, GeoJSON, CSV",
                              description="Write the mission's orbits and results in exchange formats. "
                                          "Give one or more of the options; folders are created if missing.")
    p.add_argument("mission", metavar="MISSION", help="mission file (YAML/JSON) or preset name")
    p.add_argument("--czml", metavar="FILE", help="CZML document for Cesium (satellites, stations, links over time)")
    p.add_argument("--oem", metavar="DIR", help="one CCSDS OEM (KVN) ephemeris file per satellite into DIR")
    p.add_argument("--omm", metavar="FILE", help="CCSDS OMM mean elements of every satellite (.xml, .kvn or .json)")
    p.add_argument("--tle", metavar="FILE", help="three-line element sets of the satellites whose catalogue numbers fit")
    p.add_argument("--geojson", metavar="FILE", help="GeoJSON ground tracks and ground stations")
    p.add_argument("--csv", metavar="DIR", help="CSV files of every time series and table into DIR")
    p.add_argument("--hypatia", metavar="DIR", help="Hypatia's satellite network (tles.txt, isls.txt, ground_stations.txt, "
                                                    "description.txt) into DIR, for its ns-3 simulations")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")

    p = subparsers.add_parser("report", help="write the analyst's report (PDF or HTML)",
                              description="Run every analysis and write a report: PDF or self-contained HTML by suffix.")
    p.add_argument("mission", metavar="MISSION", help="mission file (YAML/JSON) or preset name")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the report, FILE.pdf or FILE.html")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _chosen(args: argparse.Namespace) -> list[str]:
    return [name for name in ("czml", "oem", "omm", "tle", "geojson", "csv", "hypatia") if getattr(args, name, None)]


def check_export_args(args: argparse.Namespace, inputs: Iterable[Path] = ()) -> None:
    """Check, before any computation, that something is asked for and every target is writable.

    ``inputs`` are the files the run reads (:func:`core.mission.io.input_files`); a target
    that is one of them, links to one, or (a folder) holds one is refused. Missing folders
    above a file target are allowed: they are created when the file is written.
    """
    chosen = _chosen(args)
    if not chosen:
        raise ExportError("nothing to export: give at least one of --czml FILE, --oem DIR, --omm FILE, --tle FILE, "
                          "--geojson FILE, --csv DIR, --hypatia DIR")
    refuse_overwriting_inputs([(f"--{name}", getattr(args, name), name in DIR_OPTIONS) for name in chosen], inputs)
    targets = [Path(getattr(args, name)).resolve() for name in chosen]
    if len(set(targets)) < len(targets):
        raise ExportError("two export options name the same path; give each its own")
    for name in chosen:
        value = getattr(args, name)
        if name in DIR_OPTIONS:
            check_dir_target(value)
        else:
            check_file_target(value, make_parents=True)
    omm = getattr(args, "omm", None)
    if omm and Path(omm).suffix.lower() not in ("", ".xml", ".kvn", ".txt", ".omm", ".json"):
        raise ExportError(f"{omm}: unknown OMM file type {Path(omm).suffix!r} (use .xml, .kvn or .json)")


def needs_full_analysis(args: argparse.Namespace) -> bool:
    """CSV needs every analysis; the other formats need only the orbits (and the links for CZML)."""
    return bool(getattr(args, "csv", None))


def run_export(mission: Mission, base_dir: Path | None, args: argparse.Namespace, progress: ProgressFn | None = None,
               results: Results | None = None) -> list[str]:
    """Compute what the chosen formats need (once) and write them; returns one line per thing written.

    ``results`` may be given when the caller has already analysed the mission.
    """
    from core.analysis.pipeline import run_analysis
    from core.orbits.ephemeris import build_ephemeris

    check_export_args(args)
    report = progress or (lambda stage, fraction: None)
    if results is None and needs_full_analysis(args):
        results = run_analysis(mission, base_dir, progress=lambda s, f: report(s, 0.7 * f))
    eph = results.ephemeris if results is not None else build_ephemeris(mission, base_dir, progress=lambda s, f: report(s, 0.5 * f))
    lines: list[str] = []
    for name in FILE_OPTIONS:
        if getattr(args, name, None):
            Path(getattr(args, name)).parent.mkdir(parents=True, exist_ok=True)
    if args.oem:
        from core.export.ccsds import write_oem_dir

        report("OEM", 0.7)
        paths = write_oem_dir(eph, args.oem, mission.name)
        lines.append(f"wrote {len(paths)} OEM ephemeris file(s) to {args.oem}")
    if args.omm:
        from core.export.ccsds import write_omm

        report("OMM", 0.75)
        lines.append(f"wrote {write_omm(eph, args.omm)} OMM record(s) to {args.omm}")
    if args.tle:
        from core.export.tle import write_tle

        report("TLE", 0.8)
        done = write_tle(eph, args.tle)
        lines.append(f"wrote {done.written} TLE(s) to {args.tle}")
        for name, why in done.skipped[:10]:
            lines.append(f"  skipped {name}: {why}")
        if len(done.skipped) > 10:
            lines.append(f"  ... and {len(done.skipped) - 10} more skipped (all are in the OMM export)")
    if getattr(args, "geojson", None):
        from core.export.geojson import write_geojson

        report("GeoJSON", 0.85)
        n = write_geojson(eph, args.geojson, mission)
        lines.append(f"wrote {n} GeoJSON feature(s) to {args.geojson}")
    if args.czml:
        from core.export.czml import write_czml

        report("CZML", 0.9)
        if results is not None:
            n = write_czml(results, args.czml)
        else:
            from core.analysis.topology import compute_topology

            n = write_czml(None, args.czml, ephemeris=eph, mission=mission, topology=compute_topology(mission, eph, base_dir))
        lines.append(f"wrote {n} CZML packet(s) to {args.czml}")
    if getattr(args, "hypatia", None):
        from core.analysis.topology import compute_topology
        from core.export.hypatia import write_hypatia_dir

        report("Hypatia", 0.92)
        topology = results.topology if results is not None else None
        topology = topology if topology is not None else compute_topology(mission, eph, base_dir)
        hyp = write_hypatia_dir(mission, eph, topology, args.hypatia, base_dir)
        lines.append(f"wrote Hypatia's tles.txt ({hyp.satellites} satellites), isls.txt ({hyp.isls} links), "
                     f"ground_stations.txt ({hyp.ground_stations}), gsl_interfaces_info.txt and description.txt to {args.hypatia}")
        lines += [f"  note: {note}" for note in hyp.notes]
    if args.csv:
        from core.export.csv import write_csv_dir

        report("CSV", 0.95)
        assert results is not None  # needs_full_analysis(args) ran the analysis above
        paths = write_csv_dir(results, args.csv)
        lines.append(f"wrote {len(paths)} CSV file(s) to {args.csv}")
    report("done", 1.0)
    return lines


def check_report_target(path: str | Path) -> Path:
    """The report path if its suffix is .pdf/.html and its folder is writable; else :class:`ExportError`."""
    report_kind(path)
    return check_file_target(path)


def run_report(results: Results, path: str | Path) -> Path:
    """Write the report of already-computed ``results`` (PDF or HTML by suffix)."""
    check_report_target(path)
    return write_report(results, path)


def write_outputs(results: Results, out_dir: str | Path) -> list[Path]:
    """``analyze --out DIR``: CSV series, CZML, GeoJSON, OMM, TLE and per-satellite OEM, all from ``results``.

    Layout: ``DIR/csv/*.csv``, ``DIR/oem/*.oem``, ``DIR/<mission>.czml``, ``.geojson``,
    ``.omm.xml``, ``.tle``. The folder is created if missing and filled all or nothing.
    """
    from core.export._files import MARKER, safe_name, staged_dir
    from core.export.ccsds import write_oem_dir, write_omm
    from core.export.csv import write_csv_dir
    from core.export.czml import write_czml
    from core.export.geojson import write_geojson
    from core.export.tle import tle_export

    check_dir_target(out_dir)
    eph = results.ephemeris
    stem = safe_name(results.mission.name)
    with staged_dir(out_dir) as stage:
        write_csv_dir(results, stage / "csv")
        write_oem_dir(eph, stage / "oem", results.mission.name)
        write_czml(results, stage / f"{stem}.czml")
        write_geojson(results, stage / f"{stem}.geojson")
        write_omm(eph, stage / f"{stem}.omm.xml")
        tle = tle_export(eph)
        if tle.written:
            (stage / f"{stem}.tle").write_text(tle.text, encoding="utf-8")
        written = sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file() and p.name != MARKER)
    return [Path(out_dir) / p for p in written]


__all__ = ["ExportError", "add_parsers", "check_export_args", "check_report_target", "run_export", "run_report",
           "write_outputs", "write_report"]
