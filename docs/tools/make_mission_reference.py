"""Write docs/mission-file.md from the mission model itself, so the reference never drifts.

    python docs/tools/make_mission_reference.py          # rewrite the file
    python docs/tools/make_mission_reference.py --check  # exit 1 if it is out of date (a test runs this)
"""

from __future__ import annotations

import sys
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from core.mission.bus import Bus, CostModel, Workload
from core.mission.traffic import Gravity, Traffic, TrafficDemand
from core.mission.model import Analysis, City, Cluster, Constellation, GroundStation, Mission, Region, Satellite
from core.mission.model import PopulationWeighted, Service, ServiceDemand, Training

TARGET = Path(__file__).resolve().parents[1] / "mission-file.md"

SECTIONS: list[tuple[str, type[BaseModel], str]] = [
    ("Top level", Mission, ""),
    ("analysis", Analysis, "analysis."),
    ("analysis.region", Region, "analysis.region."),
    ("constellations[]", Constellation, "constellations[i]."),
    ("constellations[].satellites[]", Satellite, "constellations[i].satellites[k]."),
    ("constellations[].cluster", Cluster, "constellations[i].cluster."),
    ("buses.NAME", Bus, "buses.NAME."),
    ("ground_stations[]", GroundStation, "ground_stations[i]."),
    ("cities[]", City, "cities[i]."),
    ("workload", Workload, "workload."),
    ("cost", CostModel, "cost."),
    ("training", Training, "training."),
    ("traffic", Traffic, "traffic."),
    ("traffic.demands[]", TrafficDemand, "traffic.demands[k]."),
    ("traffic.gravity", Gravity, "traffic.gravity."),
    ("service", Service, "service."),
    ("service.demand[]", ServiceDemand, "service.demand[k]."),
    ("service.population_weighted", PopulationWeighted, "service.population_weighted."),
]

INTRO = """# Mission-file reference

A mission file is YAML (or JSON with the same structure). Keys carry their unit in the name
(`_km`, `_deg`, `_s`, `_w`, `_mbps` ...); a missing key takes the default shown. Unknown keys are
rejected with a message naming the file and the field, so a typo never passes silently.
This page is generated from the model (`python docs/tools/make_mission_reference.py`).

A minimal mission:

```yaml
schema_version: 1
name: My shell
epoch: "2026-03-20T00:00:00Z"
constellations:
  - {name: shell-1, walker: "53:1584/72/17", altitude_km: 550, isl: plus-grid}
ground_stations:
  - {name: Svalbard, lat_deg: 78.23, lon_deg: 15.41, min_elevation_deg: 5}
latency_pairs:
  - [New York, London]
```

Satellite sources of a constellation entry (give exactly one): Walker fields (`walker` and/or
`altitude_km`, `inclination_deg`, `planes`, `sats_per_plane`, `phasing`), `tle_file` or `tle`
(two- or three-line sets, checksums checked), `omm_file` (CCSDS OMM as XML, KVN or JSON), a list
of custom `satellites` from classical elements, or a formation-flying `cluster`.
Place names in `latency_pairs` may be ground stations, mission `cities`, or any city of the
built-in catalogue (`resources/cities.yaml`).
"""


def type_name(annotation) -> str:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return " or ".join(type_name(a) for a in typing.get_args(annotation) if a is not type(None))
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in typing.get_args(annotation))
    if origin in (list, tuple, dict):
        return f"{origin.__name__}[{', '.join(type_name(a) for a in typing.get_args(annotation) if a is not Ellipsis)}]"
    return getattr(annotation, "__name__", str(annotation))


def default_text(field) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
        return "`{}`" if isinstance(value, BaseModel) else f"`{value!r}`"
    if field.default is PydanticUndefined:
        return "**required**"
    return "—" if field.default is None else f"`{field.default}`"


def render() -> str:
    out = [INTRO]
    for title, model, prefix in SECTIONS:
        out.append(f"\n## {title}\n")
        doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        if doc:
            out.append(f"{doc}\n")
        out.append("| key | type | default | meaning |\n|---|---|---|---|")
        for name, field in model.model_fields.items():
            meaning = (field.description or "").replace("|", "\\|")
            out.append(f"| `{prefix}{field.alias or name}` | {type_name(field.annotation)} | {default_text(field)} | {meaning} |")
        out.append("")
    return "\n".join(out)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python docs/tools/make_mission_reference.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
