"""Named places on the ground: the mission's ground stations and cities, then the built-in catalogue.

A place's elevation mask is its own for a ground station, and the mission's
``analysis.min_elevation_deg`` (the user-terminal mask) for a city.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from core.catalog.cities import find_city

if TYPE_CHECKING:  # the catalogue is the lowest layer: it reads a mission, never imports one
    from core.mission.model import Mission


@dataclass(frozen=True)
class Place:
    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    min_elevation_deg: float
    kind: Literal["station", "city"]


def ground_stations(mission: Mission) -> list[Place]:
    """The mission's ground stations, in file order."""
    return [Place(s.name, s.lat_deg, s.lon_deg, s.alt_m, s.min_elevation_deg, "station") for s in mission.ground_stations]


def find_place(mission: Mission, name: str) -> Place | None:
    """A station or city by name (mission stations, mission cities, then the catalogue); ``None`` if unknown."""
    for station in ground_stations(mission):
        if station.name == name:
            return station
    mask = mission.analysis.min_elevation_deg
    for city in mission.cities:
        if city.name == name:
            return Place(city.name, city.lat_deg, city.lon_deg, city.alt_m, mask, "city")
    found = find_city(name)
    if found is not None:
        return Place(found.name, found.lat_deg, found.lon_deg, 0.0, mask, "city")
    return None


def resolve_place(mission: Mission, name: str) -> Place:
    """Like :func:`find_place` but raises ``KeyError`` for an unknown name."""
    place = find_place(mission, name)
    if place is None:
        raise KeyError(f"unknown place {name!r}: not a ground station, a mission city or a catalogue city")
    return place


def mission_places(mission: Mission) -> list[Place]:
    """Every place the mission names: its stations, its cities, and the ends of its latency pairs."""
    places: dict[str, Place] = {p.name: p for p in ground_stations(mission)}
    mask = mission.analysis.min_elevation_deg
    for city in mission.cities:
        places.setdefault(city.name, Place(city.name, city.lat_deg, city.lon_deg, city.alt_m, mask, "city"))
    for pair in mission.latency_pairs:
        for name in pair:
            if name not in places:
                place = find_place(mission, name)
                if place is not None:
                    places[name] = place
    return list(places.values())
