"""Satellite designs (buses), the in-orbit workload and the cost model of a mission.

A *bus* is everything a satellite carries besides its orbit: the compute payload, the
sensor, the radio and laser terminals, and the power and thermal design that sizing uses.
Every field has a default, so a mission file may name only what it changes::

    buses:
      default:
        compute_hardware: jetson-agx-orin-64gb
        compute_units: 2
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.mission.strict import Strict




class Bus(Strict):
    """One satellite design: compute payload, sensor, links, power and thermal choices."""

    compute_hardware: str = Field("jetson-agx-orin-64gb", description="key in the hardware catalogue")
    compute_units: int = Field(1, ge=0, le=10_000, description="number of compute modules on board")
    bus_power_w: float = Field(120.0, ge=0, le=1e7, description="power of everything except the compute payload, W")
    sensor_rate_mbps: float = Field(800.0, ge=0, le=1e7, description="raw payload data rate while imaging, Mbit/s")
    sensor_duty: float = Field(0.3, ge=0, le=1, description="fraction of time the sensor images")
    downlink_mbps: float = Field(800.0, gt=0, le=1e7, description="space-to-ground link rate while in contact, Mbit/s (more than 0)")
    isl_gbps: float = Field(10.0, ge=0, le=1e5, description="rate of each inter-satellite link, Gbit/s")
    storage_tb: float = Field(4.0, ge=0, le=1e6, description="onboard storage for raw data and backlog, TB")

    # Power design (SMAD method)
    solar_cell: Literal["si", "gaas", "multi-junction"] = Field("multi-junction", description="cell technology (sets efficiency and degradation)")
    power_regulation: Literal["ppt", "det"] = Field("ppt", description="peak-power tracking or direct energy transfer")
    mission_life_years: float = Field(5.0, gt=0, le=30, description="design life for array degradation and battery cycles, years")
    array_sun_angle_deg: float = Field(23.5, ge=0, lt=90, description="worst-case sun incidence on the array")
    array_w_per_kg: float = Field(100.0, gt=0, le=1e4, description="solar array specific power at end of life, W/kg")
    battery_wh_per_kg: float = Field(150.0, gt=0, le=2000, description="battery specific energy, Wh/kg")
    battery_efficiency: float = Field(0.9, gt=0, le=1, description="battery-to-load transfer efficiency")
    battery_dod: float | None = Field(None, gt=0, le=1, description="depth of discharge; from the cycle count if omitted")
    shadow_model: Literal["cylindrical", "conical"] = Field(
        "cylindrical", description="Earth shadow: cylindrical (umbra only) or conical (umbra and penumbra)"
    )
    compute_idle_power: bool = Field(
        True,
        description="true (default): a powered compute payload never draws less than its lowest power mode, "
        "power_w_min + (power_w - power_w_min) x utilisation per unit; false: a payload switched off between jobs, "
        "power_w x units x utilisation",
    )

    # Thermal design
    radiator_temp_c: float = Field(20.0, gt=-100, lt=200, description="radiator operating temperature, deg C")
    radiator_emissivity: float = Field(0.85, gt=0, le=1, description="infrared emissivity of the radiator coating")
    radiator_absorptivity: float = Field(0.2, ge=0, le=1, description="solar absorptivity of the radiator coating")
    radiator_kg_per_m2: float = Field(5.0, gt=0, le=1000, description="radiator areal mass, kg/m2")
    radiator_sink_temp_k: float = Field(3.0, ge=0, lt=400, description="effective temperature of deep space seen by the radiator, K")
    radiator_facing: Literal["side", "nadir", "zenith"] = Field(
        "side",
        description="radiator normal: side (horizontal, sees the Earth's limb), nadir (faces the Earth) or zenith (faces away)",
    )

    # Structure and what the bus can carry
    structure_mass_kg: float = Field(30.0, ge=0, le=1e6, description="bus structure, avionics, propulsion (dry, without payload and power)")
    max_array_m2: float = Field(20.0, gt=0, le=1e6, description="largest solar array the bus can deploy")
    max_radiator_m2: float = Field(6.0, gt=0, le=1e6, description="largest radiator the bus can carry")

    # Radiation, drag and optical terminals (clusters, radiation and training analyses)
    shielding_mm_al: float = Field(
        3.0, ge=0.05, le=20.0,
        description="aluminium-equivalent shielding around the compute payload, mm (dose at the centre of an Al sphere)",
    )
    ballistic_coefficient_m2_kg: float = Field(
        0.02, gt=0, le=1.0, description="C_D x drag area / mass, m2/kg (differential drag in a cluster)",
    )
    optical_tx_power_w: float | None = Field(
        None, gt=0, le=1e6,
        description="optical ISL transmit power, W; when set, each link's rate comes from a link budget at its range "
        "(capped at isl_gbps); when omitted links run at isl_gbps",
    )
    optical_aperture_m: float = Field(0.1, gt=0, le=5, description="optical terminal aperture diameter (both ends), m")
    optical_wavelength_nm: float = Field(1550.0, gt=100, lt=20000, description="optical ISL wavelength, nm")
    optical_pointing_loss_db: float = Field(3.0, ge=0, le=60, description="pointing and tracking loss of an optical link, dB")
    optical_efficiency: float = Field(0.5, gt=0, le=1, description="optics transmission of both terminals together")
    optical_rx_w_per_gbps: float = Field(
        1.28e-8, gt=0, le=1.0,
        description="receive power needed per Gbit/s, W (1.28e-8 = 100 photons per bit at 1550 nm)",
    )

    # Fixed design (checked and throttled instead of sized; omitted: sized for the load)
    solar_array_m2: float | None = Field(
        None, gt=0, le=1e6, description="a fixed solar array area, m2: the compute is throttled to what it supplies (omitted: sized)"
    )
    battery_wh: float | None = Field(
        None, gt=0, le=1e9, description="a fixed battery capacity, Wh: the compute is throttled to what it carries through eclipse (omitted: sized)"
    )
    radiator_m2: float | None = Field(
        None, gt=0, le=1e6, description="a fixed radiator area, m2: the compute is throttled to the heat it rejects (omitted: sized)"
    )


class Workload(Strict):
    """The in-orbit processing model: how much compute a raw byte needs and what comes out."""

    ops_per_byte: float = Field(2000.0, ge=0, le=1e9, description="compute operations per raw sensor byte")
    output_ratio: float = Field(0.001, gt=0, le=1, description="result bytes per raw byte after in-orbit processing")
    ground_processing_s: float = Field(1800.0, ge=0, le=1e9, description="time a ground data centre needs per batch")
    capture_s: float = Field(60.0, ge=1, le=86400, description="length of one capture (one batch of raw data), 1 s to 1 day")
    precision: Literal["int8-dense", "int8-sparse", "fp16", "bf16"] = Field(
        "int8-dense",
        description="throughput basis the compute is sized on: dense INT8 (default), INT8 with 2:4 sparsity, "
        "FP16 or BF16 (the hardware catalogue's figure at that precision)",
    )


class CostModel(Strict):
    """Launch cost per kilogram today and as projected for the mid-2030s."""

    launch_usd_per_kg: float = Field(3600.0, gt=0, le=1e7, description="today's price (Falcon 9 class)")
    launch_usd_per_kg_2035: float = Field(200.0, gt=0, le=1e7, description="mid-2030s projection (Suncatcher paper)")
    satellite_usd: float = Field(0.0, ge=0, le=1e12, description="build cost of one satellite (0: count launch only), USD")
