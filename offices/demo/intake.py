"""What a citizen brings: when, to which studio, about which place and sector, in which words.

`Context` is read from the database once; `draft()` then works in memory only.
"""
import datetime as dt
import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from liaison.models import LiaisonAgency
from offices.models import Department, Region, Sector, Studio, StudioMembership

from . import names, places, texts
from .sectors import SECTOR_CODES

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # petitions.codes.ALPHABET
# What reaches a township studio, by sector.
_TOWNSHIP_TOPICS = {"grassroots": 22, "civil": 16, "agri": 16, "medical": 10, "safety": 8, "govservice": 8,
                    "opinion": 8, "finance": 5, "talent": 4, "chain": 3}
_STREET_TOPICS = dict(_TOWNSHIP_TOPICS, agri=3, grassroots=28, govservice=12)
_RURAL = {"agri", "finance", "civil"}
_SOURCES = (("qr", 55), ("web", 14), ("visit", 12), ("hotline", 10), ("api", 5), ("open311", 4))
_HOURS = [h for h, w in ((7, 2), (8, 6), (9, 9), (10, 9), (11, 7), (12, 4), (13, 4), (14, 7), (15, 8), (16, 8),
                         (17, 6), (18, 4), (19, 5), (20, 5), (21, 3), (22, 2), (23, 1)) for _ in range(w)]


def tracking_code(seed: int, key) -> str:
    """10 Crockford base32 characters from a hash of the key: stable for the same seed and index."""
    value = int.from_bytes(hashlib.blake2b(f"{seed}:petition:{key}".encode(), digest_size=8).digest(), "big")
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in range(10))


@dataclass
class StudioView:
    id: int
    code: str
    name: str
    kind: str
    level: str
    sector: str
    covers: set
    region_code: str
    county: str | None  # None for city studios
    host_department: int | None
    lead: tuple | None  # (rep id, name)
    members: list = field(default_factory=list)  # [(rep id, name)]


class Context:
    """Everything petitions refer to, read once."""

    def __init__(self, scale, now):
        self.now, self.seed = now, scale.seed
        self.sector_ids = dict(Sector.objects.values_list("code", "id"))
        self.departments = {(region, sector): (pk, name) for pk, name, region, sector in
                            Department.objects.values_list("id", "name", "region__code", "sector__code")}
        self.department_by_id = {pk: (pk, name) for pk, name in self.departments.values()}
        self.agencies = dict(LiaisonAgency.objects.values_list("region__code", "name"))
        self.agency_ids = dict(LiaisonAgency.objects.values_list("region__code", "id"))
        self._regions()
        self._studios()

    def _regions(self):
        self.counties, self.towns, self.villages = {}, defaultdict(list), defaultdict(list)
        for pk, code, name, kind in Region.objects.values_list("id", "code", "name", "kind").order_by("code"):
            if kind == "county":
                self.counties[code] = name
            elif kind == "township":
                self.towns[code[:6]].append((pk, code, name))
            elif kind == "village":
                self.villages[code[:9]].append((pk, code, name))

    def _studios(self):
        covers = defaultdict(set)
        for studio_id, code in Studio.sectors.through.objects.values_list("studio_id", "sector__code"):
            covers[studio_id].add(code)
        members = defaultdict(list)
        for studio_id, rep_id, name in StudioMembership.objects.order_by("studio_id", "representative_id") \
                .values_list("studio_id", "representative_id", "representative__name"):
            members[studio_id].append((rep_id, name))
        self.studios, self.by_county_sector = [], defaultdict(list)
        for row in Studio.objects.filter(active=True).order_by("code").values(
                "id", "code", "name", "kind", "level", "sector__code", "region__code", "host_department_id",
                "lead_id", "lead__name"):
            if not members[row["id"]]:
                continue  # a studio without representatives receives nothing yet
            region = row["region__code"]
            view = StudioView(
                id=row["id"], code=row["code"], name=row["name"], kind=row["kind"], level=row["level"],
                sector=row["sector__code"], covers=covers[row["id"]] | {row["sector__code"]}, region_code=region,
                county=None if region == places.CITY_CODE else region[:6], host_department=row["host_department_id"],
                lead=(row["lead_id"], row["lead__name"]) if row["lead_id"] else None, members=members[row["id"]])
            self.studios.append(view)
            if view.kind == Studio.Kind.INDUSTRY:
                self.by_county_sector[(view.county or places.CITY_CODE, view.sector)].append(view)
        self.by_code = {s.code: s for s in self.studios}
        self.weights = [self._weight(s) for s in self.studios]

    @staticmethod
    def _weight(studio) -> float:
        if studio.code == "371526-agri":
            return 15.0  # the demo representative's busy studio
        return {"township": 3.0, "county": 3.2, "city": 8.0}[studio.level]

    def studio_for(self, area: str, sector: str):
        """The industry studio of a sector in a county (or the city), the main one first."""
        found = self.by_county_sector.get((area, sector))
        return found[0] if found else None


@dataclass
class Draft:
    index: int
    code: str
    submitted_at: dt.datetime
    studio: StudioView
    sector: str
    category: str | None
    region_id: int
    township_id: int
    text: str
    source: str
    citizen_name: str = ""
    citizen_phone: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    place: tuple = ()  # (county, town, village) names
    answer: str = ""  # the answer template, its slots already filled except {dept}


class _Slots(dict):
    def __init__(self, rng, **known):
        super().__init__(**known)
        self.rng = rng

    def __missing__(self, key):
        value = names.company(self.rng) if key == "company" else self.rng.choice(texts.WORDS[key])
        self[key] = value
        return value


def submission_time(rng, now, age_days: float) -> dt.datetime:
    moment = now - dt.timedelta(days=age_days)
    if age_days < 1:
        return moment
    local = timezone.localtime(moment)
    moment = local.replace(hour=rng.choice(_HOURS), minute=rng.randrange(60), second=rng.randrange(60))
    return moment if moment < now - dt.timedelta(hours=1) else moment - dt.timedelta(days=1)


def draft(ctx: Context, rng: random.Random, index: int, submitted_at: dt.datetime, studio=None) -> Draft:
    studio = studio or rng.choices(ctx.studios, ctx.weights)[0]
    sector = _topic(rng, studio)
    county_code, town, village = _place(ctx, rng, studio, sector)
    month = timezone.localtime(submitted_at).month
    text, answer = _text(ctx, rng, sector, month, submitted_at.year, county_code, town, village, studio)
    r = rng.random()
    category = sector if r < 0.75 else (None if r < 0.9 else rng.choice([s for s in SECTOR_CODES if s != sector]))
    county_name = ctx.counties.get(county_code, "")
    d = Draft(index=index, code=tracking_code(ctx.seed, index), submitted_at=submitted_at, studio=studio,
              sector=sector, category=category, region_id=(village or town)[0], township_id=town[0], text=text,
              answer=answer,
              source=rng.choices([s for s, _ in _SOURCES], [w for _, w in _SOURCES])[0],
              place=(county_name, town[2], village[2] if village else ""))
    if rng.random() < 0.55:
        d.citizen_name = names.person_name(rng, rng.choice("mf"))
    if rng.random() < 0.65:
        d.citizen_phone = names.phone_for(index, salt=7)
    if rng.random() < 0.5:
        d.address = f"{county_name}{town[2]}{village[2] if village else ''}"
    if rng.random() < 0.5:
        lat, lon = places.COUNTY_BY_CODE[county_code].centre
        d.latitude, d.longitude = round(rng.gauss(lat, 0.05), 6), round(rng.gauss(lon, 0.05), 6)
    return d


def _topic(rng, studio) -> str:
    if studio.kind == Studio.Kind.INDUSTRY:
        if rng.random() < 0.72:
            return studio.sector
        return rng.choice(SECTOR_CODES)
    weights = _STREET_TOPICS if "govservice" in studio.covers else _TOWNSHIP_TOPICS
    return rng.choices(list(weights), list(weights.values()))[0]


def _place(ctx, rng, studio, sector):
    """(county code, township row, village row or None) the petition is about."""
    if studio.kind == Studio.Kind.TOWNSHIP:
        county = studio.region_code[:6]
        town = next(t for t in ctx.towns[county] if t[1] == studio.region_code)
    else:
        county = studio.county or rng.choice(sorted(ctx.towns))
        towns = ctx.towns[county]
        if sector in _RURAL:  # farming and village matters come from towns, not city streets
            towns = [t for t in towns if not t[2].endswith("街道")] or towns
        town = rng.choice(towns)
    villages = ctx.villages[town[1]]
    village = rng.choice(villages) if villages and rng.random() < 0.7 else None
    return county, town, village


def _resident(place: str) -> str:
    return f"{place}的{'居民' if place.endswith(('社区', '街道')) else '村民'}"


def _text(ctx, rng, sector, month, year, county_code, town, village, studio) -> tuple[str, str]:
    """The petition in the citizen's words, and the matching answer with only {dept} left open."""
    options = [(t, a) for t, months, a in texts.PETITIONS[sector] if months is None or month in months]
    template, answer = rng.choice(options)
    county, town_name = ctx.counties.get(county_code, ""), town[2]
    village_name = village[2] if village else ""
    if village_name:
        place = village_name if rng.random() < 0.3 else f"{town_name}{village_name}"
    else:
        place = town_name
    if studio.kind == Studio.Kind.INDUSTRY and place.startswith(town_name) and rng.random() < 0.5:
        place = f"{county}{place}"
    neighbours = [v[2] for v in ctx.villages[town[1]] if v[2] != village_name]
    slots = _Slots(rng, place=place, town=town_name, county=county, next_year=texts.next_year(month, year),
                   neighbour=rng.choice(neighbours) if neighbours else "镇上",
                   resident=_resident(village_name or town_name),
                   dept="{dept}")
    opening = rng.choice(texts.OPENINGS) if not template.startswith("我") else ""
    text = (opening + template + rng.choice(texts.CLOSINGS)).format_map(slots)
    return text, answer.format_map(slots)
