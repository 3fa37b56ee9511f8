"""Phase 2: representatives, their sectors, studio memberships and leads."""
import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from liaison.models import Representative
from offices.models import Region, Sector, Studio, StudioMembership

from . import names, places, sectors
from .util import BATCH, insert_missing, link

LEVEL_RANK = {"national": 0, "provincial": 1, "city": 2, "county": 3, "township": 4}
# Township representatives work mostly on what villages raise.
_TOWNSHIP_SECTOR_WEIGHTS = {"grassroots": 5, "agri": 5, "civil": 4, "medical": 2, "safety": 2, "govservice": 1,
                            "opinion": 2, "finance": 1, "talent": 1, "chain": 1}


def build_people(scale) -> None:
    _representatives(scale)
    _memberships(scale)


def _tree(scale):
    """county code -> Region, township code -> Region, township code -> [village Region]."""
    regions = Region.objects.filter(code__startswith=places.CITY_CODE[:4]).only("id", "code", "name", "kind",
                                                                                "parent_id", "path")
    by_kind = defaultdict(list)
    for r in regions:
        by_kind[r.kind].append(r)
    counties = {r.code: r for r in by_kind["county"] if r.code in scale.counties}
    towns = {r.code: r for r in by_kind["township"] if r.code[:6] in counties}
    villages = defaultdict(list)
    for r in by_kind["village"]:
        if r.code[:9] in towns:
            villages[r.code[:9]].append(r)
    city = next(r for r in by_kind["city"])
    return city, counties, towns, villages


def _representatives(scale) -> None:
    rng = random.Random(f"{scale.seed}:representatives")
    city, counties, towns, villages = _tree(scale)
    county_codes = sorted(counties)
    towns_by_county = defaultdict(list)
    for code in sorted(towns):
        towns_by_county[code[:6]].append(towns[code])
    sector_ids = dict(Sector.objects.values_list("code", "id"))
    sector_codes = list(sectors.SECTOR_CODES)
    now = timezone.now()

    reps, rep_sectors, index = [], [], 0
    for level, count in scale.representatives.items():
        for _ in range(count):
            county = counties[rng.choice(county_codes)]
            town = rng.choice(towns_by_county[county.code])
            village = rng.choice(villages[town.code]) if villages[town.code] else None
            if level in ("national", "provincial"):
                region = city if rng.random() < 0.5 else county
            elif level == "city":
                region = city if rng.random() < 0.3 else county
            elif level == "county":
                region = county if rng.random() < 0.4 else town
            else:
                region = village if village and rng.random() < 0.3 else town
            if level == "township":
                first = rng.choices(sector_codes, [_TOWNSHIP_SECTOR_WEIGHTS[s] for s in sector_codes])[0]
            else:
                first = rng.choice(sector_codes)
            expertise = [first] + ([rng.choice([s for s in sector_codes if s != first])] if rng.random() < 0.4 else [])
            if region is city:
                place = {}
            else:
                place = {"county": county.name, "short": county.name[:-1] if len(county.name) > 2 else county.name,
                         "town": town.name, "village": village.name if village else town.name[:-1] + "村"}
            department = sectors.department_name(places.CITY_CODE if region is city else county.code, first)
            work_unit = names.work_unit(rng, level, first, department, place)
            gender = "f" if rng.random() < 0.36 else "m"
            reps.append(Representative(
                name=names.person_name(rng, gender), gender=gender, level=level, region=region,
                work_unit=work_unit[:128], phone=names.phone_for(index),
                created_at=now - dt.timedelta(days=rng.randint(30, 1000), minutes=rng.randint(0, 1439)),
            ))
            rep_sectors.append(expertise)
            index += 1

    added = {r.phone for r in insert_missing(Representative, reps, "phone")}
    through = Representative.sectors.through
    link(through, [through(representative_id=r.pk, sector_id=sector_ids[code])
                   for r, codes in zip(reps, rep_sectors) if r.phone in added for code in codes])


class _Pool:
    """Representatives by place and sector, with how many studios each is in already."""

    def __init__(self):
        self.level, self.name, self.county, self.town = {}, {}, {}, {}
        for rep_id, level, name, path in Representative.objects.values_list("id", "level", "name", "region__path"):
            parts = path.strip("/").split("/")
            self.level[rep_id], self.name[rep_id] = level, name
            self.county[rep_id] = parts[1] if len(parts) > 1 else None
            self.town[rep_id] = parts[2] if len(parts) > 2 else None
        self.sectors = defaultdict(set)
        for rep_id, code in Representative.sectors.through.objects.values_list("representative_id", "sector__code"):
            self.sectors[rep_id].add(code)
        self.studios = defaultdict(int)
        for rep_id in StudioMembership.objects.values_list("representative_id", flat=True):
            self.studios[rep_id] += 1
        self.ids = sorted(self.level)
        self.by_town, self.by_county = defaultdict(list), defaultdict(list)
        for r in self.ids:
            self.by_town[self.town[r]].append(r)
            self.by_county[self.county[r]].append(r)
        self.senior = [r for r in self.ids if LEVEL_RANK[self.level[r]] <= LEVEL_RANK["city"]]

    def _free(self, ids) -> list[int]:
        return [r for r in ids if self.studios[r] < 2]

    def candidates(self, studio):
        """Tiers of candidates for a studio, best first (computed only as far as needed)."""
        if studio["kind"] == Studio.Kind.TOWNSHIP:
            town, county = studio["region_code"], studio["region_code"][:6]
            yield self._free(self.by_town[town])
            local = self._free(self.by_county[county])
            yield [r for r in local if self.town[r] is None]
            yield local
            return
        sector = studio["sector_code"]
        if studio["level"] == "city":
            senior = self._free(self.senior)
            yield [r for r in senior if sector in self.sectors[r]]
            yield senior
        else:
            local = self._free(self.by_county[studio["region_code"]])
            yield [r for r in local if sector in self.sectors[r] and self.level[r] != "township"]
            yield [r for r in local if sector in self.sectors[r]]
            yield local
        yield self._free(self.ids)


def _memberships(scale) -> None:
    staffed = set(StudioMembership.objects.values_list("studio_id", flat=True).distinct())
    studios = [s for s in Studio.objects.order_by("code").values("id", "code", "kind", "level", "created_at",
                                                                  "sector__code", "region__code")
               if s["id"] not in staffed]
    if not studios:
        return
    for s in studios:
        s["sector_code"], s["region_code"] = s.pop("sector__code"), s.pop("region__code")
    pool = _Pool()
    rng = random.Random(f"{scale.seed}:memberships")
    size = {"city": (20, 60), "county": (10, 40), "township": (8, 30)}
    today = timezone.localdate()
    rows, leads = [], []
    for studio in studios:
        low, high = size[studio["level"]]
        wanted = rng.randint(low, high) if scale.name == "city" else rng.randint(8, 14)
        chosen, seen = [], set()
        for tier in pool.candidates(studio):
            fresh = [r for r in tier if r not in seen]
            take = rng.sample(fresh, min(len(fresh), wanted - len(chosen)))
            chosen += take
            seen.update(take)
            if len(chosen) >= wanted:
                break
        if not chosen:
            continue
        # The lead: a representative of the studio's sector if there is one, the most senior first.
        lead = min(chosen, key=lambda r: (studio["kind"] == Studio.Kind.INDUSTRY and studio["sector_code"] not in
                                          pool.sectors[r], LEVEL_RANK[pool.level[r]], rng.random()))
        first_day = studio["created_at"].date()
        for rep_id in chosen:
            pool.studios[rep_id] += 1
            joined = first_day + dt.timedelta(days=rng.randint(0, 60))
            rows.append(StudioMembership(studio_id=studio["id"], representative_id=rep_id,
                                         role=StudioMembership.Role.ADMIN if rep_id == lead else
                                         StudioMembership.Role.MEMBER, joined_on=min(joined, today)))
        leads.append(Studio(id=studio["id"], lead_id=lead))
    link(StudioMembership, rows)
    Studio.objects.bulk_update(leads, ["lead"], batch_size=BATCH)
