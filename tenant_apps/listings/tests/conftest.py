import pytest


@pytest.fixture(autouse=True)
def _fresh_listing_cache(fresh_listing_cache):
    """Every test here reads or writes cached listing answers (root conftest)."""
