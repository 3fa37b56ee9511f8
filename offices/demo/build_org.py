"""Phase 1: sectors (and the routing dictionary), the region tree, departments, liaison agencies, studios, SLA."""
import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from assessment.models import SlaPolicy
from liaison.models import LiaisonAgency
from offices.models import Department, Region, Sector, Studio
from petitions.keywords import sector_keywords_load

from . import places, sectors
from .util import insert_missing, link


def build_org(scale) -> None:
    _sectors()
    sector_keywords_load()  # the routing dictionary, now that its sectors exist
    regions = _regions(scale)
    _departments(scale, regions)
    _agencies(scale, regions)
    _studios(scale, regions)
    _sla_defaults()


def _sectors() -> None:
    insert_missing(Sector, [Sector(code=s.code, name=s.name, name_en=s.name_en, description=s.description,
                                   position=(i + 1) * 10) for i, s in enumerate(sectors.SECTORS)], "code")


def _regions(scale) -> dict:
    """Creates the tree level by level; returns code -> Region for everything in the scale."""
    city = Region(code=places.CITY_CODE, name=places.CITY_NAME, kind=Region.Kind.CITY)
    city.clean()
    insert_missing(Region, [city], "code")
    by_code = {places.CITY_CODE: Region.objects.get(code=places.CITY_CODE)}

    counties = [places.COUNTY_BY_CODE[code] for code in scale.counties]
    level = [(c.code, c.name, Region.Kind.COUNTY, places.CITY_CODE) for c in counties]
    towns = [t for c in counties for t in places.townships(c, scale.counties[c.code])]
    levels = [
        level,
        [(t.code, t.name, Region.Kind.TOWNSHIP, t.county) for t in towns],
        [(v.code, v.name, Region.Kind.VILLAGE, t.code) for t in towns
         for v in places.villages(t, scale.villages_per_township, scale.seed)],
    ]
    for rows in levels:
        objects = []
        for code, name, kind, parent_code in rows:
            region = Region(code=code, name=name, kind=kind, parent=by_code[parent_code])
            region.clean()  # checks the level and sets the materialised path
            objects.append(region)
        insert_missing(Region, objects, "code")
        codes = [r[0] for r in rows]
        by_code.update({r.code: r for r in Region.objects.filter(code__in=codes)})
    return by_code


def _phone(rng) -> str:
    return f"0635-{rng.randint(2100000, 8999999)}"


def _departments(scale, regions) -> None:
    sector_ids = dict(Sector.objects.values_list("code", "id"))
    objects = []
    for region_code in (places.CITY_CODE, *scale.counties):
        for sector in sectors.SECTOR_CODES:
            code = sectors.department_code(region_code, sector)
            rng = random.Random(f"{scale.seed}:dept:{code}")
            objects.append(Department(code=code, name=sectors.department_name(region_code, sector),
                                      sector_id=sector_ids[sector], region=regions[region_code], phone=_phone(rng)))
    insert_missing(Department, objects, "code")


def _agencies(scale, regions) -> None:
    have = set(LiaisonAgency.objects.values_list("region__code", flat=True))
    objects = []
    for region_code in (places.CITY_CODE, *scale.counties):
        if region_code in have:
            continue
        rng = random.Random(f"{scale.seed}:agency:{region_code}")
        region = regions[region_code]
        objects.append(LiaisonAgency(name=f"{region.name}党代表联络工作办公室", region=region, phone=_phone(rng),
                                     level="city" if region_code == places.CITY_CODE else "county"))
    LiaisonAgency.objects.bulk_create(objects)


def _studios(scale, regions) -> None:
    now = timezone.now()
    sector_ids = dict(Sector.objects.values_list("code", "id"))
    departments = dict(Department.objects.values_list("code", "id"))
    sector_names = {s.code: s.name for s in sectors.SECTORS}
    wanted = scale.industry_studios
    objects = []
    for info in sectors.industry_studios():
        if (wanted is not None and info.code not in wanted) or info.region_code not in regions:
            continue
        rng = random.Random(f"{scale.seed}:studio:{info.code}")
        region = regions[info.region_code]
        department = sectors.department_name(info.region_code, info.sector)
        objects.append(Studio(
            code=info.code, name=info.name, kind=Studio.Kind.INDUSTRY, level=info.level,
            sector_id=sector_ids[info.sector], region=region,
            host_department_id=departments[sectors.department_code(info.region_code, info.sector)],
            address=f"{region.name}{department}一楼党代表工作室", phone=_phone(rng),
            opening_hours="周一至周五 8:30–12:00，13:30–17:30",
            description=f"由{department}牵头成立，党代表领衔，为群众和企业提供{sector_names[info.sector]}方面的服务。",
            created_at=now - dt.timedelta(days=rng.randint(420, 900)),
        ))
    for code, region in regions.items():
        if region.kind != Region.Kind.TOWNSHIP:
            continue
        rng = random.Random(f"{scale.seed}:studio:{code}")
        objects.append(Studio(
            code=code, name=sectors.township_studio_name(region.name), kind=Studio.Kind.TOWNSHIP, level="township",
            sector_id=sector_ids["grassroots"], region=region, address=f"{region.name}党群服务中心二楼",
            phone=_phone(rng), opening_hours="周一至周五 8:30–17:30；每月15日为代表接待日",
            description="党代表、人大代表、政协委员共同进驻，收集和办理群众诉求。",
            created_at=now - dt.timedelta(days=rng.randint(420, 900)),
        ))
    insert_missing(Studio, objects, "code")

    # The sectors each studio also covers.
    through = Studio.sectors.through
    rows = []
    for studio_id, code, kind, sector_code, region_code in Studio.objects.filter(
            code__in=[o.code for o in objects]).values_list("id", "code", "kind", "sector__code", "region__code"):
        if kind == Studio.Kind.TOWNSHIP:
            also = sectors.TOWNSHIP_ALSO_COVERS["street" if regions[region_code].name.endswith("街道") else "town"]
        else:
            also = sectors.ALSO_COVERS.get(sector_code, ())
        rows += [through(studio_id=studio_id, sector_id=sector_ids[s]) for s in also]
    link(through, rows)


def _sla_defaults() -> None:
    have = set(SlaPolicy.objects.filter(sector__isnull=True).values_list("loop", flat=True))
    SlaPolicy.objects.bulk_create([
        SlaPolicy(loop=loop, sector=None, accept_days=1, resolve_days=resolve, reply_days=1,
                  yellow_share=Decimal("0.75"))
        for loop, resolve in ((1, 5), (2, 10), (3, 20)) if loop not in have
    ])
