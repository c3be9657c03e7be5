"""Selectors that look up one row for an endpoint raise NotFoundError themselves, so REST
views and GraphQL resolvers call them once and never repeat the check: another host's rows,
hidden reviews and drafts are missing to the wrong caller, found by the right one."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.tests.factories import member_factory
from shared_apps.core.errors import NotFoundError
from tenant_apps.bookings.tests.factories import stay_factory
from tenant_apps.listings import selectors as listings
from tenant_apps.listings import services as listing_services
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.reviews import selectors as reviews
from tenant_apps.reviews.tests.factories import review_factory


@pytest.fixture
def rows(alpha, host, guest):
    other_host = member_factory(alpha.tenant, Role.HOST).user
    listing = listing_factory(alpha.tenant, host)
    draft = listing_factory(alpha.tenant, host, publish=False)
    review = review_factory(alpha.tenant, stay_factory(alpha.tenant, guest, listing))
    with tenant_context(alpha.tenant):
        start = timezone.localdate() + timedelta(days=80)
        block = listing_services.block_create(
            property=listing, start=start, end=start + timedelta(days=2)
        )
        photo = listing.photos.first()
    return {"other": other_host, "listing": listing, "draft": draft, "review": review,
            "block": block, "photo": photo}  # fmt: skip


def test_the_owner_finds_and_everyone_else_gets_not_found(alpha, host, guest, rows):
    listing, other = rows["listing"], rows["other"]
    with tenant_context(alpha.tenant):
        assert listings.property_for_host(property_id=listing.pk, host=host) == listing
        assert (
            listings.photo_of_host(property_id=listing.pk, photo_id=rows["photo"].pk, host=host)
            == rows["photo"]
        )
        assert (
            listings.block_of_host(property_id=listing.pk, block_id=rows["block"].pk, host=host)
            == rows["block"]
        )
        assert reviews.review_for_host(review_id=rows["review"].pk, host=host) == rows["review"]
        assert listings.visible_property(property_id=rows["draft"].pk, user=host) == rows["draft"]

        missing = [
            lambda: listings.property_for_host(property_id=listing.pk, host=other),
            lambda: listings.property_for_host(property_id=uuid.uuid4(), host=host),
            lambda: listings.photo_of_host(
                property_id=listing.pk, photo_id=rows["photo"].pk, host=other
            ),
            lambda: listings.photo_of_host(
                property_id=listing.pk, photo_id=uuid.uuid4(), host=host
            ),
            lambda: listings.block_of_host(
                property_id=listing.pk, block_id=uuid.uuid4(), host=host
            ),
            lambda: reviews.review_for_host(review_id=rows["review"].pk, host=other),
            lambda: reviews.review_get(review_id=uuid.uuid4()),
            lambda: listings.visible_property(property_id=rows["draft"].pk, user=guest),
            lambda: listings.visible_property(property_id=rows["draft"].pk, user=None),
        ]
        for lookup in missing:
            with pytest.raises(NotFoundError):
                lookup()


def test_another_marketplace_finds_none_of_alphas_rows(alpha, bravo, host, rows):
    with tenant_context(bravo.tenant):
        with pytest.raises(NotFoundError):
            listings.property_for_host(property_id=rows["listing"].pk, host=host)
        with pytest.raises(NotFoundError):
            reviews.review_get(review_id=rows["review"].pk, include_hidden=True)
