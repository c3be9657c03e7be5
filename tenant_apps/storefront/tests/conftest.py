"""Browsers for the host and admin pages: a Django test client on a marketplace host,
signed in through the login page as a person would."""

from __future__ import annotations

import pytest

from tenant_apps.storefront.tests.helpers import signed_in


@pytest.fixture
def browser_for():
    return signed_in
