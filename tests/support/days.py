"""The one day helper of the tests: a date relative to today."""

from __future__ import annotations

from datetime import date, timedelta


def day(offset: int) -> date:
    """Today plus `offset` days (negative: in the past). The server's date, as the code under
    test sees it for stays booked ahead."""
    return date.today() + timedelta(days=offset)  # noqa: DTZ011
