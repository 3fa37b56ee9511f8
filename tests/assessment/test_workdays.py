"""Working-day arithmetic against the real mainland calendar (chinese-calendar 1.11.0)."""
from datetime import date, datetime

import pytest

from assessment import workdays
from assessment.models import WorkdayOverride

TZ = workdays.TZ
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    workdays.reset_cache()
    yield
    workdays.reset_cache()


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_national_day_2025_is_off_and_the_make_up_saturday_is_on():
    assert not workdays.is_workday(date(2025, 10, 1))
    assert not workdays.is_workday(date(2025, 10, 8))
    assert workdays.is_workday(date(2025, 10, 9))
    assert workdays.is_workday(date(2025, 9, 28))  # Sunday, worked to make up
    assert workdays.is_workday(date(2025, 10, 11))  # Saturday, worked to make up


def test_add_workdays_across_national_day_2026():
    # Wed 30 Sep 2026 10:00 + 1 working day: 1-7 Oct are off, Thu 8 Oct is the next working day.
    assert workdays.add_workdays(at(2026, 9, 30), 1) == at(2026, 10, 8)
    # + 3: 8 Oct (Thu), 9 Oct (Fri), 10 Oct (the make-up Saturday).
    assert workdays.add_workdays(at(2026, 9, 30), 3) == at(2026, 10, 10)


def test_add_workdays_across_spring_festival_2026_and_its_make_up_saturdays():
    # Fri 13 Feb 2026 + 1: Sat 14 Feb is a make-up working day.
    assert workdays.add_workdays(at(2026, 2, 13, 15, 30), 1) == at(2026, 2, 14, 15, 30)
    # Sat 14 Feb + 1: 15-23 Feb are off, Tue 24 Feb.
    assert workdays.add_workdays(at(2026, 2, 14), 1) == at(2026, 2, 24)
    # Fri 27 Feb + 1: Sat 28 Feb is a make-up working day.
    assert workdays.add_workdays(at(2026, 2, 27), 1) == at(2026, 2, 28)


def test_a_clock_started_on_a_holiday_starts_on_the_next_working_day():
    # Submitted on 2 Oct 2026 (holiday): one working day to accept is the end of Thu 8 Oct.
    assert workdays.add_workdays(at(2026, 10, 2, 9), 1) == at(2026, 10, 9, 0)
    assert workdays.add_workdays(at(2026, 10, 2, 9), 0) == at(2026, 10, 8, 0)


def test_workdays_between_counts_the_holiday_week_out():
    # 28 Sep - 11 Oct 2026: Mon-Wed (3) + Thu 8, Fri 9, Sat 10 (make-up) = 6; Sun 20 Sep not in range
    assert workdays.workdays_between(date(2026, 9, 28), date(2026, 10, 12)) == 6
    assert workdays.workdays_between(date(2026, 10, 1), date(2026, 10, 1)) == 0


def test_2027_falls_back_to_monday_to_friday_without_crashing():
    assert not workdays.calendar_known(2027)
    assert workdays.is_workday(date(2027, 1, 1))  # a Friday; the package does not know 2027
    assert not workdays.is_workday(date(2027, 1, 2))
    assert workdays.add_workdays(at(2026, 12, 31), 2) == at(2027, 1, 4)
    assert workdays.years_without_calendar([2026, 2027]) == [2027]


def test_an_override_wins_and_silences_the_missing_year_warning():
    WorkdayOverride.objects.create(date=date(2027, 1, 1), is_workday=False, note="New Year")
    assert not workdays.is_workday(date(2027, 1, 1))
    assert workdays.add_workdays(at(2026, 12, 31), 1) == at(2027, 1, 4)
    assert workdays.years_without_calendar([2026, 2027]) == []
    WorkdayOverride.objects.create(date=date(2026, 10, 3), is_workday=True, note="local make-up day")
    assert workdays.is_workday(date(2026, 10, 3))


def test_working_seconds_skip_the_holidays():
    # On hold from Wed 30 Sep 2026 12:00 to Thu 8 Oct 12:00: 12 h + 12 h of working time.
    assert workdays.working_seconds_between(at(2026, 9, 30, 12), at(2026, 10, 8, 12)) == 24 * 3600
    assert workdays.add_working_seconds(at(2026, 9, 30, 12), 24 * 3600) == at(2026, 10, 8, 12)
