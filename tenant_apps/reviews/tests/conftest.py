import pytest
from django_tenants.utils import tenant_context

from tenant_apps.listings.cache import bump_listings_version


@pytest.fixture(autouse=True)
def _fresh_listing_cache(marketplaces, db):
    """Redis is not rolled back with each test: start on a new listings cache version."""
    for market in marketplaces.values():
        with tenant_context(market.tenant):
            bump_listings_version()
