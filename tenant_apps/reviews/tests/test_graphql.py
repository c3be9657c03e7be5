"""Reviews through GraphQL: the same rules, rating and list as REST."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.bookings.tests.factories import stay_factory
from tenant_apps.listings.models import Property
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.reviews.tests.factories import review_factory

CREATE = """mutation($booking: UUID!, $input: ReviewInput!) {
  createReview(bookingId: $booking, input: $input) {
    review { id rating cleanliness comment author { firstName avatarUrl } }
    errors { field code message }
  } }"""
GOOD = {"rating": 5, "comment": "Spotless, and the host was lovely."}


@pytest.fixture
def listing(alpha, host):
    return listing_factory(alpha.tenant, host)


def _create(gql, market, user, booking, review):
    _, body = gql(market.host, user)(CREATE, {"booking": str(booking.id), "input": review})
    return body["data"]["createReview"]


BAD_REVIEWS = [
    ({"rating": 0, "comment": GOOD["comment"]}, "rating"),
    ({"rating": 6, "comment": GOOD["comment"]}, "rating"),
    ({"rating": 5, "comment": ""}, "comment"),
    ({"rating": 5, "comment": "  too short "}, "comment"),
    ({"rating": 5, "comment": "y" * 5000}, "comment"),
    ({**GOOD, "cleanliness": 9}, "cleanliness"),
]


def test_bad_reviews_get_typed_errors_naming_the_field(gql, alpha, guest, listing):
    stay = stay_factory(alpha.tenant, guest, listing)

    for review, field in BAD_REVIEWS:
        payload = _create(gql, alpha, guest, stay, review)

        assert payload["review"] is None, review
        assert payload["errors"][0]["field"] == field, (review, payload)
        assert payload["errors"][0]["code"] in ("invalid", "too_short", "too_long")
    assert _create(gql, alpha, guest, stay, GOOD)["errors"] == []


def test_a_review_through_graphql_counts_and_lists_as_one_through_rest(
    api, gql, alpha, guest, listing, make_member
):
    other = make_member(alpha.tenant).user
    review_factory(alpha.tenant, stay_factory(alpha.tenant, other, listing), rating=2)
    stay = stay_factory(alpha.tenant, guest, listing)

    created = _create(gql, alpha, guest, stay, {**GOOD, "cleanliness": 4})
    twice = _create(gql, alpha, guest, stay, GOOD)
    rest = api(alpha.host).get(f"/api/v1/properties/{listing.id}/reviews").json()["results"]
    _, page = gql(alpha.host)(
        "query($id: UUID!) { propertyReviews(propertyId: $id, first: 1) "
        "{ items { id rating author { firstName avatarUrl } } nextCursor } }",
        {"id": str(listing.id)},
    )
    _, rest_of_it = gql(alpha.host)(
        "query($id: UUID!, $after: String) { propertyReviews(propertyId: $id, after: $after) "
        "{ items { id } nextCursor } }",
        {"id": str(listing.id), "after": page["data"]["propertyReviews"]["nextCursor"]},
    )

    assert created["errors"] == []
    assert created["review"]["author"] == {"firstName": guest.first_name, "avatarUrl": ""}
    assert twice["errors"][0]["code"] == "already_reviewed"
    graphql_ids = [item["id"] for item in page["data"]["propertyReviews"]["items"]] + [
        item["id"] for item in rest_of_it["data"]["propertyReviews"]["items"]
    ]
    assert graphql_ids == [row["id"] for row in rest]
    assert rest_of_it["data"]["propertyReviews"]["nextCursor"] is None
    with tenant_context(alpha.tenant):
        prop = Property.objects.get(pk=listing.pk)
    assert (prop.rating_average, prop.rating_count) == (Decimal("3.50"), 2)


def test_reply_and_hide_through_graphql(gql, alpha, guest, host, listing):
    review = review_factory(alpha.tenant, stay_factory(alpha.tenant, guest, listing), rating=1)
    reply = (
        'mutation($id: UUID!) { replyToReview(reviewId: $id, reply: "Sorry to hear that.") '
        "{ review { hostReply } errors { code } } }"
    )
    hide = (
        'mutation($id: UUID!) { hideReview(reviewId: $id, reason: "Off-topic rant.") '
        "{ review { isHidden hiddenReason } errors { code } } }"
    )
    variables = {"id": str(review.id)}

    _, replied = gql(alpha.host, host)(reply, variables)
    _, again = gql(alpha.host, host)(reply, variables)
    _, hidden_by_host = gql(alpha.host, host)(hide, variables)
    _, hidden = gql(alpha.host, alpha.admin)(hide, variables)
    _, listing_after = gql(alpha.host)(
        "query($id: UUID!) { property(id: $id) { ratingAverage ratingCount reviews { id } } }",
        {"id": str(listing.id)},
    )

    assert replied["data"]["replyToReview"]["review"]["hostReply"] == "Sorry to hear that."
    assert again["data"]["replyToReview"]["errors"][0]["code"] == "already_replied"
    assert hidden_by_host["data"]["hideReview"]["errors"][0]["code"] == "forbidden"
    assert hidden["data"]["hideReview"]["review"] == {
        "isHidden": True,
        "hiddenReason": "Off-topic rant.",
    }
    assert listing_after["data"]["property"] == {
        "ratingAverage": None,
        "ratingCount": 0,
        "reviews": [],
    }
