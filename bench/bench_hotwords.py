"""Benchmark of hot words on PostgreSQL (a benchmark, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_hotwords .venv/bin/python bench/bench_hotwords.py \
        --total 100000

Creates the database if it is missing, migrates it, replaces its petitions with `--total` petitions of
about 100 Chinese characters each (set-based INSERT ... SELECT FROM generate_series: sentences picked
from arrays, spread over 120 days, 8 counties, 40 townships, 10 sectors), then times:
1. the full refresh (extract every petition of the horizon, rank all windows and scopes), split into
   extraction and ranking;
2. the incremental update for one new petition (hotword_petition_add: extract, store, count it);
3. the 10-minute incremental refresh with that one new petition (extract the new, re-rank everything).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "0")

from bench.bench_sla_sweep import ensure_database  # noqa: E402

SENTENCES = (
    "我们村的玉米大风大雨后倒伏严重，地里积水排不出去，", "小区暖气不热，室内只有十几度，老人孩子都冻感冒了，",
    "村口的路灯不亮已经一个多月了，晚上出门很不方便，", "医保报销的比例怎么算，住院花了八千多报得比别人少，",
    "手机上被人拉进群做刷单，被骗了好几万元，想问怎么报案，", "物业费一年比一年高，电梯经常坏，卫生也没人管，",
    "合作社想流转土地种大蒜，土地流转合同怎么签才规范，", "买了一台收割机，农机购置补贴在哪里登记要什么材料，",
    "垃圾清运不及时，垃圾桶满了好几天没人拉，味道很大，", "想给老人补缴养老保险，不知道一年交多少去哪里办，",
    "村里的道路破损坑洼不平，下雨天积水，电动车经常摔倒，", "工地拖欠农民工工资半年了，老板一直找借口不给，",
    "学校门口早晚接孩子的时候车辆乱停，交通很乱很危险，", "自来水最近发黄有异味，烧开了还有沉淀，不敢喝，",
    "低保申请交上去三个月了还没有消息，家里生活困难，", "企业开办营业执照办理要跑好几个窗口，手续太繁琐，",
    "强村贷怎么申请，村集体想发展大棚蔬菜缺启动资金，", "秸秆禁烧以后没人收，堆在地头占地方，希望设收储点，",
    "楼下饭店油烟扰民，晚上噪音也很大，影响休息，", "宅基地确权登记的时候面积和实际不一样，请帮忙核实，",
)
COUNTIES, TOWNS_PER_COUNTY, SECTORS, STUDIOS = 8, 5, 10, 50


def build(total: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from offices.choices import Level
    from offices.models import Department, Region, Sector, Studio
    from petitions.models import Petition

    from bench.city_data import insert_select

    city, _ = Region.objects.get_or_create(code="371599", defaults={"name": "基准市", "kind": Region.Kind.CITY,
                                                                     "path": "/371599/"})
    towns = []
    for c in range(COUNTIES):
        county, _ = Region.objects.get_or_create(code=f"3715{c:02d}90", defaults={
            "name": f"基准县{c}", "kind": Region.Kind.COUNTY, "parent": city, "path": f"{city.path}3715{c:02d}90/"})
        for t in range(TOWNS_PER_COUNTY):
            town, _ = Region.objects.get_or_create(code=f"3715{c:02d}90{t:03d}", defaults={
                "name": f"基准镇{c}{t}", "kind": Region.Kind.TOWNSHIP, "parent": county,
                "path": f"{county.path}3715{c:02d}90{t:03d}/"})
            towns.append(town.pk)
    sectors = [Sector.objects.get_or_create(code=f"bench{s}", defaults={"name": f"基准领域{s}", "position": 90 + s})[0]
               for s in range(SECTORS)]
    department, _ = Department.objects.get_or_create(code="bench-hw-dept", defaults={
        "name": "基准单位", "sector": sectors[0], "region": city})
    studios = [Studio.objects.get_or_create(code=f"bench-hw-{i}", defaults={
        "name": f"基准工作室{i}", "kind": Studio.Kind.INDUSTRY, "level": Level.COUNTY,
        "sector": sectors[i % SECTORS], "region": city, "host_department": department})[0].pk for i in range(STUDIOS)]
    sector_ids = [s.pk for s in sectors]
    quoted = ",".join("'" + s + "'" for s in SENTENCES)
    n = len(SENTENCES)
    explicit = {
        "tracking_code": "'H' || lpad(g::text, 9, '0')",
        "studio_id": f"(ARRAY{studios})[1 + mod(g, {len(studios)})]",
        "current_studio_id": f"(ARRAY{studios})[1 + mod(g, {len(studios)})]",
        "region_id": f"(ARRAY{towns})[1 + mod(g * 7, {len(towns)})]",
        "sector_id": f"(ARRAY{sector_ids})[1 + mod(g, {len(sector_ids)})]",
        # four sentences (about 100 characters), different mixes petition by petition
        "text": (f"(ARRAY[{quoted}])[1 + mod(g, {n})] || (ARRAY[{quoted}])[1 + mod(g / 3, {n})] || "
                 f"(ARRAY[{quoted}])[1 + mod(g / 7, {n})] || (ARRAY[{quoted}])[1 + mod(g * 13, {n})] || '希望尽快解决。'"),
        "citizen_name": "'王秀英'", "citizen_phone": "'13812345678'",
        "status": "'submitted'", "flag": "'blue'",
        "submitted_at": f"%(now)s - make_interval(secs => mod(g * 7919, {120 * 86400}))",
        "updated_at": "%(now)s",
    }
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("TRUNCATE petitions_petition RESTART IDENTITY CASCADE")
        insert_select(Petition, explicit, f"FROM generate_series(1, {total}) AS g", {"now": timezone.now()})
    with connection.cursor() as cur:
        cur.execute("ANALYZE petitions_petition")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is created if missing).")
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Sum
    from django.db.models.functions import Length
    from django.utils import timezone

    from petitions.hotwords import services
    from petitions.models import Petition, PetitionWord

    call_command("migrate", verbosity=0)
    if not args.skip_build:
        started = time.perf_counter()
        build(args.total)
        print(f"built {args.total} petitions in {time.perf_counter() - started:.1f} s")
    chars = Petition.objects.aggregate(n=Sum(Length("text")))["n"]
    print(f"{Petition.objects.count()} petitions, {chars} characters")

    now = timezone.now()
    started = time.perf_counter()
    services.current_extractor()
    print(f"extractor built (jieba dictionary, user words): {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    result = services.hotwords_refresh(full=True, now=now, notify=False)
    full = time.perf_counter() - started
    print(f"full refresh: {full:.2f} s  {result}  ({PetitionWord.objects.count()} petition words)")
    started = time.perf_counter()
    services._rank_all(now, set())
    print(f"  of which ranking (grouped queries + scoring): {time.perf_counter() - started:.2f} s")

    template = Petition.objects.order_by("-id").first()
    template.pk, template.submitted_at = None, timezone.now()
    template.tracking_code = f"N{int(time.time()) % 10**9:09d}"
    template.text = "梁村镇琉璃庙村的玉米倒伏了一大片，地里积水排不出去，请农技人员来看看怎么救。我叫王秀英，电话13812345678。"
    template.save()
    extractor = services.current_extractor()
    timings = []
    for _ in range(5):
        PetitionWord.objects.filter(petition_id=template.pk).delete()
        started = time.perf_counter()
        services.hotword_petition_add(petition_id=template.pk, extractor=extractor)
        timings.append((time.perf_counter() - started) * 1000)
    print(f"incremental update for one new petition: median {sorted(timings)[2]:.1f} ms "
          f"(runs: {', '.join(f'{t:.1f}' for t in timings)})")
    PetitionWord.objects.filter(petition_id=template.pk).delete()
    started = time.perf_counter()
    result = services.hotwords_refresh(notify=False)
    print(f"10-minute incremental refresh with that one petition: {time.perf_counter() - started:.2f} s  {result}")


if __name__ == "__main__":
    main()
