import pytest

from sla import calendar


@pytest.fixture(autouse=True)
def packaged_calendar_only(monkeypatch):
    """Unit tests see the packaged calendar data alone, whatever an earlier test's database installed."""
    monkeypatch.setattr(calendar, "_default", calendar.WorkingCalendar())
