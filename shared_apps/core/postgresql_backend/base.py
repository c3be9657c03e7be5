"""django-tenants' PostgreSQL backend, with two bounds on what one PostgreSQL backend keeps.

A PostgreSQL backend caches the catalog entries (relation, index and type descriptors) of
every table it has used and never evicts them, so a persistent connection that serves many
marketplaces grows by about 250 KB per schema it has touched: 50 MB after 200 marketplaces,
hundreds of megabytes per connection at thousands.

- **A budget per connection** (DATABASE_SCHEMAS_PER_CONNECTION): the wrapper counts the
  distinct marketplace schemas a connection has run queries in, and once that passes the
  budget it closes the connection at the next point where Django checks persistent
  connections (the start and end of every request, before and after every Celery task), so
  the next request opens a fresh, small backend. The public schema is not counted (every
  request uses it). 0 turns the bound off.
- **Connections by group of marketplaces** (DATABASE_CONNECTION_GROUPS, 1: off): each
  marketplace schema belongs to one of N groups (a hash of its name), and the wrapper keeps
  one connection per group, switching to the group's connection between transactions. Each
  backend then only ever holds its group's catalogs: a process serving more marketplaces
  than one budget no longer reopens connections (and reloads catalogs) over and over, which
  is what made requests slower than for one marketplace (docs/benchmarks.md). Never inside
  a transaction: a transaction stays on the connection it began on."""

from __future__ import annotations

import contextlib
import zlib

from django.conf import settings
from django_tenants.postgresql_backend import base as tenants_base
from django_tenants.utils import get_public_schema_name


def connection_group(schema_name: str) -> int | None:
    """The group of a marketplace schema, or None (no groups, or the public schema: any
    connection serves it)."""
    groups = getattr(settings, "DATABASE_CONNECTION_GROUPS", 1)
    if groups <= 1 or schema_name == get_public_schema_name():
        return None
    return zlib.crc32(schema_name.encode()) % groups


class DatabaseWrapper(tenants_base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        self.schemas_touched: set[str] = set()
        self.group: int | None = None  # the group of the current connection
        # group -> (idle connection, the schemas it has touched)
        self.parked: dict[int, tuple[object, set[str]]] = {}
        super().__init__(*args, **kwargs)

    def connect(self):
        super().connect()
        self.schemas_touched = set()

    def _cursor(self, name=None):
        self._use_group_connection()
        cursor = super()._cursor(name)
        if self.schema_name != get_public_schema_name():
            self.schemas_touched.add(self.schema_name)
        return cursor

    def _use_group_connection(self) -> None:
        """Between transactions, puts the current schema's group connection in place."""
        wanted = connection_group(self.schema_name)
        if wanted is None or wanted == self.group:
            return
        if self.connection is None:
            self.group = wanted  # the next connect() opens this group's connection
            return
        if self.in_atomic_block or not self.get_autocommit():
            return  # a transaction stays on the connection it began on
        if self.group is None:  # opened for the public schema only: it joins this group
            self.group = wanted
            return
        self.parked[self.group] = (self.connection, self.schemas_touched)
        held = self.parked.pop(wanted, None)
        self.group = wanted
        # Whatever that connection's search path is, it is not known to be ours.
        self.search_path_set_schemas = None
        if held is not None and not (held[0].closed or held[0].broken):
            self.connection, self.schemas_touched = held
            return
        self.connection = None
        self.connect()

    def close(self):
        parked, self.parked = self.parked, {}
        for connection, _touched in parked.values():
            with contextlib.suppress(Exception):  # already broken: nothing left to close
                connection.close()
        super().close()

    def over_schema_budget(self) -> bool:
        budget = getattr(settings, "DATABASE_SCHEMAS_PER_CONNECTION", 0)
        return bool(budget) and len(self.schemas_touched) > budget

    def close_if_unusable_or_obsolete(self):
        super().close_if_unusable_or_obsolete()
        if self.connection is not None and not self.in_atomic_block and self.over_schema_budget():
            self.close()
