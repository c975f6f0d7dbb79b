"""The product's clock: a test travels to an instant, a demo or the suite shifts the day; production cannot."""
from datetime import UTC, date, datetime, timedelta

import pytest

from workflows import clock
from workflows.config import Config

pytestmark = pytest.mark.clock  # deadline-sensitive: run again with the clock shifted


@pytest.fixture
def day_shift_kept():
    """Tests here change the process's day shift: give back the one the suite runs with."""
    kept = clock._shift
    yield
    clock._shift = kept


def test_travel_freezes_or_ticks_and_gives_the_clock_back(travel):
    before = clock.shifted_day()
    instant = datetime(2026, 9, 28, 2, tzinfo=UTC)
    with clock.travel(instant, tick=False):
        assert clock.now() == instant and clock.today() == date(2026, 9, 28)
        with clock.travel(date(2027, 1, 4)):
            assert clock.today() == date(2027, 1, 4)
            assert clock.now() - clock.at(date(2027, 1, 4)) < timedelta(seconds=5)  # ticking from 10:00
        assert clock.now() == instant
    assert clock.shifted_day() == before
    travel(date(2026, 12, 20))  # the fixture's form, taken back after the test
    assert clock.today() == date(2026, 12, 20)


def test_an_instant_without_a_zone_is_refused():
    with pytest.raises(ValueError), clock.travel(datetime(2026, 9, 28, 10)):
        pass


def test_the_day_shift_keeps_the_time_of_day_and_ticks(day_shift_kept, monkeypatch):
    system = [datetime(2026, 12, 6, 3, 15, tzinfo=UTC)]  # the machine's clock, stood in for: 11:15 in Shanghai
    monkeypatch.setattr(clock, "_system_now", lambda: system[0])
    clock.shift_to_day(date(2027, 1, 4))
    assert clock.now() == datetime(2027, 1, 4, 3, 15, tzinfo=UTC)  # whole days: the time of day is the machine's
    assert clock.today() == date(2027, 1, 4) and clock.shifted_day() == date(2027, 1, 4)
    system[0] += timedelta(hours=13)  # ticking: past midnight in Shanghai, the shifted day moves on too
    assert clock.today() == date(2027, 1, 5)
    clock.shift_to_day(None)
    assert clock.shifted_day() is None and clock.now() == system[0]


def test_today_is_the_shanghai_date():
    with clock.travel(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), tick=False):  # 00:30 on 1 January in Shanghai
        assert clock.today() == date(2027, 1, 1)


def test_credit_cases_today_is_honoured_only_for_tests_and_demos(monkeypatch, tmp_path, day_shift_kept):
    monkeypatch.setenv("CREDIT_CASES_TODAY", "2027-01-04")
    for name in ("CREDIT_CASES_TESTING", "CREDIT_CASES_DEMO"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="CREDIT_CASES_TODAY is honoured only with"):
        Config.from_env(instance_path=tmp_path)
    Config.from_env(instance_path=tmp_path, demo=True)
    assert clock.today() == date(2027, 1, 4)
    monkeypatch.setenv("CREDIT_CASES_TODAY", "4 January")
    with pytest.raises(ValueError, match="expected YYYY-MM-DD"):
        Config.from_env(instance_path=tmp_path, testing=True)
