"""Reads of reviews. Hidden reviews are never shown to anyone through these."""

from __future__ import annotations

from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from shared_apps.accounts.models import User
from shared_apps.core.errors import NotFoundError
from tenant_apps.reviews.constants import RATING_MAX, RATING_MIN, SUB_RATINGS
from tenant_apps.reviews.models import Review, ReviewPolicy


def review_policy() -> ReviewPolicy:
    return ReviewPolicy.load()


def visible_reviews() -> QuerySet[Review]:
    """Shown reviews with their author, newest first."""
    return (
        Review.objects.filter(is_hidden=False).select_related("guest").order_by("-created", "-id")
    )


def reviews_of_property(*, property_id) -> QuerySet[Review]:
    return visible_reviews().filter(property_id=property_id)


def latest_reviews_prefetch(*, count: int, through: str = "") -> Prefetch:
    """The `count` newest shown reviews of each listing of a page (as `latest_reviews`), in
    one query whatever the page size (a window function per listing). `through` is the
    path from the rows to their listing (`property__` for bookings)."""
    return Prefetch(
        f"{through}reviews", queryset=visible_reviews()[:count], to_attr="latest_reviews"
    )


NO_REVIEW = "No review with this id here."


def review_for_host(*, review_id, host: User) -> Review:
    """A shown review of one of the host's listings; any other is missing (404)."""
    review = visible_reviews().select_related("property")
    if (found := review.filter(pk=review_id, property__host=host).first()) is None:
        raise NotFoundError(NO_REVIEW)
    return found


def review_get(*, review_id, include_hidden: bool = False) -> Review:
    reviews = Review.objects.select_related("guest", "property")
    if not include_hidden:
        reviews = reviews.filter(is_hidden=False)
    if (found := reviews.filter(pk=review_id).first()) is None:
        raise NotFoundError(NO_REVIEW)
    return found


def review_of_booking(*, booking) -> Review | None:
    """The review a stay got, if any (one per booking)."""
    return visible_reviews().filter(booking=booking).first()


def review_breakdown(*, property_id) -> dict:
    """A listing's shown reviews in one query: how many gave each star (5 first), and the
    average of each sub-rating (None where nobody gave one)."""
    reviews = visible_reviews().filter(property_id=property_id).order_by()
    stars = range(RATING_MAX, RATING_MIN - 1, -1)
    row = reviews.aggregate(
        total=Count("id"),
        **{f"stars_{n}": Count("id", filter=Q(rating=n)) for n in stars},
        **{field: Avg(field) for field in SUB_RATINGS},
    )
    return {
        "total": row["total"],
        "stars": [(n, row[f"stars_{n}"]) for n in stars],
        "sub_ratings": {field: row[field] for field in SUB_RATINGS},
    }
