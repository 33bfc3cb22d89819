"""The built-in catalogues and presets: hardware, cities, preset missions, resource lookup."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from core import resources
from core.catalog import cities, hardware, presets

REFERENCE_TOPS = {
    "jetson-agx-orin-64gb": 275,
    "jetson-orin-nx-16gb": 100,
    "h100-sxm": 1979,
    "tpu-v6e": 1836,
    "three-body-sat": 744,
}


# ---- resources ----------------------------------------------------------------------------


def test_resources_dir_is_the_repo_folder():
    root = Path(__file__).resolve().parents[2]
    assert resources.resources_dir() == root / "resources"
    assert resources.resource_path("hardware.yaml").is_file()


def test_resources_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(resources.ENV_VAR, str(tmp_path))
    assert resources.resources_dir() == tmp_path.resolve()


def test_bundled_files_exist():
    base = resources.resources_dir()
    for name in ("textures/earth_2048x1024.jpg", "textures/earth_1024x512.jpg", "textures/SOURCE.md",
                 "icons/starnet.svg", "icons/starnet.png"):
        assert (base / name).is_file(), name


def test_earth_texture_sizes():
    pil = pytest.importorskip("PIL.Image")
    base = resources.resources_dir() / "textures"
    assert pil.open(base / "earth_2048x1024.jpg").size == (2048, 1024)
    assert pil.open(base / "earth_1024x512.jpg").size == (1024, 512)
    assert pil.open(resources.resources_dir() / "icons" / "starnet.png").size == (256, 256)


# ---- hardware -----------------------------------------------------------------------------


def test_hardware_has_every_reference_part_with_its_tops():
    catalog = hardware.hardware_catalog()
    assert "jetson-tx2" in catalog
    for key, tops in REFERENCE_TOPS.items():
        assert catalog[key].tops == pytest.approx(tops), key
    assert catalog["jetson-tx2"].tops == pytest.approx(1.3, abs=0.1)
    assert catalog["jetson-tx2"].tops_precision == "FP16"


def test_every_hardware_entry_is_complete():
    for key, part in hardware.hardware_catalog().items():
        assert part.key == key
        assert part.name and part.vendor and part.radiation and part.tops_precision
        assert part.source.strip(), f"{key} has no source"
        assert part.tops > 0 and part.mass_kg > 0
        assert 0 < part.power_w_min <= part.power_w, key
        if part.estimated:
            assert part.note, f"{key} is estimated but says nothing about why"


def test_unknown_parts_are_estimated():
    catalog = hardware.hardware_catalog()
    assert catalog["tpu-v6e"].estimated and "estimate" in catalog["tpu-v6e"].note
    assert catalog["three-body-sat"].estimated and "estimate" in catalog["three-body-sat"].note
    assert catalog["h100-sxm"].power_w == 700


def test_get_hardware_names_the_known_keys():
    assert hardware.get_hardware("h100-sxm").vendor == "NVIDIA"
    with pytest.raises(KeyError, match="jetson-agx-orin-64gb"):
        hardware.get_hardware("no-such-chip")


def test_hardware_is_frozen_and_cached():
    part = hardware.get_hardware("tpu-v6e")
    with pytest.raises(AttributeError):
        part.tops = 1  # type: ignore[misc]
    assert hardware.hardware_catalog() is hardware.hardware_catalog()


def test_hardware_file_notes_its_source():
    doc = yaml.safe_load(resources.resource_path("hardware.yaml").read_text(encoding="utf-8"))
    assert doc["source"]


# ---- cities -------------------------------------------------------------------------------


def test_city_catalog_is_large_and_in_range():
    catalog = cities.city_catalog()
    assert len(catalog) >= 150
    for name, city in catalog.items():
        assert name == city.name
        assert -90 <= city.lat_deg <= 90, name
        assert -180 <= city.lon_deg <= 180, name
        assert city.population > 0
        assert len(city.country) == 2


def test_city_names_are_unique_ignoring_case():
    names = [cities.normalize_name(n) for n in cities.city_catalog()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    "name, lat, lon",
    [
        ("London", 51.51, -0.13),
        ("Tokyo", 35.69, 139.69),
        ("Sydney", -33.87, 151.21),
        ("New York", 40.71, -74.01),
        ("Sao Paulo", -23.55, -46.63),
        ("Nairobi", -1.29, 36.82),
        ("Beijing", 39.91, 116.40),
    ],
)
def test_city_coordinates(name, lat, lon):
    city = cities.city_catalog()[name]
    assert city.lat_deg == pytest.approx(lat, abs=0.2)
    assert city.lon_deg == pytest.approx(lon, abs=0.2)


def test_required_cities_are_listed_by_their_common_names():
    required = ["New York", "London", "Tokyo", "Beijing", "Shanghai", "Shenzhen", "Hangzhou", "Sao Paulo",
                "Lagos", "Nairobi", "Sydney", "Singapore", "Mumbai", "Delhi", "Los Angeles", "Paris",
                "Frankfurt", "Moscow", "Johannesburg", "Cairo", "Mexico City", "Buenos Aires", "Seoul",
                "Jakarta", "Dubai", "Istanbul"]
    catalog = cities.city_catalog()
    missing = [name for name in required if name not in catalog]
    assert not missing


def test_cities_span_every_inhabited_continent():
    catalog = cities.city_catalog()
    assert sum(c.lat_deg < 0 for c in catalog.values()) >= 25
    assert any(c.country in ("AU", "NZ") for c in catalog.values())
    assert sum(c.country in ("NG", "KE", "EG", "ZA", "ET", "CD") for c in catalog.values()) >= 6
    assert sum(c.country in ("BR", "AR", "CL", "PE", "CO") for c in catalog.values()) >= 6


def test_find_city_ignores_case_and_accents():
    assert cities.find_city("london").name == "London"
    assert cities.find_city("  São   Paulo ").name == "Sao Paulo"
    assert cities.find_city("Atlantis") is None


def test_cities_file_notes_its_source():
    doc = yaml.safe_load(resources.resource_path("cities.yaml").read_text(encoding="utf-8"))
    assert "GeoNames" in doc["source"] and "CC BY" in doc["source"]


def test_great_circle_london_new_york():
    a, b = cities.find_city("London"), cities.find_city("New York")
    p1, p2, dl = map(math.radians, (a.lat_deg, b.lat_deg, b.lon_deg - a.lon_deg))
    d = 6371.0 * math.acos(math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl))
    assert d == pytest.approx(5570, abs=30)


# ---- presets ------------------------------------------------------------------------------

EXPECTED_PRESETS = {"default", "three-body", "ada-star-compute", "beijing-odc", "suncatcher",
                    "starcloud-1", "starlink-shell-1"}


def test_preset_names_default_first():
    names = presets.preset_names()
    assert names[0] == "default"
    assert EXPECTED_PRESETS <= set(names)
    assert names[1:] == sorted(names[1:])


def test_preset_path_and_text():
    assert presets.preset_path("suncatcher").name == "suncatcher.yaml"
    assert "Suncatcher" in presets.preset_text("suncatcher")
    with pytest.raises(KeyError, match="default"):
        presets.preset_path("no-such-preset")


def _preset_docs():
    return [(name, yaml.safe_load(presets.preset_text(name))) for name in presets.preset_names()]


@pytest.mark.parametrize("name", sorted(EXPECTED_PRESETS))
def test_preset_has_required_keys(name):
    doc = yaml.safe_load(presets.preset_text(name))
    for key in ("schema_version", "name", "description", "sources", "epoch", "constellations"):
        assert key in doc, f"{name}: missing {key}"
    assert doc["sources"] and all(isinstance(s, str) and s for s in doc["sources"])
    assert doc.get("analysis", {}).get("duration_s", 86400) == 86400
    assert doc.get("analysis", {}).get("step_s", 60) == 60
    catalog = hardware.hardware_catalog()
    for bus in (doc.get("buses") or {}).values():
        assert bus.get("compute_hardware", "jetson-agx-orin-64gb") in catalog


@pytest.mark.parametrize("name", sorted(EXPECTED_PRESETS))
def test_preset_latency_pairs_name_known_places(name):
    doc = yaml.safe_load(presets.preset_text(name))
    local = {s["name"] for s in doc.get("ground_stations") or []} | {c["name"] for c in doc.get("cities") or []}
    catalog = cities.city_catalog()
    for a, b in doc.get("latency_pairs") or []:
        for place in (a, b):
            assert place in local or place in catalog, f"{name}: unknown place {place!r}"


def _satellite_count(doc: dict) -> int:
    total = 0
    for entry in doc["constellations"]:
        if "cluster" in entry:
            total += entry["cluster"]["satellites"]
        elif "satellites" in entry:
            total += len(entry["satellites"])
        else:
            total += entry["planes"] * entry["sats_per_plane"]
    return total


@pytest.mark.parametrize(
    "name, count",
    [("three-body", 12), ("ada-star-compute", 2800), ("suncatcher", 81), ("starcloud-1", 1),
     ("starlink-shell-1", 1584)],
)
def test_preset_satellite_counts(name, count):
    assert _satellite_count(yaml.safe_load(presets.preset_text(name))) == count


def test_presets_validate_against_the_model():
    from core.mission.model import Mission

    for name, doc in _preset_docs():
        Mission.model_validate(doc)


def test_presets_load_through_the_mission_loader():
    io = pytest.importorskip("core.mission.io")
    for name in presets.preset_names():
        mission = io.load_mission(presets.preset_path(name))
        assert mission.name
