"""The one place code asks which marketplace it is serving.

Code never passes schema names around by hand: it reads the tenant the connection is set to.
Code that needs a marketplace and finds the public schema fails closed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

if TYPE_CHECKING:
    from shared_apps.tenants.models import Tenant


class TenantRequiredError(RuntimeError):
    """Raised when marketplace code runs with no marketplace selected."""


def current_schema_name() -> str:
    return connection.schema_name


def is_public_schema() -> bool:
    return connection.schema_name == get_public_schema_name()


def current_tenant() -> Tenant:
    """The marketplace the connection serves; raises on the public schema."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or is_public_schema() or not getattr(tenant, "pk", None):
        raise TenantRequiredError(
            "This code needs a marketplace, but the connection is on the public schema."
        )
    return tenant


def marketplace_today() -> date:
    """Today's date where the marketplace is (its time zone), for rules about dates."""
    return timezone.now().astimezone(ZoneInfo(current_tenant().timezone)).date()
