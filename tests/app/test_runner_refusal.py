"""A refused analysis (a MissionError: bad input, or a run too large for the machine) reaches the status
bar as its message, naming the file and the field, with no traceback in the terminal."""

from __future__ import annotations

from core.mission.errors import MissionError, Problem
from tests.core.factories import make_mission, walker_shell

from app.workers import AnalysisRunner


def _run_failing(qtbot, exc: Exception) -> str:
    runner = AnalysisRunner(two_pass=False)

    def analyze(mission, base_dir, progress=None, cancel=None):
        raise exc

    runner.analyze = analyze
    with qtbot.waitSignal(runner.failed, timeout=10_000) as blocker:
        runner.submit(make_mission(walker_shell()))
    assert runner.wait(10)
    return blocker.args[1]


def test_a_refusal_is_its_message_without_a_traceback(qtbot, capfd) -> None:
    refusal = MissionError("big.yaml", [Problem("analysis.step_s", "the run needs about 40 GiB"),
                                        Problem("analysis.duration_s", "or a shorter window")])
    message = _run_failing(qtbot, refusal)
    assert message == "big.yaml: analysis.step_s: the run needs about 40 GiB; big.yaml: analysis.duration_s: or a shorter window"
    assert "Traceback" not in capfd.readouterr().err


def test_an_internal_error_still_prints_its_traceback(qtbot, capfd) -> None:
    message = _run_failing(qtbot, RuntimeError("kernel exploded"))
    assert message == "RuntimeError: kernel exploded"
    assert "Traceback" in capfd.readouterr().err
