"""City-scale data for `make bench`: Liaocheng's organisation and a million petitions, set-based.

The organisation (8 counties, 135 townships, 229 studios, 14,000 representatives, their memberships,
the demo logins, studio activities and the representatives' duties) comes from the demo builder at
`city` scale (offices/demo, Python, about a minute); everything that grows with petitions is
inserted with INSERT ... SELECT FROM generate_series, in SQL:

- petitions (default 1,000,000) over three years: `open` of them (default 200,000) are open, shaped as
  bench/bench_sla_sweep.py shapes them (the current stage started 1 to 240 hours ago and is due from 5
  days ago to 10 days ahead: the first sweep finds about a third overdue, some yellow, the rest blue);
  the rest, submitted over the three years, are closed (rated or not) or not accepted;
- their trail: submit, route, accept, dispatch, resolve, reply, rate/close events (about 6.5 per
  petition), derived from the petition rows themselves;
- flag history (FLAG events, which assessment_flagchange views) and closed red cards for some closed petitions, duty records
  for every resolved petition with a representative, and routing terms for the last 30 days.

Texts are four sentences of bench/bench_hotwords.py's SENTENCES, so hot words and routing see
realistic Chinese. Tracking codes are "ZZ" + 8 digits (valid Crockford base32, so /track/ finds them).

The load is recorded in a table bench_meta (key "load"); a second run with the same sizes skips it.
"""
from __future__ import annotations

import json
import time
from datetime import timedelta

LOAD_VERSION = 4  # bump when the generated data changes shape: a run then reloads
SPAN_DAYS = 3 * 365
FORBIDDEN_DATABASES = {"test", "h2", "h3", "h4", "h6", "bench_sla", "bench_hotwords", "postgres", "template0",
                       "template1"}


def database_name(url: str) -> str:
    import environ

    return environ.Env.db_url_config(url)["NAME"]


def _admin_connection(url: str):
    import environ
    import psycopg2

    cfg = environ.Env.db_url_config(url)
    admin = psycopg2.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"],
                             password=cfg["PASSWORD"] or None, dbname="postgres")
    admin.autocommit = True
    return admin, cfg["NAME"]


def drop_database(url: str) -> None:
    """--reload: the bench database is dropped and created again (never one of the others' databases)."""
    admin, name = _admin_connection(url)
    if name in FORBIDDEN_DATABASES or not name.startswith("bench"):
        raise SystemExit(f"refusing to drop database {name!r}: the bench database's name starts with 'bench'")
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid()", [name])
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


# --- meta ---------------------------------------------------------------------------------------

def meta_get(key: str):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
        cur.execute("SELECT value FROM bench_meta WHERE key = %s", [key])
        row = cur.fetchone()
    if row is None:
        return None
    return row[0] if not isinstance(row[0], str) else json.loads(row[0])


def meta_set(key: str, value) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
        cur.execute("INSERT INTO bench_meta (key, value) VALUES (%s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [key, json.dumps(value)])


# --- the generic INSERT ... SELECT --------------------------------------------------------------

def insert_select(model, explicit: dict, from_sql: str, params: dict | None = None) -> int:
    """INSERT INTO model's table SELECT <explicit or the field's default> FROM <from_sql>.

    Every concrete column gets a value, so that a column added later takes its default and the
    benchmark keeps working (as in bench_sla_sweep.build)."""
    from django.db import connection

    params = dict(params or {})
    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in explicit or field.name in explicit:
            expressions.append(explicit.get(field.attname, explicit.get(field.name)))
        elif field.null:
            expressions.append("NULL")
        else:
            key = f"d_{field.attname}"
            default = field.get_default()
            if isinstance(default, (dict, list)):
                params[key] = json.dumps(default)
                expressions.append(f"%({key})s::jsonb")
            else:
                params[key] = field.get_db_prep_save(default, connection)
                expressions.append(f"%({key})s")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(expressions)} {from_sql}"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


# --- the load -----------------------------------------------------------------------------------

def drop_indexes(cur, tables) -> list[str]:
    """Drop the secondary indexes of tables about to be bulk-loaded; returns their definitions to recreate.

    Building an index once over the loaded rows is several times faster than maintaining it row by row.
    Indexes that back a constraint (primary key, unique) stay."""
    cur.execute("""SELECT i.indexname, i.indexdef FROM pg_indexes i
                   WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
                     AND i.indexname NOT IN (SELECT conname FROM pg_constraint)""", [list(tables)])
    rows = cur.fetchall()
    for name, _definition in rows:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def loaded(petitions: int, open_count: int) -> dict | None:
    info = meta_get("load")
    if info and info.get("petitions") == petitions and info.get("open") == open_count \
            and info.get("version") == LOAD_VERSION:
        return info
    return None


def load(*, petitions: int, open_count: int, log=print) -> dict:
    """Seeds an empty (freshly migrated) database. Returns what bench_meta records."""
    from django.db import connection, transaction
    from django.utils import timezone

    from offices.demo.build_accounts import build_accounts
    from offices.demo.build_activity import build_activity
    from offices.demo.build_duties import build_duties
    from offices.demo.build_org import build_org
    from offices.demo.build_people import build_people
    from offices.demo.scales import CITY

    started = time.perf_counter()
    now = timezone.now()
    phases = {}
    for name, phase in (("organisation", lambda: build_org(CITY)), ("representatives", lambda: build_people(CITY)),
                        ("accounts", lambda: build_accounts(CITY)), ("activities", lambda: build_activity(CITY, now)),
                        ("duties", lambda: build_duties(CITY, now))):
        t = time.perf_counter()
        with transaction.atomic():
            phase()
        phases[name] = round(time.perf_counter() - t, 1)
        log(f"  {name}: {phases[name]} s")
    t = time.perf_counter()
    counts = _petitions(petitions, open_count, now, log=log)
    phases["petitions (SQL)"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with connection.cursor() as cur:
        for table in ("petitions_petition", "petitions_petitionevent", "assessment_redcard", "liaison_dutyrecord",
                      "petitions_petitionterm"):
            cur.execute(f"VACUUM (ANALYZE) {table}")
    phases["vacuum analyze"] = round(time.perf_counter() - t, 1)
    log(f"  vacuum analyze: {phases['vacuum analyze']} s")
    info = {"petitions": petitions, "open": open_count, "version": LOAD_VERSION, "loaded_at": now.isoformat(),
            "seconds": round(time.perf_counter() - started, 1), "phases": phases, "counts": counts,
            "max_petition_id": _max_id("petitions_petition"), "max_event_id": _max_id("petitions_petitionevent")}
    meta_set("load", info)
    return info


def _max_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        return cur.fetchone()[0]


def _sentence_terms() -> list[tuple[int, str, int]]:
    """(sentence index from 1, term, sector id): the routing dictionary's terms in each sentence."""
    from petitions.keywords import current_classifier

    from .bench_hotwords import SENTENCES

    classifier = current_classifier()
    rows = []
    for i, sentence in enumerate(SENTENCES, start=1):
        c = classifier.classify(sentence, None)
        for term in c.terms:
            for sector_id in c.term_sectors.get(term, ()):
                rows.append((i, term[:32], sector_id))
    return rows


def _petitions(total: int, open_count: int, now, *, log=print) -> dict:
    from django.db import connection, transaction

    from assessment.models import RedCard
    from liaison.models import DutyRecord
    from petitions.models import Petition, PetitionEvent, PetitionTerm

    from .bench_hotwords import SENTENCES

    quoted = ",".join("'" + s + "'" for s in SENTENCES)
    n_sent = len(SENTENCES)
    counts = {}
    with transaction.atomic(), connection.cursor() as cur:
        # Foreign keys are checked by triggers; the rows are consistent by construction (bench database only).
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("SET LOCAL work_mem = '256MB'")
        # These statements are long expressions over many rows: LLVM would spend longer compiling than running.
        cur.execute("SET LOCAL jit = off")
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        indexes = drop_indexes(cur, ["petitions_petition", "petitions_petitionevent", "liaison_dutyrecord",
                                     "petitions_petitionterm"])
        cur.execute("""
            CREATE TEMP TABLE bench_studio ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY s.id) AS i, s.id, s.sector_id, s.region_id,
                   (r.kind = 'township') AS township,
                   coalesce(s.host_department_id,
                            (SELECT d.id FROM offices_department d WHERE d.region_id = r.parent_id
                               AND d.sector_id = s.sector_id ORDER BY d.id LIMIT 1)) AS department_id,
                   coalesce((SELECT array_agg(m.representative_id ORDER BY m.id) FROM offices_studiomembership m
                             WHERE m.studio_id = s.id), ARRAY[]::bigint[]) AS reps
            FROM offices_studio s JOIN offices_region r ON r.id = s.region_id WHERE s.active""")
        cur.execute("SELECT count(*) FROM bench_studio")
        n_studios = cur.fetchone()[0]
        cur.execute("SELECT array_agg(id ORDER BY position, id) FROM offices_sector")
        sectors = cur.fetchone()[0]
        n_sectors = len(sectors)
        t = time.perf_counter()
        # The generated values, named as the model's fields; hashes of g spread them without correlation.
        # Open petitions are shaped as bench/bench_sla_sweep.py shapes them, so that the sweep's figures compare:
        # the current stage started 1-240 hours ago (st0) and is due from 5 days ago to 10 days ahead (due0).
        generated = f"""
            FROM (
              SELECT y.*,
                CASE WHEN y.status IN ('dispatched', 'resolved', 'closed') THEN
                  CASE WHEN y.is_open AND y.status = 'dispatched' THEN y.st0 ELSE y.s + interval '2 hours' END END AS disp,
                CASE WHEN y.status NOT IN ('submitted', 'rejected') THEN y.s + interval '30 minutes' END AS acc
              FROM (
                SELECT x.*,
                  CASE WHEN NOT x.is_open THEN x.s_closed
                       WHEN x.status = 'dispatched' THEN x.st0 - interval '2 hours' - make_interval(secs => mod(x.h3, 30 * 86400))
                       WHEN x.status = 'resolved' THEN x.st0 - interval '3 hours' - make_interval(secs => mod(x.h3, 10 * 86400))
                       ELSE x.st0 END AS s
                FROM (
                  SELECT g, h1, h2, h3, st.*, cs.id AS cur_id, cs.department_id AS cur_dept, cs.reps AS cur_reps,
                    g <= %(open)s AS is_open,
                    %(now)s - make_interval(hours => (1 + mod(h2 / 7, 240))::int) AS st0,
                    %(now)s + make_interval(mins => (mod(h1, 21600) - 7200)::int) AS due0,
                    %(now)s - make_interval(secs => 30 * 86400 + mod(h1, {(SPAN_DAYS - 30) * 86400})) AS s_closed,
                    CASE WHEN g <= %(open)s THEN
                           CASE WHEN mod(h3, 20) = 0 THEN 'submitted' WHEN mod(h3, 20) = 1 THEN 'accepted'
                                WHEN mod(h3, 20) < 15 THEN 'dispatched' ELSE 'resolved' END
                         ELSE CASE WHEN mod(h3, 100) < 4 THEN 'rejected' ELSE 'closed' END END AS status,
                    1 + (mod(h2, 10) >= 7)::int + (mod(h2, 10) = 9)::int AS lp
                  FROM (
                    SELECT g, hashint4(g)::bigint & 2147483647 AS h1,
                           hashint4(g # 1431655765)::bigint & 2147483647 AS h2,
                           hashint4(g # 858993459)::bigint & 2147483647 AS h3
                    FROM generate_series(1, %(total)s) AS g
                  ) h
                  JOIN bench_studio st ON st.i = 1 + mod(h.h2 / 16, {n_studios})
                  JOIN bench_studio cs ON cs.i = CASE WHEN 1 + (mod(h.h2, 10) >= 7)::int + (mod(h.h2, 10) = 9)::int = 2
                      THEN 1 + mod(st.i + mod(h.h3 / 32, {max(n_studios - 1, 1)}), {n_studios}) ELSE st.i END
                ) x
              ) y
            ) p"""
        resolved = ("CASE WHEN p.status = 'resolved' THEN p.st0 "
                    "WHEN p.status = 'closed' THEN p.disp + make_interval(hours => (1 + mod(p.h2, 240))::int) END")
        replied = f"CASE WHEN p.status = 'closed' THEN ({resolved}) + interval '2 hours' END"
        rating = ("CASE WHEN p.status <> 'closed' THEN '' WHEN mod(p.h1, 10) = 0 THEN 'not_rated' "
                  "WHEN mod(p.h1, 10) < 3 THEN 'basic' ELSE 'satisfied' END")
        resolve_due = "p.disp + make_interval(days => (ARRAY[7, 14, 28])[p.lp])"
        handled = "p.status IN ('dispatched', 'resolved', 'closed')"
        explicit = {
            "tracking_code": "'ZZ' || lpad(p.g::text, 8, '0')",
            "studio_id": "p.id",
            "current_studio_id": f"CASE WHEN {handled} THEN p.cur_id ELSE p.id END",
            "current_department_id": f"CASE WHEN {handled} THEN p.cur_dept END",
            "current_representative_id": (f"CASE WHEN {handled} AND cardinality(p.cur_reps) > 0 "
                                          "THEN p.cur_reps[1 + mod(p.h1, cardinality(p.cur_reps))] END"),
            "category_id": "p.sector_id",
            "sector_id": (f"CASE WHEN mod(p.h2, 5) = 0 THEN (ARRAY{sectors}::bigint[])[1 + mod(p.h3 / 7, {n_sectors})] "
                          "ELSE p.sector_id END"),
            "region_id": "p.region_id",
            "loop": "CASE WHEN p.status = 'submitted' THEN NULL ELSE p.lp END",
            "status": "p.status",
            "flag": "'blue'",
            "source": "(ARRAY['qr','qr','qr','qr','qr','qr','web','api','hotline','visit'])[1 + mod(p.h1 / 3, 10)]",
            "text": (f"(ARRAY[{quoted}])[1 + mod(p.g, {n_sent})] || (ARRAY[{quoted}])[1 + mod(p.g / 3, {n_sent})] || "
                     f"(ARRAY[{quoted}])[1 + mod(p.g / 7, {n_sent})] || (ARRAY[{quoted}])[1 + mod(p.g * 13, {n_sent})]"
                     " || '希望尽快解决。'"),
            "citizen_name": "(ARRAY['王秀英','李建国','','张桂兰','刘洋',''])[1 + mod(p.h2 / 5, 6)]",
            "citizen_phone": "CASE WHEN mod(p.h1, 4) = 0 THEN '' ELSE '13' || lpad(mod(p.h1 * 7, 1000000000)::text, 9, '0') END",
            "address": "''",
            "answer": ("CASE WHEN p.status IN ('resolved', 'closed') THEN "
                       "'已协调相关部门现场查看并处理完毕，后续将持续跟踪。' ELSE '' END"),
            "reject_reason": "CASE WHEN p.status = 'rejected' THEN '不属于受理范围，已告知向有关部门反映。' ELSE '' END",
            "rating": rating,
            "submitted_at": "p.s",
            "routed_at": "p.s + interval '1 minute'",
            "accepted_at": "p.acc",
            "dispatched_at": "p.disp",
            "resolved_at": resolved,
            "replied_at": replied,
            "rated_at": f"CASE WHEN ({rating}) IN ('basic', 'satisfied') THEN ({replied}) + interval '1 day' END",
            "closed_at": (f"CASE WHEN p.status = 'rejected' THEN p.s + interval '40 minutes' "
                          f"WHEN ({rating}) = 'not_rated' THEN ({replied}) + interval '15 days' "
                          f"WHEN p.status = 'closed' THEN ({replied}) + interval '1 day' END"),
            "accept_due_at": "CASE WHEN p.status IN ('submitted', 'accepted') THEN p.due0 ELSE p.s + interval '1 day' END",
            "resolve_due_at": (f"CASE WHEN p.status = 'dispatched' THEN p.due0 "
                               f"WHEN p.disp IS NOT NULL THEN {resolve_due} END"),
            "reply_due_at": (f"CASE WHEN p.status = 'resolved' THEN p.due0 "
                             f"WHEN p.status = 'closed' THEN ({resolved}) + interval '1 day' END"),
            "due_at": "CASE WHEN p.is_open THEN p.due0 END",
            "updated_at": (f"coalesce(CASE WHEN p.status = 'rejected' THEN p.s + interval '40 minutes' END, "
                           f"({replied}) + interval '1 day', {resolved}, p.disp, p.acc, p.s + interval '1 minute')"),
        }
        base = {"open": open_count, "now": now, "total": total}
        counts["petitions"] = insert_select(Petition, explicit, generated, base)
        log(f"  petitions: {counts['petitions']:,} in {time.perf_counter() - t:.1f} s")

        # The trail, from the rows just written (one INSERT per kind of step).
        t = time.perf_counter()
        mine = "FROM petitions_petition p WHERE p.tracking_code LIKE 'ZZ%%'"
        steps = [
            ("submit", "p.submitted_at", "''", "'submitted'", "'citizen'", "p.studio_id", "NULL", "true", "''", ""),
            ("route", "p.routed_at", "'submitted'", "'submitted'", "'system'", "p.current_studio_id",
             "p.current_department_id", "false", "'本行业办理'", "AND p.routed_at IS NOT NULL"),
            ("accept", "p.accepted_at", "'submitted'", "'accepted'", "'system'", "NULL", "NULL", "true", "''",
             "AND p.accepted_at IS NOT NULL"),
            ("reject", "p.closed_at", "'submitted'", "'rejected'", "''", "NULL", "NULL", "true", "p.reject_reason",
             "AND p.status = 'rejected'"),
            ("dispatch", "p.dispatched_at", "'accepted'", "'dispatched'", "'system'", "p.current_studio_id",
             "p.current_department_id", "true", "''", "AND p.dispatched_at IS NOT NULL"),
            ("resolve", "p.resolved_at", "'dispatched'", "'resolved'", "''", "NULL", "p.current_department_id", "true",
             "p.answer", "AND p.resolved_at IS NOT NULL"),
            ("reply", "p.replied_at", "'resolved'", "'replied'", "''", "NULL", "NULL", "true", "p.answer",
             "AND p.replied_at IS NOT NULL"),
            ("rate", "p.rated_at", "'replied'", "'closed'", "'citizen'", "NULL", "NULL", "true", "''",
             "AND p.rated_at IS NOT NULL"),
            ("close", "p.closed_at", "'replied'", "'closed'", "'system'", "NULL", "NULL", "true", "''",
             "AND p.rating = 'not_rated'"),
        ]
        events = 0
        for action, at, from_status, to_status, actor, studio, department, public, note, where in steps:
            events += insert_select(PetitionEvent, {
                "petition_id": "p.id", "action": f"'{action}'", "actor_label": actor, "at": at,
                "from_status": from_status, "to_status": to_status, "loop": "p.loop", "studio_id": studio,
                "department_id": department, "note": note, "public": public, "data": "'{}'::jsonb",
            }, f"{mine} {where}")
        # Some closed petitions went yellow, some red (with a red card, rectified and closed).
        went = "AND p.status = 'closed' AND p.resolve_due_at IS NOT NULL"
        yellow = f"{went} AND mod(hashint4(p.id::int)::bigint & 2147483647, 100) < 12"
        red = f"{went} AND mod(hashint4(p.id::int)::bigint & 2147483647, 100) < 4"
        yellow_at = "p.dispatched_at + (p.resolve_due_at - p.dispatched_at) * 0.8"
        for frm, to, at, where in (("blue", "yellow", yellow_at, yellow), ("yellow", "red", "p.resolve_due_at", red)):
            counts[f"flag changes to {to}"] = flagged = insert_select(PetitionEvent, {
                "petition_id": "p.id", "action": "'flag'", "actor_label": "'system'", "at": at, "loop": "p.loop",
                "public": "false", "data": f"""'{{"from": "{frm}", "to": "{to}", "stage": "resolve"}}'::jsonb"""},
                f"{mine} {where}")
            events += flagged
        counts["events"] = events
        counts["red cards"] = insert_select(RedCard, {
            "petition_id": "p.id", "stage": "'resolve'", "representative_id": "p.current_representative_id",
            "studio_id": "p.current_studio_id", "issued_at": "p.resolve_due_at",
            "rectify_by": "p.resolve_due_at + interval '7 days'", "status": "'closed'",
            "rectified_at": "p.resolve_due_at + interval '3 days'", "closed_at": "p.resolve_due_at + interval '4 days'",
            "reason": "'超期未办结'", "rectification": "'已督促办结并整改'"}, f"{mine} {red}")
        log(f"  trail: {events:,} events, flag history and red cards in {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        counts["duty records"] = insert_select(DutyRecord, {
            "representative_id": "p.current_representative_id",
            "kind": "CASE WHEN p.loop = 3 THEN 'consultation' ELSE 'petition' END",
            "source": "'petitions.petition'", "source_id": "p.id", "summary": "'办结诉求 ' || p.tracking_code",
            "occurred_at": "p.resolved_at"},
            f"{mine} AND p.resolved_at IS NOT NULL AND p.current_representative_id IS NOT NULL")
        # Routing terms of the last 30 days (what "similar petitions" count), as routing would record them.
        terms = _sentence_terms()
        cur.execute("CREATE TEMP TABLE bench_terms (i int, term varchar(32), sector_id bigint) ON COMMIT DROP")
        cur.executemany("INSERT INTO bench_terms VALUES (%s, %s, %s)", terms)
        counts["routing terms"] = insert_select(PetitionTerm, {
            "petition_id": "p.id", "term": "p.term", "sector_id": "p.sector_id",
            "township_id": "CASE WHEN r.kind = 'township' THEN p.region_id END", "at": "p.submitted_at"},
            f"""FROM (SELECT DISTINCT p.id, p.sector_id, p.region_id, p.submitted_at, t.term
                      FROM petitions_petition p
                      CROSS JOIN LATERAL (VALUES (1 + mod(substr(p.tracking_code, 3)::int, {n_sent})),
                                                 (1 + mod(substr(p.tracking_code, 3)::int / 3, {n_sent})),
                                                 (1 + mod(substr(p.tracking_code, 3)::int / 7, {n_sent})),
                                                 (1 + mod(substr(p.tracking_code, 3)::int * 13, {n_sent}))) AS s(i)
                      JOIN bench_terms t ON t.i = s.i AND t.sector_id = p.sector_id
                      WHERE p.tracking_code LIKE 'ZZ%%' AND p.submitted_at >= %(since)s) p
                JOIN offices_region r ON r.id = p.region_id""",
            {"since": now - timedelta(days=30)})
        log(f"  duty records {counts['duty records']:,}, routing terms {counts['routing terms']:,} "
            f"in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        for definition in indexes:
            cur.execute(definition)
        log(f"  {len(indexes)} indexes rebuilt in {time.perf_counter() - t:.1f} s")
    return counts
