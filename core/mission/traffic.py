"""The ``traffic:`` section of a mission: demands carried through the constellation.

Either explicit demands between named places::

    traffic:
      demands:
        - {from: New York, to: London, gbps: 40}
        - {from: Tokyo, to: Sydney, gbps: 10}

or a gravity model over the most populous cities of the built-in catalogue (demand between
two cities proportional to the product of their populations, scaled to ``total_gbps``)::

    traffic:
      gravity: {total_gbps: 500, cities: 20}

:mod:`core.analysis.traffic` routes them epoch by epoch and shares the link capacities
max-min fairly.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from core.mission.strict import Strict


class _Strict(Strict):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False, populate_by_name=True,
                              serialize_by_alias=True)


class TrafficDemand(_Strict):
    """One demand: a constant offered rate from one place to another (one direction)."""

    from_: str = Field(alias="from", description="sending place: a ground station, a mission city or a catalogue city")
    to: str = Field(description="receiving place")
    gbps: float = Field(gt=0, le=1e9, description="offered rate, Gbit/s")


class Gravity(_Strict):
    """Demands between the most populous catalogue cities, proportional to the product of their populations."""

    total_gbps: float = Field(gt=0, le=1e9, description="sum of all offered demands, Gbit/s")
    cities: int = Field(20, ge=2, le=100, description="how many of the catalogue's most populous cities take part (100 cities: 9,900 demands, ~0.3 s per epoch on a 1,584-satellite shell)")
    places: list[str] | None = Field(None, max_length=100, description="these catalogue cities instead of the most populous ones (at most 100)")
    both_directions: bool = Field(True, description="a demand each way between two cities (each half the pair's share)")


class Traffic(_Strict):
    """Traffic offered to the constellation and how it is routed."""

    demands: list[TrafficDemand] | None = Field(None, description="explicit demands [{from, to, gbps}]")
    gravity: Gravity | None = Field(None, description="a gravity model over catalogue cities instead of explicit demands")
    routing: Literal["shortest", "k-shortest"] = Field(
        "shortest", description="shortest path per demand per epoch, or split evenly over `paths` shortest paths")
    paths: int = Field(3, ge=1, le=8, description="with k-shortest: paths per demand (each found after penalising the links already used)")
    gateway_gbps: float | None = Field(
        None, gt=0, le=1e9, description="capacity of each place's access (all its up or all its down links together); none = no limit beyond the satellites' ground links")

    @model_validator(mode="after")
    def _one_source(self) -> "Traffic":
        if (self.demands is None) == (self.gravity is None):
            raise ValueError("give either demands or gravity")
        if self.demands is not None and not self.demands:
            raise ValueError("demands: the list is empty")
        return self

    def routes_per_demand(self) -> int:
        """Paths each demand is split over at each epoch."""
        return self.paths if self.routing == "k-shortest" else 1
