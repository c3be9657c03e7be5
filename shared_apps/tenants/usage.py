"""How much each marketplace is used (listings, bookings, revenue), asked of the apps that
own those tables.

Marketplaces (the public schema) sit below every marketplace app in the layers
(docs/architecture.md), so this app never reads their tables. The app that can count them
all registers a `UsageReader` here from its AppConfig.ready() (bookings: it sits above
listings); with nothing registered, usage is unknown (None)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class Usage:
    listings: int | None = None
    published_listings: int | None = None
    bookings: int | None = None
    bookings_30d: int | None = None
    revenue_30d: Decimal | None = None


class UsageReader(Protocol):
    def usage(self, *, schemas: list[str], since: datetime) -> dict[str, Usage]:
        """Usage of each existing marketplace schema in `schemas` (one query for them all);
        bookings and revenue counted from `since`."""
        ...


class UnknownUsage:
    def usage(self, *, schemas: list[str], since: datetime) -> dict[str, Usage]:
        return {}


_reader: list[UsageReader] = [UnknownUsage()]


def register_usage_reader(reader: UsageReader) -> None:
    _reader[0] = reader


def usage_reader() -> UsageReader:
    return _reader[0]
