"""The ``starnet`` entry point: core's headless subcommands plus ``gui`` and ``screenshot``.

Qt is imported only when ``gui`` or ``screenshot`` runs, so headless commands start fast. With
no arguments the GUI opens on the default mission; without a display ``starnet gui`` says so
and runs the headless analysis of the mission instead.
"""

from __future__ import annotations

import argparse
import os
import sys


def has_display() -> bool:
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or os.environ.get("QT_QPA_PLATFORM") == "offscreen"
    return True


def _subparsers(parser: argparse.ArgumentParser):
    for action in parser._actions:  # noqa: SLF001 - argparse has no public accessor
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return action
    return parser.add_subparsers(dest="command", metavar="COMMAND")


def build_parser() -> argparse.ArgumentParser:
    from core.cli import build_parser as core_parser

    parser = core_parser()
    sub = _subparsers(parser)
    p = sub.add_parser("gui", help="open the desktop app (default mission if none is given)")
    p.add_argument("mission", nargs="?", metavar="MISSION", help="mission file or preset name")
    p = sub.add_parser("screenshot", help="render the main window to a PNG picture")
    p.add_argument("mission", metavar="MISSION", help="mission file or preset name")
    p.add_argument("-o", "--output", required=True, metavar="FILE.png")
    p.add_argument("--time", metavar="ISO", help="UTC time to show, within the analysis window (default: the mission epoch)")
    p.add_argument("--size", metavar="WxH", default="1600x1000", help="window size in pixels, honoured exactly (from 1280x720 up; default 1600x1000)")
    return parser


def _headless_analyze(parser: argparse.ArgumentParser, mission: str | None) -> int:
    from core import cli as core_cli

    if mission is None:
        from core import api

        mission = api.preset_names()[0]
    print("starnet: no display (DISPLAY/WAYLAND_DISPLAY not set); running the headless analysis instead.", file=sys.stderr)
    return core_cli.run(parser.parse_args(["analyze", mission]))


def _screenshot(args) -> int:
    if args.time:
        from app.main_time import BadTime, parse_time_utc

        try:
            parse_time_utc(args.time)  # a bad --time fails at once, before any work
        except BadTime as err:
            print(f"starnet: {err}", file=sys.stderr)
            return 2
    if not has_display():
        print("starnet: screenshot needs a display; run it under xvfb-run on a headless machine", file=sys.stderr)
        return 2
    try:
        w, _, h = args.size.lower().partition("x")
        int(w), int(h)
    except ValueError:
        print(f"starnet: --size must look like 1600x1000, not {args.size!r}", file=sys.stderr)
        return 2
    from app.main import render_screenshot
    from app.main_time import BadSize, BadTime
    from core.mission.errors import MissionError

    try:
        out = render_screenshot(args.mission, args.output, args.time, args.size)
    except (BadTime, BadSize) as err:
        print(f"starnet: {err}", file=sys.stderr)
        return 2
    except MissionError as err:
        print(str(err), file=sys.stderr)
        return 2
    print(out)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv or ["gui"])
    if args.command == "gui":
        if not has_display():
            return _headless_analyze(parser, args.mission)
        from app.main import run_gui

        return run_gui(args.mission)
    if args.command == "screenshot":
        return _screenshot(args)
    from core import cli as core_cli

    return core_cli.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
