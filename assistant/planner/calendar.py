"""Working days: every deadline an adviser is given falls on a day offices are open.

A prescription deadline on a Sunday or on 1 May cannot be met; the planner moves
each deadline to the previous working day (earlier is always safe for a deadline),
and never before its lower bound (today, the end of the diagnostic): then to the
next working day. French public holidays (Code du travail L3133-1) are computed,
Easter-based ones with the Gregorian computus.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return date(year, month, day)


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    """The 11 French public holidays of `year` (L3133-1 C. trav.)."""
    easter = _easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    return frozenset([date(year, m, d) for m, d in fixed]
                     + [easter + timedelta(days=n) for n in (1, 39, 50)])


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def previous_working_day(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def deadline_day(day: date, not_before: date) -> date:
    """The working day to give for a deadline on `day`: the previous working day, or, when that falls
    before `not_before`, the first working day from `not_before`."""
    earlier = previous_working_day(day)
    return earlier if earlier >= not_before else next_working_day(not_before)
