"""Nights taken by guests' stays, asked of the app that books them.

Listings sits below bookings in the layers (docs/architecture.md): it never reads bookings'
tables. Search by dates, the calendar and host blocks need to know which nights stays hold,
so bookings registers a `StayReader` here from its AppConfig.ready(), answering from its
own selectors. With nothing registered, no night is held."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from django.db.models import Exists

from tenant_apps.listings.models import Property


class StayReader(Protocol):
    def held_between(self, check_in: date, check_out: date) -> Exists:
        """For a queryset of listings (`OuterRef("pk")`): a stay holds a night of
        [check_in, check_out)."""
        ...

    def held_ranges(self, *, property: Property, start: date, end: date) -> list[tuple]:
        """(check_in, check_out) of the stays holding nights of the listing in [start, end)."""
        ...

    def confirmed_stay(self, *, property: Property, start: date, end: date) -> tuple | None:
        """(check_in, check_out) of a confirmed stay overlapping [start, end), if any."""
        ...


class NoStays:
    def held_between(self, check_in: date, check_out: date) -> Exists:
        return Exists(Property.objects.none())

    def held_ranges(self, *, property: Property, start: date, end: date) -> list[tuple]:
        return []

    def confirmed_stay(self, *, property: Property, start: date, end: date) -> tuple | None:
        return None


_reader: list[StayReader] = [NoStays()]


def register_stay_reader(reader: StayReader) -> None:
    """Called once at start-up by the app that books stays."""
    _reader[0] = reader


def stay_reader() -> StayReader:
    return _reader[0]
