"""Benchmark of the SLA sweep on PostgreSQL (a benchmark, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sla .venv/bin/python bench/bench_sla_sweep.py \
        --open 200000 --total 1000000 --reports

Creates the database if it is missing, migrates it, replaces its petitions with `--total` petitions
of which `--open` are open (set-based INSERT ... SELECT FROM generate_series), with deadlines spread so
that some are on track, some past the yellow share and some overdue; then times one sweep that
changes many flags (the first) and one in the steady state (the minute after), and prints seconds.
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
os.environ.setdefault("DEBUG", "0")  # no query log kept in memory


def ensure_database(url: str) -> None:
    import environ
    import psycopg2

    cfg = environ.Env.db_url_config(url)
    admin = psycopg2.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"],
                             password=cfg["PASSWORD"] or None, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    admin.close()


def build(total: int, open_count: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from offices.choices import Level
    from offices.models import Department, Region, Sector, Studio
    from petitions.models import Petition

    from bench.city_data import insert_select

    sector, _ = Sector.objects.get_or_create(code="bench", defaults={"name": "基准领域", "position": 99})
    region, _ = Region.objects.get_or_create(code="bench-city", defaults={"name": "基准市", "kind": Region.Kind.CITY,
                                                                         "path": "/bench-city/"})
    department, _ = Department.objects.get_or_create(code="bench-dept", defaults={
        "name": "基准单位", "sector": sector, "region": region})
    studios = []
    for i in range(50):
        studio, _ = Studio.objects.get_or_create(code=f"bench-{i}", defaults={
            "name": f"基准工作室{i}", "kind": Studio.Kind.INDUSTRY, "level": Level.COUNTY, "sector": sector,
            "region": region, "host_department": department})
        studios.append(studio.pk)

    now = timezone.now()
    # Every concrete column gets a value: the ones the sweep reads are spread over the data, the
    # others take the model's default, so that columns added later do not break the benchmark.
    explicit = {
        "tracking_code": "'B' || lpad(g::text, 9, '0')",
        "studio_id": f"(ARRAY{studios})[1 + mod(g, {len(studios)})]",
        "current_studio_id": f"(ARRAY{studios})[1 + mod(g, {len(studios)})]",
        "region_id": str(region.pk),
        "sector_id": str(sector.pk),
        "loop": "1 + mod(g, 3)",
        "text": "'基准诉求 ' || g",
        # open rows first: submitted / accepted / dispatched / resolved; the rest closed
        "status": (f"CASE WHEN g > {open_count} THEN 'closed' ELSE (ARRAY['submitted','accepted','dispatched',"
                   f"'resolved'])[1 + mod(g, 4)] END"),
        "flag": "'blue'",
        "submitted_at": "%(now)s - make_interval(hours => 1 + mod(g, 240))",
        "dispatched_at": "%(now)s - make_interval(hours => mod(g, 240))",
        "resolved_at": "%(now)s - make_interval(hours => mod(g, 48))",
        # due from 5 days ago to 10 days ahead: about a third red, a few yellow, the rest blue
        "due_at": (f"CASE WHEN g > {open_count} THEN NULL ELSE "
                   f"%(now)s + make_interval(mins => mod(g, 21600) - 7200) END"),
        "updated_at": "%(now)s",
    }
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("TRUNCATE petitions_petition RESTART IDENTITY CASCADE")
        insert_select(Petition, explicit, f"FROM generate_series(1, {total}) AS g", {"now": now})
    with connection.cursor() as cur:
        cur.execute("ANALYZE petitions_petition")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open", type=int, default=200_000, help="open petitions (default 200000)")
    parser.add_argument("--total", type=int, default=None, help="all petitions (default: --open)")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--skip-build", action="store_true", help="reuse the petitions of the last run")
    parser.add_argument("--reports", action="store_true",
                        help="also compute this month's scorecards and time each /reports/ page on the same data")
    parser.add_argument("--reports-only", action="store_true", help="with --skip-build: time the pages only")
    args = parser.parse_args()
    total = max(args.total or args.open, args.open)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is created if missing).")
    ensure_database(url)

    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from assessment.services import sla_sweep

    call_command("migrate", verbosity=0)
    if not args.skip_build:
        started = time.perf_counter()
        build(total, args.open)
        print(f"built {total} petitions ({args.open} open) in {time.perf_counter() - started:.1f} s")

    now = timezone.now()
    if args.reports_only:
        time_reports()
        return
    for label, moment in (("first sweep (many flags change)", now), ("steady state (one minute later)",
                                                                    now + timedelta(minutes=1))):
        started = time.perf_counter()
        counts = sla_sweep(now=moment, batch_size=args.batch_size)
        print(f"{label}: {time.perf_counter() - started:.2f} s  {counts}")
    if args.reports:
        time_reports()


def time_reports() -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from assessment.scorecards import period_start_for, scorecards_compute

    started = time.perf_counter()
    written = scorecards_compute(period="month", start=period_start_for("month"))
    print(f"scorecards for this month: {time.perf_counter() - started:.2f} s  {written}")
    user, _ = get_user_model().objects.get_or_create(username="bench-organisation",
                                                     defaults={"is_superuser": True, "is_staff": True})
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    for url in ("/reports/", "/reports/team/", "/reports/position/", "/reports/operation/", "/reports/assessment/",
                "/reports/operation/?export=xlsx", "/reports/assessment/?export=csv&table=studios"):
        client.get(url)  # warm the caches once
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            seconds = time.perf_counter() - started
        print(f"GET {url}: {response.status_code} in {seconds:.3f} s, {len(queries)} queries")
        if os.environ.get("BENCH_VERBOSE"):
            for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]:
                print(f"    {q['time']} s  {q['sql'][:300]}")


if __name__ == "__main__":
    main()
