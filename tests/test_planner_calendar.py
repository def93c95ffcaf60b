"""Working days (invariant 5): weekends and the 11 French public holidays, Easter-based ones included."""

from datetime import date

from assistant.planner.calendar import deadline_day, is_working_day, public_holidays


def test_public_holidays_of_2027():
    days = public_holidays(2027)
    assert len(days) == 11
    assert {date(2027, 3, 29), date(2027, 5, 6), date(2027, 5, 17)} <= days  # Easter Monday, Ascension, Whit Monday
    assert date(2027, 5, 1) in days and date(2027, 11, 11) in days


def test_a_deadline_moves_to_the_previous_working_day_but_not_before_its_floor():
    assert not is_working_day(date(2027, 5, 8))  # a Saturday and a holiday
    assert deadline_day(date(2027, 5, 9), date(2027, 1, 1)) == date(2027, 5, 7)  # Sunday -> Friday
    assert deadline_day(date(2027, 5, 9), date(2027, 5, 8)) == date(2027, 5, 10)  # floor after Friday -> Monday
    assert deadline_day(date(2027, 12, 25), date(2027, 1, 1)) == date(2027, 12, 24)
