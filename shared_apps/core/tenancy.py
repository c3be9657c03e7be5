"""The one place code asks which marketplace it is serving.

Code never passes schema names around by hand: it reads the tenant the connection is set to.
Code that needs a marketplace and finds the public schema fails closed."""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models.base import ModelState
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


# --- Host -> marketplace, cached in each process ----------------------------------------
#
# Every request used to look its Host header up in the domain table (a query and a
# `SET search_path`, most of a bare view's cost). Each process keeps the answers, and
# forgets them all when the shared version key changes: any save or delete of a tenant or a
# domain (a new domain, a removed one, a suspension) bumps it (`host_map_changed`, connected
# in CoreConfig.ready()). The process that made the change forgets at once; the others see
# the new version the next time they read it, at most HOST_MAP_CHECK_SECONDS later. With
# Redis unreachable the version can't be read and every request looks its host up again.

HOST_MAP_VERSION_KEY = "tenancy:host-map:version"
HOST_MAP_MAX_HOSTS = 10_000  # unknown hosts are never kept; this bounds the known ones


class HostMap:
    def __init__(self) -> None:
        self._tenants: dict[str, Tenant] = {}
        self._version: int | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def tenant_for(self, hostname: str, load: Callable[[str], Tenant]) -> Tenant:
        """The marketplace served at `hostname` (a copy: requests may set attributes on it);
        `load` looks it up in the database (and raises when there is none)."""
        if not self._fresh():
            return load(hostname)
        tenant = self._tenants.get(hostname)
        if tenant is None:
            version = self._version
            tenant = load(hostname)
            with self._lock:
                if self._version == version and len(self._tenants) < HOST_MAP_MAX_HOSTS:
                    self._tenants[hostname] = tenant
        return _copy(tenant)

    def _fresh(self) -> bool:
        now = time.monotonic()
        if now - self._checked < settings.HOST_MAP_CHECK_SECONDS and self._version is not None:
            return True
        version = _read_version()
        with self._lock:
            self._checked = now
            if version != self._version or version is None:
                self._tenants.clear()
                self._version = version
        return version is not None

    def forget(self) -> None:
        with self._lock:
            self._tenants.clear()
            self._version = None
            self._checked = float("-inf")


def _copy(tenant: Tenant) -> Tenant:
    """A new instance with the same field values (copy.copy of a model goes through pickling
    support and costs several times more)."""
    clone = tenant.__class__.__new__(tenant.__class__)
    clone.__dict__ = tenant.__dict__.copy()
    clone._state = ModelState()
    clone._state.db, clone._state.adding = tenant._state.db, False
    return clone


def _read_version() -> int | None:
    from django.core.cache import cache
    from django_tenants.utils import schema_context

    with schema_context(get_public_schema_name()):  # the key is the platform's, not a tenant's
        version = cache.get(HOST_MAP_VERSION_KEY)
        if version is None:
            cache.add(HOST_MAP_VERSION_KEY, secrets.randbelow(2**62) + 1, timeout=None)
            version = cache.get(HOST_MAP_VERSION_KEY)
    return version


host_map = HostMap()


def host_map_changed(**_kwargs) -> None:
    """A tenant or domain row changed: every process forgets its host map (this one now)."""
    from django.core.cache import cache
    from django_tenants.utils import schema_context

    host_map.forget()
    # No version yet (ValueError): no process holds a map made under one.
    with schema_context(get_public_schema_name()), contextlib.suppress(ValueError):
        cache.incr(HOST_MAP_VERSION_KEY)
