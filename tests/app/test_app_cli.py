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


def test_screenshot_refuses_a_time_that_is_not_iso_at_once(capsys):
    import time

    t0 = time.perf_counter()
    assert cli.main(["screenshot", "default", "-o", "x.png", "--time", "yesterday"]) == 2
    assert time.perf_counter() - t0 < 2.0  # no analysis, no window: the argument alone is checked
    err = capsys.readouterr().err
    assert "--time" in err and "yesterday" in err and "Traceback" not in err


def test_time_outside_the_window_is_refused_not_clamped():
    import pytest

    from app.main_time import BadTime, time_offset_s
    from core import api

    m = api.load_preset("default")  # epoch 2026-03-20T00:00:00Z, 24 h window
    assert time_offset_s(m, "2026-03-20T01:30:00Z") == 5400.0
    assert time_offset_s(m, "2026-03-20T01:30:00+01:00") == 1800.0
    with pytest.raises(BadTime, match="outside the analysis window 2026-03-20T00:00:00Z .. 2026-03-21T00:00:00Z"):
        time_offset_s(m, "2026-03-22T00:00:00Z")
    with pytest.raises(BadTime, match="outside"):
        time_offset_s(m, "2026-03-19T23:59:00Z")
