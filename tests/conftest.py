"""Suite-wide settings.

Property tests (hypothesis) explore new cases on every developer run, but CI (``CI=true``)
replays a fixed sequence, so that a landing is judged on the cases the change was tested with;
a new case the fuzz finds on a developer's machine becomes a fix and a test of its own.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
