"""The `starnet` entry point: subcommands, no-display fallback (no Qt needed)."""

from __future__ import annotations

import sys

from app import cli


def test_parser_has_gui_and_screenshot():
    parser = cli.build_parser()
    args = parser.parse_args(["screenshot", "default", "-o", "x.png", "--size", "800x600", "--time", "2026-03-20T01:00:00Z"])
    assert args.command == "screenshot" and args.output == "x.png" and args.size == "800x600"
    assert parser.parse_args(["gui"]).command == "gui"
    assert parser.parse_args(["presets"]).command == "presets"


def test_gui_without_display_runs_headless(monkeypatch, capsys):
    import core.cli as core_cli

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    seen = {}
    monkeypatch.setattr(core_cli, "run", lambda args: seen.setdefault("args", args) and 0)
    assert cli.main(["gui", "default"]) == 0
    assert seen["args"].command == "analyze" and seen["args"].mission == "default"
    assert "no display" in capsys.readouterr().err


def test_headless_commands_do_not_import_qt(monkeypatch):
    import core.cli as core_cli

    monkeypatch.setattr(core_cli, "run", lambda args: 0)
    before = set(sys.modules)
    assert cli.main(["presets"]) == 0
    assert not any(m.startswith("PySide6") for m in set(sys.modules) - before)
