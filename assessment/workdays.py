"""Working days in mainland China: the national holiday calendar plus local overrides.

The chinese-calendar package knows the State Council's holiday arrangements for the years up to its
release and raises NotImplementedError for later years. For such a year we fall back to Monday to
Friday plus the WorkdayOverride table, never crash, and `years_without_calendar()` tells the admin
which years still need their holidays entered.

All arithmetic is in Asia/Shanghai local time (the project's TIME_ZONE). Results are cached per
process; `reset_cache()` clears them (the override admin and the tests call it), and the override
table is re-read at most every OVERRIDES_TTL seconds so other processes pick up changes.
"""
from __future__ import annotations

import time as _time
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

TZ = ZoneInfo("Asia/Shanghai")
OVERRIDES_TTL = 300.0
DAY = 86400

_overrides: dict[date, bool] | None = None
_overrides_loaded_at = 0.0


def reset_cache() -> None:
    global _overrides
    _overrides = None
    _is_workday_cached.cache_clear()
    _national_known.cache_clear()


def _load_overrides() -> dict[date, bool]:
    global _overrides, _overrides_loaded_at
    if _overrides is None or _time.monotonic() - _overrides_loaded_at > OVERRIDES_TTL:
        from .models import WorkdayOverride

        fresh = dict(WorkdayOverride.objects.values_list("date", "is_workday"))
        if fresh != _overrides:
            _is_workday_cached.cache_clear()
        _overrides, _overrides_loaded_at = fresh, _time.monotonic()
    return _overrides


@lru_cache(maxsize=64)
def _national_known(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _national_workday(day: date) -> bool:
    if _national_known(day.year):
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the package half-knows: be safe
            pass
    return day.weekday() < 5


@lru_cache(maxsize=8192)
def _is_workday_cached(day: date) -> bool:
    override = (_overrides or {}).get(day)
    return override if override is not None else _national_workday(day)


def is_workday(day: date) -> bool:
    """True if `day` is a working day (national calendar, or Mon–Fri for unknown years, then overrides)."""
    _load_overrides()
    return _is_workday_cached(day)


def calendar_known(year: int) -> bool:
    return _national_known(year)


def years_without_calendar(years=None) -> list[int]:
    """Years (this year and next by default) that the package does not know and for which no
    override has been entered: the admin shows a warning for each until its holidays are entered."""
    from .models import WorkdayOverride

    if years is None:
        from django.utils import timezone

        this_year = timezone.now().astimezone(TZ).year
        years = (this_year, this_year + 1)
    unknown = [y for y in years if not _national_known(y)]
    if not unknown:
        return []
    entered = {d.year for d in WorkdayOverride.objects.filter(date__year__in=unknown).dates("date", "year")}
    return [y for y in unknown if y not in entered]


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("aware datetimes only")
    return moment.astimezone(TZ)


def next_workday(day: date) -> date:
    day += timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def add_workdays(start: datetime, n: int) -> datetime:
    """The deadline `n` working days after `start`, at the same clock time (Asia/Shanghai).

    A clock started on a non-working day starts at 00:00 of the next working day, so a request sent
    on 1 October with one working day to accept is due at the end of the first working day after
    the holiday.
    """
    local = _local(start)
    day = local.date()
    clock = local.timetz().replace(tzinfo=None)
    if not is_workday(day):
        # The clock starts at 00:00 of the next working day; n working days later is the end of
        # the n-th working day (24:00, written as 00:00 of the calendar day after it).
        day = next_workday(day)
        if n == 0:
            return datetime.combine(day, time(0), tzinfo=TZ)
        for _ in range(n - 1):
            day = next_workday(day)
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=TZ)
    for _ in range(n):
        day = next_workday(day)
    return datetime.combine(day, clock, tzinfo=TZ)


def workdays_between(start: date, end: date) -> int:
    """Working days in [start, end): how many working days lie from start up to, not including, end."""
    if end <= start:
        return 0
    count, day = 0, start
    while day < end:
        count += is_workday(day)
        day += timedelta(days=1)
    return count


def working_seconds_between(start: datetime, end: datetime) -> float:
    """Seconds of [start, end) that fall on working days: how long an on-hold pause used the clock."""
    a, b = _local(start), _local(end)
    if b <= a:
        return 0.0
    total, cursor = 0.0, a
    while cursor < b:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=TZ)
        segment_end = min(midnight, b)
        if is_workday(cursor.date()):
            total += (segment_end - cursor).total_seconds()
        cursor = segment_end
    return total


def add_working_seconds(start: datetime, seconds: float) -> datetime:
    """`start` moved later by `seconds` of working time, skipping non-working days (extends a
    deadline by the working time a petition spent on hold)."""
    cursor = _local(start)
    remaining = float(seconds)
    while remaining > 0:
        if not is_workday(cursor.date()):
            cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=TZ)
            continue
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=TZ)
        available = (midnight - cursor).total_seconds()
        if remaining <= available:
            return cursor + timedelta(seconds=remaining)
        remaining -= available
        cursor = midnight
    return cursor
