"""The built-in city catalogue (``resources/cities.yaml``, from GeoNames, CC BY 4.0).

Latency pairs may name any of these cities without defining them in the mission::

    >>> from core.catalog.cities import find_city
    >>> london = find_city("london")
    >>> round(london.lat_deg, 1), round(london.lon_deg, 1)
    (51.5, -0.1)

Lookups with :func:`find_city` ignore case, accents and surrounding spaces
(``"São Paulo"`` finds ``Sao Paulo``); the catalogue itself keys cities by their exact name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import yaml

from core.resources import resource_path


@dataclass(frozen=True)
class CatalogCity:
    """A city of the catalogue; ``country`` is the ISO 3166-1 alpha-2 code."""

    name: str
    country: str
    lat_deg: float
    lon_deg: float
    population: int


def normalize_name(name: str) -> str:
    """The form names are compared in: case-folded, accents dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKD", name.replace("\u2019", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split()).casefold()


@lru_cache(maxsize=1)
def city_catalog() -> dict[str, CatalogCity]:
    """Every city by exact name, most populous first (read once, then cached)."""
    with open(resource_path("cities.yaml"), encoding="utf-8") as handle:
        doc = yaml.safe_load(handle) or {}
    catalog: dict[str, CatalogCity] = {}
    for row in doc.get("cities") or []:
        city = CatalogCity(
            name=str(row["name"]),
            country=str(row["country"]),
            lat_deg=float(row["lat_deg"]),
            lon_deg=float(row["lon_deg"]),
            population=int(row.get("population", 0)),
        )
        catalog[city.name] = city
    return catalog


@lru_cache(maxsize=1)
def _by_normalized_name() -> dict[str, CatalogCity]:
    return {normalize_name(name): city for name, city in city_catalog().items()}


def find_city(name: str) -> CatalogCity | None:
    """The catalogue city called ``name`` (case- and accent-insensitive), or ``None``."""
    exact = city_catalog().get(name)
    if exact is not None:
        return exact
    return _by_normalized_name().get(normalize_name(name))
