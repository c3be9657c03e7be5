"""Usage of marketplaces for the platform operator (listings, bookings, revenue): one query
across many schemas. It lives here, above listings and bookings, because it reads both;
the marketplaces app asks for it through its `UsageReader` port (registered in apps.py)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from shared_apps.tenants.usage import Usage
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.listings.constants import PropertyStatus
from tenant_apps.listings.models import Property


class MarketplaceUsage:
    def usage(self, *, schemas: list[str], since: datetime) -> dict[str, Usage]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [schemas])
            present = {row[0] for row in cursor.fetchall()}
        q = connection.ops.quote_name
        prop, booking = Property._meta.db_table, Booking._meta.db_table
        parts, params = [], []
        for slug in (s for s in schemas if s in present):
            schema = q(slug)
            parts.append(
                f"""SELECT %s,
                  (SELECT count(*) FROM {schema}.{q(prop)}),
                  (SELECT count(*) FROM {schema}.{q(prop)} WHERE status = %s),
                  (SELECT count(*) FROM {schema}.{q(booking)}),
                  (SELECT count(*) FROM {schema}.{q(booking)} WHERE created >= %s),
                  (SELECT coalesce(sum(total), 0) FROM {schema}.{q(booking)}
                   WHERE status = ANY(%s) AND confirmed_at >= %s)"""  # noqa: S608
            )
            params += [
                slug,
                PropertyStatus.PUBLISHED,
                since,
                [BookingStatus.CONFIRMED, BookingStatus.COMPLETED],
                since,
            ]
        if not parts:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return {row[0]: Usage(*row[1:]) for row in cursor.fetchall()}
