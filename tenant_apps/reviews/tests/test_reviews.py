"""Reviews: who may review what and when, the listing's rating kept right, replies, hiding;
seen from two marketplaces."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.services import user_update_profile
from tenant_apps.bookings.tests.factories import stay_factory
from tenant_apps.listings.models import Property
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.reviews.models import Review, ReviewPolicy
from tenant_apps.reviews.selectors import review_policy
from tenant_apps.reviews.tests.factories import review_factory

GOOD = {"rating": 4, "comment": "Great view, a bit noisy at night."}


AVATAR = "https://cdn.example.test/avatars/ada.png"


@pytest.fixture
def guest(alpha, make_member):
    user = make_member(alpha.tenant, Role.GUEST, last_name="Lovelace").user
    return user_update_profile(user=user, data={"avatar_url": AVATAR, "phone": "+1 555 0100"})


@pytest.fixture
def listing(alpha, host):
    return listing_factory(alpha.tenant, host, nightly_price=Decimal("100"))


def _review(api, market, user, booking, body=None):
    return api(market.host, user).post(f"/api/v1/bookings/{booking.id}/review", body or GOOD)


def _listing(market, listing) -> Property:
    with tenant_context(market.tenant):
        return Property.objects.get(pk=listing.pk)


def test_a_guest_reviews_a_completed_stay_and_the_listing_shows_it(api, alpha, guest, listing):
    stay = stay_factory(alpha.tenant, guest, listing)

    created = _review(api, alpha, guest, stay, {**GOOD, "cleanliness": 5, "value": 3})
    listed = api(alpha.host).get(f"/api/v1/properties/{listing.id}/reviews").json()
    detail = api(alpha.host).get(f"/api/v1/properties/{listing.id}").json()

    assert created.status_code == 201, created.json()
    assert created.json()["cleanliness"] == 5
    assert created.json()["accuracy"] is None
    (shown,) = listed["results"]
    assert shown["comment"] == GOOD["comment"]
    # the author's first name and avatar, nothing else about them
    assert shown["author"] == {"first_name": guest.first_name, "avatar_url": AVATAR}
    for private in (guest.email, str(guest.id), "Lovelace", "555"):
        assert private not in str(listed)
    assert (detail["rating_average"], detail["rating_count"]) == ("4.00", 1)


BAD_REVIEWS = [
    ({"rating": 0, "comment": GOOD["comment"]}, "rating"),
    ({"rating": 6, "comment": GOOD["comment"]}, "rating"),
    ({"rating": "five", "comment": GOOD["comment"]}, "rating"),
    ({"comment": GOOD["comment"]}, "rating"),
    ({"rating": 5, "comment": ""}, "comment"),
    ({"rating": 5, "comment": "   ok   "}, "comment"),
    ({"rating": 5, "comment": "x" * 2001}, "comment"),
    ({**GOOD, "location": 6}, "location"),
    ({**GOOD, "stars": 5}, "stars"),
]


def test_bad_ratings_and_comments_are_400_naming_the_field(api, alpha, guest, listing):
    stay = stay_factory(alpha.tenant, guest, listing)

    for body, field in BAD_REVIEWS:
        response = _review(api, alpha, guest, stay, body)

        assert response.status_code == 400, (body, response.json())
        assert field in response.json()["fields"], body
    assert _listing(alpha, listing).rating_count == 0
    assert _review(api, alpha, guest, stay).status_code == 201  # the stay was reviewable


def test_reviews_wait_for_a_completed_stay_and_close_after_the_window(
    api, alpha, guest, listing, make_member
):
    confirmed = stay_factory(alpha.tenant, guest, listing, complete=False)
    other_guest = make_member(alpha.tenant).user
    late = stay_factory(alpha.tenant, other_guest, listing, ended_days_ago=15)

    not_yet = _review(api, alpha, guest, confirmed)
    too_late = _review(api, alpha, other_guest, late)
    with tenant_context(alpha.tenant):  # this marketplace allows 30 days
        ReviewPolicy.objects.filter(pk=review_policy().pk).update(review_window_days=30)
    within_a_longer_window = _review(api, alpha, other_guest, late)

    assert (not_yet.status_code, not_yet.json()["code"]) == (409, "stay_not_completed")
    assert (too_late.status_code, too_late.json()["code"]) == (409, "review_window_closed")
    assert within_a_longer_window.status_code == 201


def test_the_last_day_of_the_window_is_still_open(api, alpha, guest, listing):
    stay = stay_factory(alpha.tenant, guest, listing, ended_days_ago=14)

    assert _review(api, alpha, guest, stay).status_code == 201


def test_one_review_per_guest_and_listing_even_after_another_stay(api, alpha, guest, listing):
    first, second = (stay_factory(alpha.tenant, guest, listing) for _ in range(2))

    assert _review(api, alpha, guest, first).status_code == 201
    again = _review(api, alpha, guest, second)

    assert (again.status_code, again.json()["code"]) == (409, "already_reviewed")
    assert _listing(alpha, listing).rating_count == 1


def test_the_database_holds_one_review_per_guest_and_listing(alpha, guest, listing):
    first, second = (stay_factory(alpha.tenant, guest, listing) for _ in range(2))
    review_factory(alpha.tenant, first)

    with tenant_context(alpha.tenant), pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            property=listing, booking=second, guest=guest, rating=3, comment="Bypassing it."
        )


def test_only_the_guest_of_the_stay_may_review_it(api, alpha, guest, host, listing, make_member):
    stay = stay_factory(alpha.tenant, guest, listing)
    stranger = make_member(alpha.tenant).user

    by_host = _review(api, alpha, host, stay)
    by_stranger = _review(api, alpha, stranger, stay)
    anonymous = api(alpha.host).post(f"/api/v1/bookings/{stay.id}/review", GOOD)

    assert (by_host.status_code, by_host.json()["code"]) == (403, "not_the_guest")
    assert by_stranger.status_code == 404
    assert anonymous.status_code in (401, 403)


def test_rating_average_and_count_follow_every_review_and_hide(api, alpha, listing, make_member):
    guests = [make_member(alpha.tenant).user for _ in range(3)]
    reviews = [
        review_factory(alpha.tenant, stay_factory(alpha.tenant, g, listing), rating=r)
        for g, r in zip(guests, (5, 4, 4), strict=True)
    ]
    after_three = _listing(alpha, listing)
    hidden = api(alpha.host, alpha.admin).post(
        f"/api/v1/reviews/{reviews[0].id}/hide", {"reason": "Personal details of the host."}
    )
    after_hide = _listing(alpha, listing)
    detail = api(alpha.host).get(f"/api/v1/properties/{listing.id}").json()
    listed = api(alpha.host).get(f"/api/v1/properties/{listing.id}/reviews").json()["results"]

    assert (after_three.rating_average, after_three.rating_count) == (Decimal("4.33"), 3)
    assert hidden.status_code == 200, hidden.json()
    assert hidden.json()["is_hidden"] is True
    assert hidden.json()["hidden_reason"] == "Personal details of the host."
    assert (after_hide.rating_average, after_hide.rating_count) == (Decimal("4.00"), 2)
    assert (detail["rating_average"], detail["rating_count"]) == ("4.00", 2)
    assert str(reviews[0].id) not in {r["id"] for r in listed}
    with tenant_context(alpha.tenant):  # kept, with the reason
        assert Review.objects.get(pk=reviews[0].pk).hidden_by_id == alpha.admin.pk


def test_hiding_needs_an_admin_and_a_reason_and_happens_once(api, alpha, guest, host, listing):
    review = review_factory(alpha.tenant, stay_factory(alpha.tenant, guest, listing))
    path = f"/api/v1/reviews/{review.id}/hide"
    admin = api(alpha.host, alpha.admin)

    by_host = api(alpha.host, host).post(path, {"reason": "I don't like it."})
    without_reason = admin.post(path, {"reason": ""})
    hidden = admin.post(path, {"reason": "Abusive language."})
    again = admin.post(path, {"reason": "Abusive language."})

    assert by_host.status_code == 403
    assert without_reason.status_code == 400
    assert "reason" in without_reason.json()["fields"]
    assert hidden.status_code == 200
    assert (again.status_code, again.json()["code"]) == (409, "already_hidden")
    assert _listing(alpha, listing).rating_count == 0
    assert _listing(alpha, listing).rating_average is None


def test_the_host_replies_once(api, alpha, guest, host, listing, make_member):
    review = review_factory(alpha.tenant, stay_factory(alpha.tenant, guest, listing))
    path = f"/api/v1/reviews/{review.id}/reply"
    other_host = make_member(alpha.tenant, Role.HOST).user

    by_guest = api(alpha.host, guest).post(path, {"reply": "Me again"})
    by_other_host = api(alpha.host, other_host).post(path, {"reply": "Not mine"})
    empty = api(alpha.host, host).post(path, {"reply": ""})
    replied = api(alpha.host, host).post(path, {"reply": "Thank you, come back soon!"})
    again = api(alpha.host, host).post(path, {"reply": "Changed my mind."})
    listed = api(alpha.host).get(f"/api/v1/properties/{listing.id}/reviews").json()["results"]

    assert by_guest.status_code == 404
    assert by_other_host.status_code == 404
    assert empty.status_code == 400
    assert replied.status_code == 200
    assert replied.json()["host_reply"] == "Thank you, come back soon!"
    assert (again.status_code, again.json()["code"]) == (409, "already_replied")
    assert listed[0]["host_reply"] == "Thank you, come back soon!"


def test_reviews_are_listed_newest_first_in_cursor_pages(api, alpha, listing, make_member):
    for rating in (1, 2, 3):
        g = make_member(alpha.tenant).user
        review_factory(alpha.tenant, stay_factory(alpha.tenant, g, listing), rating=rating)

    first = api(alpha.host).get(f"/api/v1/properties/{listing.id}/reviews", {"page_size": 2})
    second = api(alpha.host).get(first.json()["next"])

    assert [r["rating"] for r in first.json()["results"]] == [3, 2]
    assert [r["rating"] for r in second.json()["results"]] == [1]
    assert second.json()["next"] is None


def test_reviews_of_one_marketplace_are_invisible_from_another(
    api, alpha, bravo, guest, listing, make_member
):
    stay = stay_factory(alpha.tenant, guest, listing)
    review = review_factory(alpha.tenant, stay)
    bravo_admin = api(bravo.host, bravo.admin)
    bravo_guest = make_member(bravo.tenant).user

    listed_on_bravo = api(bravo.host).get(f"/api/v1/properties/{listing.id}/reviews")
    hidden_from_bravo = bravo_admin.post(f"/api/v1/reviews/{review.id}/hide", {"reason": "x"})
    reviewed_from_bravo = _review(api, bravo, bravo_guest, stay)
    bravo_host = make_member(bravo.tenant, Role.HOST).user
    replied_from_bravo = api(bravo.host, bravo_host).post(
        f"/api/v1/reviews/{review.id}/reply", {"reply": "Not my listing."}
    )
    alpha_token_on_bravo = api(bravo.host, guest, issuer=alpha.tenant).post(
        f"/api/v1/bookings/{stay.id}/review", GOOD
    )

    assert listed_on_bravo.status_code == 404
    assert hidden_from_bravo.status_code == 404
    assert reviewed_from_bravo.status_code == 404
    assert replied_from_bravo.status_code == 404
    assert alpha_token_on_bravo.status_code == 401
    with tenant_context(alpha.tenant):
        kept = Review.objects.get(pk=review.pk)
        assert (kept.is_hidden, kept.host_reply) == (False, "")
    with tenant_context(bravo.tenant):
        assert not Review.objects.exists()
