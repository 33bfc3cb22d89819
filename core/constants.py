"""Physical constants: the one place the engine and the app take the Earth model, c and mu from.

Like skyfield's ``constants.py``, this module holds numbers only and imports nothing from the
project, so every layer (``core.*`` and ``app``) may import it.

The Earth model is **WGS-84** (the ellipsoid of GPS, of the ITRS-to-geodetic conversion and of
the ground-station coordinates users type) with the **EGM-96** gravity constants SGP4's
``wgs84`` set and boinor use. Where a sphere is wanted (great circles, coverage cells) the
radius is :data:`EARTH_MEAN_RADIUS_KM`, the conventional 6371.0 km (the FAI sphere; the IUGG
mean radius R1 = 6371.0088 km differs from it by 1.4 ppm).

The **WGS-72** numbers are kept apart: SGP4's element theory and Hypatia's
``geodetic2cartesian`` are defined on them, and mixing them with WGS-84 would shift results.
"""

from __future__ import annotations

# ---- WGS-84 ellipsoid -----------------------------------------------------------------------

EARTH_RADIUS_KM = 6378.137
"""WGS-84 equatorial radius (km); also the reference radius of J2 and of "altitude = a - R"."""
WGS84_A_KM = EARTH_RADIUS_KM
"""Alias of :data:`EARTH_RADIUS_KM` for ellipsoid formulas."""
WGS84_F = 1.0 / 298.257223563
"""WGS-84 flattening."""
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
"""WGS-84 first eccentricity squared."""
WGS84_B_KM = WGS84_A_KM * (1.0 - WGS84_F)
"""WGS-84 polar radius (km), 6356.752314245."""

EARTH_MEAN_RADIUS_KM = 6371.0
"""Radius (km) of the spherical Earth used for great-circle distances and the coverage grid."""

# ---- gravity and rotation (EGM-96, as SGP4's ``wgs84`` and boinor) --------------------------

MU_EARTH_KM3_S2 = 398600.4418
"""Earth's gravitational parameter GM (km^3/s^2)."""
J2 = 1.08262668e-3
"""Earth's second zonal harmonic (unnormalised), referred to :data:`EARTH_RADIUS_KM`."""
OMEGA_EARTH_RAD_S = 7.292115e-5
"""Earth's rotation rate (rad/s)."""

# ---- light ----------------------------------------------------------------------------------

C_KM_S = 299_792.458
"""Speed of light in vacuum (km/s), exact by the SI definition of the metre."""
FIBRE_KM_S = C_KM_S * 2.0 / 3.0
"""Speed of light in optical fibre (km/s): a refractive index of 1.5."""

# ---- WGS-72 (SGP4's element theory and Hypatia's ground-station coordinates) ------------------

WGS72_A_KM = 6378.135
"""WGS-72 equatorial radius (km)."""
WGS72_F = 1.0 / 298.26
"""WGS-72 flattening."""
WGS72_MU_KM3_S2 = 398600.8
"""WGS-72 gravitational parameter (km^3/s^2), the one SGP4's mean motion is defined with."""
WGS72_J2 = 0.001082616
"""WGS-72 J2 (SGP4's ``initl``)."""
