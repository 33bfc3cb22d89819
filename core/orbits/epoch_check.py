"""One plain warning when the analysis window leaves the bundled Earth-orientation and leap-second tables.

Outside the IERS table (UT1-UTC, polar motion) astropy falls back to a 50-year mean, good to
about an arcsecond; past the leap-second table, future leap seconds are unknown (UTC may be
off by a second or two). ERFA and astropy report this as several raw multi-line warnings;
:func:`warn_outside_tables` says it once, as a :class:`~core.mission.errors.MissionWarning`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.mission.errors import MissionWarning

LEAP_SECONDS_SURE_UNTIL = datetime(2029, 1, 1, tzinfo=UTC)
"""ERFA calls UTC "dubious" from here on (five years past the last leap-second table update)."""


def iers_table_span() -> tuple[datetime, datetime] | None:
    """First and last day of the bundled IERS Earth-orientation table (None if it cannot be read)."""
    try:
        from astropy.time import Time
        from astropy.utils import iers

        import core.orbits.iers_offline  # noqa: F401 - keeps astropy off the network

        table = iers.earth_orientation_table.get()
        mjd = table["MJD"]
        mjd = getattr(mjd, "value", mjd)  # a Quantity in days
        first, last = (Time(float(m), format="mjd").to_datetime(UTC) for m in (mjd[0], mjd[-1]))
    except Exception:  # noqa: BLE001 - an unreadable table only costs the warning
        return None
    return first, last


def warn_outside_tables(epoch: datetime, duration_s: float) -> None:
    """Warn (once) when ``epoch .. epoch + duration_s`` leaves the IERS or the leap-second table."""
    import warnings

    start = epoch if epoch.tzinfo else epoch.replace(tzinfo=UTC)
    end = start + timedelta(seconds=float(duration_s))
    reasons = []
    span = iers_table_span()
    if span is not None and (start < span[0] or end > span[1]):
        reasons.append(f"the IERS Earth-orientation table covers {span[0]:%Y-%m-%d} to {span[1]:%Y-%m-%d}; outside it "
                       "UT1 and polar motion come from a 50-year mean (about 1 arcsec)")
    if end > LEAP_SECONDS_SURE_UNTIL:
        reasons.append(f"leap seconds after {LEAP_SECONDS_SURE_UNTIL:%Y} are unknown (UTC may be off by seconds)")
    if reasons:
        warnings.warn(MissionWarning(f"epoch: the analysis window {start:%Y-%m-%d} to {end:%Y-%m-%d} leaves the time tables: "
                                     + "; ".join(reasons)), stacklevel=2)
