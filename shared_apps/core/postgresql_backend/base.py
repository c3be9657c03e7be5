"""django-tenants' PostgreSQL backend, with a bound on how many marketplace schemas one
connection serves before it is recycled.

A PostgreSQL backend caches the catalog entries (relation, index and type descriptors) of
every table it has used and never evicts them, so a persistent connection that serves many
marketplaces grows by about 250 KB per schema it has touched: 50 MB after 200 marketplaces,
hundreds of megabytes per connection at thousands. This wrapper counts the distinct
marketplace schemas a connection has run queries in, and once that passes
DATABASE_SCHEMAS_PER_CONNECTION it closes the connection at the next point where Django
checks persistent connections (the start and end of every request, before and after every
Celery task), so the next request opens a fresh, small backend. The public schema is not
counted (every request uses it). 0 turns the bound off."""

from __future__ import annotations

from django.conf import settings
from django_tenants.postgresql_backend import base as tenants_base
from django_tenants.utils import get_public_schema_name


class DatabaseWrapper(tenants_base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        self.schemas_touched: set[str] = set()
        super().__init__(*args, **kwargs)

    def connect(self):
        super().connect()
        self.schemas_touched = set()

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        if self.schema_name != get_public_schema_name():
            self.schemas_touched.add(self.schema_name)
        return cursor

    def over_schema_budget(self) -> bool:
        budget = getattr(settings, "DATABASE_SCHEMAS_PER_CONNECTION", 0)
        return bool(budget) and len(self.schemas_touched) > budget

    def close_if_unusable_or_obsolete(self):
        super().close_if_unusable_or_obsolete()
        if self.connection is not None and not self.in_atomic_block and self.over_schema_budget():
            self.close()
