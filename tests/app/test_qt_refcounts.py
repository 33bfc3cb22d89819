"""Guard against a PySide6 build that leaks references to None (6.12 on Python 3.11 aborts)."""

from __future__ import annotations

import sys

import pytest


@pytest.mark.gui
def test_qt_calls_do_not_drop_references_to_none(qtbot):
    from PySide6.QtWidgets import QStatusBar

    bar = QStatusBar()
    qtbot.addWidget(bar)
    before = sys.getrefcount(None)
    for _ in range(2000):
        bar.showMessage("x")
    assert sys.getrefcount(None) - before > -50
