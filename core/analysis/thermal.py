"""Radiator sizing: the area that rejects a satellite's dissipated power.

A flat, one-sided radiator at temperature ``T`` with emissivity ``eps`` that sees deep space
at ``T_sink`` and the Earth with view factor ``F`` rejects, per square metre,

    q_net = eps sigma (T^4 - T_sink^4)  -  eps q_IR F  -  alpha S a F

where ``q_IR`` = 237 W/m2 is the Earth's outgoing infrared, ``S`` = 1361 W/m2 the solar
constant, ``a`` = 0.3 the Earth's Bond albedo (worst case: the sub-solar point under the
satellite) and ``alpha`` the coating's solar absorptivity. The radiator is assumed edge-on
to the Sun (no direct sunlight; a design that cannot keep it so needs a larger margin).
The area is ``A = Q / q_net``; ``q_net <= 0`` means the radiator cannot reject anything and
the area is infinite. Mass is ``A x radiator_kg_per_m2``.

View factors from a flat plate to a spherical Earth at ``H = (R + h) / R``:
``nadir`` (facing the Earth) ``F = 1 / H^2``; ``zenith`` ``F = 0``; ``side`` (normal
horizontal) ``F = (atan(1 / sqrt(H^2 - 1)) - sqrt(H^2 - 1) / H^2) / pi``.
"""

from __future__ import annotations

import numpy as np

from core.orbits.elements import R_EARTH_KM

SIGMA_W_M2_K4 = 5.670374419e-8
SOLAR_CONSTANT_W_M2 = 1361.0
EARTH_IR_W_M2 = 237.0
EARTH_ALBEDO = 0.3


def earth_view_factor(altitude_km: float, facing: str = "side") -> float:
    """View factor from a flat plate at ``altitude_km`` to the Earth (see the module docstring)."""
    H = (R_EARTH_KM + altitude_km) / R_EARTH_KM
    if facing == "nadir":
        return float(1.0 / H**2)
    if facing == "zenith":
        return 0.0
    if facing == "side":
        root = np.sqrt(H**2 - 1.0)
        return float((np.arctan(1.0 / root) - root / H**2) / np.pi)
    raise ValueError(f"unknown radiator facing {facing!r}")


def radiator_flux_w_m2(
    radiator_temp_c: float,
    emissivity: float,
    absorptivity: float,
    sink_temp_k: float,
    view_factor: float,
) -> dict[str, float]:
    """Emitted, absorbed and net heat flux (W/m2) of one square metre of radiator."""
    t = radiator_temp_c + 273.15
    emitted = emissivity * SIGMA_W_M2_K4 * (t**4 - sink_temp_k**4)
    ir = emissivity * EARTH_IR_W_M2 * view_factor
    albedo = absorptivity * SOLAR_CONSTANT_W_M2 * EARTH_ALBEDO * view_factor
    return {"emitted_w_m2": emitted, "earth_ir_w_m2": ir, "albedo_w_m2": albedo, "net_w_m2": emitted - ir - albedo}


def radiator_area_m2(heat_w: float, net_flux_w_m2: float) -> float:
    """Area rejecting ``heat_w`` at ``net_flux_w_m2``; infinite when the net flux is not positive."""
    if heat_w <= 0:
        return 0.0
    return float(heat_w / net_flux_w_m2) if net_flux_w_m2 > 0 else float("inf")


def size_radiator(bus, altitude_km: float, heat_w: float) -> dict[str, float]:
    """Radiator sizing of one bus at ``altitude_km`` dissipating ``heat_w``.

    Returns ``view_factor``, the fluxes of :func:`radiator_flux_w_m2`, ``radiator_m2``
    and ``radiator_mass_kg``.
    """
    f = earth_view_factor(altitude_km, bus.radiator_facing)
    flux = radiator_flux_w_m2(bus.radiator_temp_c, bus.radiator_emissivity, bus.radiator_absorptivity, bus.radiator_sink_temp_k, f)
    area = radiator_area_m2(heat_w, flux["net_w_m2"])
    return {"view_factor": f, **flux, "radiator_m2": area, "radiator_mass_kg": area * bus.radiator_kg_per_m2}
