"""The ``--time`` and ``--size`` of a picture: checked without Qt where they can be, so a bad one fails at once."""

from __future__ import annotations

from datetime import UTC, datetime


class BadTime(ValueError):
    """A ``--time`` that cannot be shown: not an ISO time, or outside the analysis window."""


class BadSize(ValueError):
    """A ``--size`` the window cannot take exactly (smaller than its smallest layout)."""


def parse_time_utc(text: str) -> datetime:
    """An ISO 8601 UTC time (``2026-03-20T01:00:00Z``) as an aware datetime; :class:`BadTime` says why not."""
    try:
        when = datetime.fromisoformat(text.strip().upper())  # "...t01:00:00z" too
    except ValueError:
        raise BadTime(f"--time: {text!r} is not an ISO 8601 UTC time such as 2026-03-20T01:00:00Z") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def time_offset_s(mission, text: str) -> float:
    """Seconds from the mission epoch to ``text``; :class:`BadTime` when it lies outside the analysis window.

    Refused rather than clamped: the globe, the map and the time bar would otherwise disagree.
    """
    when = parse_time_utc(text)
    epoch = mission.epoch if mission.epoch.tzinfo else mission.epoch.replace(tzinfo=UTC)
    t = (when - epoch).total_seconds()
    duration = float(mission.analysis.duration_s)
    if not 0.0 <= t <= duration:
        end = epoch.timestamp() + duration
        span = f"{epoch:%Y-%m-%dT%H:%M:%SZ} .. {datetime.fromtimestamp(end, UTC):%Y-%m-%dT%H:%M:%SZ}"
        raise BadTime(f"--time: {text} is outside the analysis window {span}")
    return t
