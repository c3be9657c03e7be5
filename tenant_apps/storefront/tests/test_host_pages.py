"""Hosts' pages: what a host does in the browser, through the same services as the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.selectors import membership_for
from shared_apps.accounts.tests.factories import member_factory
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.services import booking_complete, booking_create
from tenant_apps.listings.constants import PropertyStatus
from tenant_apps.listings.models import AvailabilityBlock, Property
from tenant_apps.listings.tests.factories import image_upload, listing_factory
from tenant_apps.payments.services import payment_mark_paid
from tenant_apps.storefront.templatetags.storefront import money
from tenant_apps.storefront.tests.helpers import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_listing_cache")]

LISTING = {
    "title": "Chalet <b>Bold</b>", "property_type": "chalet", "max_guests": "4",
    "bedrooms": "2", "beds": "3", "bathrooms": "1.5", "street": "1 Dorfstrasse",
    "city": "Zermatt", "country": "ch", "nightly_price": "250", "cleaning_fee": "30",
    "house_rules": "No smoking.", "check_in_time": "15:00", "check_out_time": "10:00",
    "min_nights": "2", "max_nights": "30", "cancellation_policy": "strict",
    "amenities": ["wifi", "fireplace"], "instant_book": "on",
}  # fmt: skip


def _listings_of(market, user):
    with tenant_context(market.tenant):
        return list(Property.objects.filter(host=user))


def test_a_guest_becomes_a_host_and_lands_on_the_new_listing_form(alpha):
    guest = member_factory(alpha.tenant, Role.GUEST).user
    client = signed_in(alpha, guest)

    response = client.post("/host/become/")

    assert response.status_code == 302
    assert response["Location"] == "/host/listings/new/"
    assert membership_for(user=guest, tenant=alpha.tenant).role == Role.HOST
    assert client.get("/host/listings/new/").status_code == 200


def test_a_host_saves_a_draft_and_sees_only_photos_missing_before_publishing(alpha, host):
    client = signed_in(alpha, host)

    response = client.post("/host/listings/new/", LISTING)

    [prop] = _listings_of(alpha, host)
    assert response["Location"] == f"/host/listings/{prop.pk}/"
    assert prop.status == PropertyStatus.DRAFT
    assert prop.country == "CH"
    assert prop.house_rules == "No smoking."
    assert prop.instant_book is True
    page = client.get(response["Location"]).content.decode()
    assert "Before guests can see it, add:" in page
    assert 'href="#photos"' in page
    # The title is escaped wherever it is shown.
    assert "Chalet &lt;b&gt;Bold&lt;/b&gt;" in page
    assert "<b>Bold</b>" not in page


def test_the_services_refusal_shows_next_to_its_field_and_nothing_is_saved(alpha, host):
    client = signed_in(alpha, host)

    response = client.post("/host/listings/new/", {**LISTING, "min_nights": "40"})

    assert response.status_code == 200
    html = response.content.decode()
    field = html[html.index('id="id_min_nights"') :][:600]
    assert "Minimum nights must be at least 1 and not above maximum." in field
    assert _listings_of(alpha, host) == []


def test_a_host_uploads_reorders_and_deletes_photos_then_publishes(alpha, host):
    client = signed_in(alpha, host)
    client.post("/host/listings/new/", LISTING)
    [prop] = _listings_of(alpha, host)
    base = f"/host/listings/{prop.pk}"

    upload = client.post(
        f"{base}/photos/",
        {"photos": [image_upload("a.png"), image_upload("b.png"), image_upload("c.png")]},
    )
    assert upload.status_code == 302
    with tenant_context(alpha.tenant):
        first, second, third = prop.photos.order_by("position")

    client.post(f"{base}/photos/{third.pk}/move/", {"position": "0"})
    client.post(f"{base}/photos/{first.pk}/delete/")
    published = client.post(f"{base}/publish/", {"action": "publish"})

    with tenant_context(alpha.tenant):
        assert list(prop.photos.order_by("position")) == [third, second]
        assert Property.objects.get(pk=prop.pk).status == PropertyStatus.PUBLISHED
    assert published.status_code == 302


def test_an_upload_that_is_not_a_picture_is_named_and_the_good_ones_are_kept(alpha, host):
    prop = listing_factory(alpha.tenant, host, publish=False)
    client = signed_in(alpha, host)
    text = SimpleUploadedFile("notes.png", b"just text", content_type="image/png")

    response = client.post(
        f"/host/listings/{prop.pk}/photos/",
        {"photos": [image_upload("good.png"), text]},
        HTTP_X_PHOTO_UPLOAD="1",
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "The file is not a JPEG, PNG or WebP image." in html
    assert "notes.png was not added." in html
    assert "1 photo added." in html
    with tenant_context(alpha.tenant):
        assert prop.photos.count() == 2  # the factory's and the good one


def test_publishing_an_incomplete_listing_says_what_is_missing(alpha, host):
    client = signed_in(alpha, host)
    client.post("/host/listings/new/", {**LISTING, "street": ""})
    [prop] = _listings_of(alpha, host)

    response = client.post(f"/host/listings/{prop.pk}/publish/", follow=True)

    assert "Before publishing, add: street, photos." in response.content.decode()
    with tenant_context(alpha.tenant):
        assert Property.objects.get(pk=prop.pk).status == PropertyStatus.DRAFT


def test_a_host_blocks_and_unblocks_dates_and_sees_them_on_the_calendar(alpha, host):
    prop = listing_factory(alpha.tenant, host)
    client = signed_in(alpha, host)
    start = timezone.localdate() + timedelta(days=40)
    end = start + timedelta(days=3)

    response = client.post(
        f"/host/listings/{prop.pk}/calendar/",
        {"start": start.isoformat(), "end": end.isoformat(), "note": "Painting"},
        follow=True,
    )
    html = response.content.decode()
    assert "Dates blocked." in html
    assert "Painting" in html
    assert html.count("day--blocked") >= 1
    with tenant_context(alpha.tenant):
        block = AvailabilityBlock.objects.get(property=prop)

    client.post(f"/host/listings/{prop.pk}/blocks/{block.pk}/delete/")
    with tenant_context(alpha.tenant):
        assert not AvailabilityBlock.objects.filter(property=prop).exists()


def test_a_block_ending_before_it_starts_is_refused_next_to_the_end_field(alpha, host):
    prop = listing_factory(alpha.tenant, host)
    client = signed_in(alpha, host)
    day = timezone.localdate() + timedelta(days=5)

    response = client.post(
        f"/host/listings/{prop.pk}/calendar/",
        {"start": day.isoformat(), "end": day.isoformat()},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "The block must end after it starts." in html[html.index('id="id_end"') :][:500]


def _request(alpha, host, guest, *, days: int = 10):
    prop = listing_factory(alpha.tenant, host, instant_book=False)
    with tenant_context(alpha.tenant):
        today = timezone.localdate()
        return booking_create(
            property_id=prop.pk, guest=guest, check_in=today + timedelta(days=days),
            check_out=today + timedelta(days=days + 2), guests=2,
        )  # fmt: skip


def test_a_host_sees_a_request_with_its_expiry_and_accepts_it(alpha, host, guest):
    booking = _request(alpha, host, guest)
    client = signed_in(alpha, host)

    page = client.get("/host/reservations/").content.decode()
    expires = timezone.localtime(booking.created + timedelta(hours=24))
    assert guest.first_name in page
    assert f"Answer by {expires:%a} {expires.day} {expires:%b, %H:%M}" in page

    client.post(f"/host/reservations/{booking.pk}/answer/", {"answer": "accept"})

    with tenant_context(alpha.tenant):
        status = Booking.objects.get(pk=booking.pk).status
    assert status in (BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT)
    upcoming = client.get("/host/reservations/").content.decode()
    assert "No requests are waiting." in upcoming


def test_another_host_cannot_answer_someone_elses_request(alpha, host, guest):
    booking = _request(alpha, host, guest)
    other = member_factory(alpha.tenant, Role.HOST).user

    response = signed_in(alpha, other).post(
        f"/host/reservations/{booking.pk}/answer/", {"answer": "accept"}
    )

    assert response.status_code == 404
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.REQUESTED


def test_a_completed_stay_shows_on_the_payouts_page_less_the_host_fee(alpha, host, guest):
    booking = _request(alpha, host, guest)
    client = signed_in(alpha, host)
    assert "No completed stays yet." in client.get("/host/payouts/").content.decode()
    client.post(f"/host/reservations/{booking.pk}/answer/", {"answer": "accept"})
    with tenant_context(alpha.tenant):
        payment_mark_paid(booking_id=booking.pk, method="cash")  # the offline guest paid
        booking_complete(booking=Booking.objects.get(pk=booking.pk))  # the stay ended
        payout = booking.subtotal + booking.cleaning_fee - booking.host_fee

    html = client.get("/host/payouts/").content.decode()

    assert money(payout, booking.currency) in html
    assert "Earned from 1 stay" in html


def test_the_dashboard_lists_drafts_too_and_never_another_hosts_listings(alpha, bravo, host):
    listing_factory(alpha.tenant, host, publish=False, title="My draft")
    other = member_factory(alpha.tenant, Role.HOST).user
    listing_factory(alpha.tenant, other, title="Not mine")

    html = signed_in(alpha, host).get("/host/").content.decode()

    assert "My draft" in html
    assert "Draft" in html
    assert "Not mine" not in html
    assert re.search(r"Missing:", html) is None  # the factory's draft is complete


def test_a_hosts_price_field_refuses_a_price_of_zero_through_the_service(alpha, host):
    client = signed_in(alpha, host)

    response = client.post("/host/listings/new/", {**LISTING, "nightly_price": "0"})

    html = response.content.decode()
    assert "Use a price above 0" in html[html.index('id="id_nightly_price"') :][:500]
    assert _listings_of(alpha, host) == []


@pytest.mark.parametrize(
    "path", ["/host/", "/host/listings/new/", "/host/reservations/", "/host/payouts/"]
)
def test_host_pages_carry_no_inline_script_or_style(alpha, host, path):
    html = signed_in(alpha, host).get(path).content.decode()

    assert "<style" not in html
    assert " style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


def test_an_answer_that_is_neither_accept_nor_decline_changes_nothing(alpha, host, guest):
    booking = _request(alpha, host, guest)

    response = signed_in(alpha, host).post(
        f"/host/reservations/{booking.pk}/answer/", {"answer": "maybe"}, follow=True
    )

    assert "Choose Accept or Decline." in response.content.decode()
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.REQUESTED


def test_a_host_declines_a_request(alpha, host, guest):
    booking = _request(alpha, host, guest)

    response = signed_in(alpha, host).post(
        f"/host/reservations/{booking.pk}/answer/", {"answer": "decline"}, follow=True
    )

    assert "Declined. The guest has been told." in response.content.decode()
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.DECLINED
