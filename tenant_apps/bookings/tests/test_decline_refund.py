"""A declined request shows what the guest gets back, as a cancelled booking does."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tenant_apps.listings.tests.factories import listing_factory


def test_a_declined_request_shows_its_refund_amount_in_rest_and_graphql(
    api, gql, alpha, host, guest
):
    listing = listing_factory(alpha.tenant, host, nightly_price=Decimal("100"))
    start = timezone.localdate() + timedelta(days=12)
    booked = api(alpha.host, guest).post(
        "/api/v1/bookings",
        {"property_id": str(listing.id), "check_in": start, "check_out": start + timedelta(2),
         "guests": 1},
    ).json()  # fmt: skip

    declined = api(alpha.host, host).post(f"/api/v1/bookings/{booked['id']}/decline").json()
    _, body = gql(alpha.host, guest)(f'{{ booking(id: "{booked["id"]}") {{ refundAmount }} }}')

    assert declined["status"] == "declined"
    assert declined["refund_amount"] == booked["total"]
    assert body["data"]["booking"]["refundAmount"] == booked["total"]
