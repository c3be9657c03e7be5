"""Every write to reviews. Each keeps the listing's rating average and count right in the
same transaction, under the listing's row lock, and bumps the listing's cache versions."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone

from shared_apps.accounts.models import User
from shared_apps.core.errors import ConflictError, ForbiddenError, invalid_field
from shared_apps.core.tenancy import marketplace_today
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.listings.cache import listing_changed
from tenant_apps.listings.models import Property
from tenant_apps.reviews.constants import (
    COMMENT_MAX_LENGTH,
    COMMENT_MIN_LENGTH,
    HIDE_REASON_MAX_LENGTH,
    RATING_MAX,
    RATING_MIN,
    REPLY_MAX_LENGTH,
    SUB_RATINGS,
)
from tenant_apps.reviews.models import Review, ReviewPolicy
from tenant_apps.reviews.selectors import review_policy


def _check_rating(field: str, value, required: bool) -> None:
    if value is None:
        if required:
            raise invalid_field(field, f"Give a {field} from {RATING_MIN} to {RATING_MAX}.")
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not (RATING_MIN <= value <= RATING_MAX)
    ):
        raise invalid_field(
            field, f"{field.capitalize()} must be a whole number from {RATING_MIN} to {RATING_MAX}."
        )


def _check_text(field: str, text: str, *, minimum: int, maximum: int) -> str:
    text = (text or "").strip()
    if len(text) < minimum:
        raise invalid_field(field, f"Write at least {minimum} characters.", "too_short")
    if len(text) > maximum:
        raise invalid_field(
            field, f"Keep it to {maximum} characters (this is {len(text)}).", "too_long"
        )
    return text


def _lock_property(property_id) -> Property:
    return Property.objects.select_for_update().get(pk=property_id)


def _refresh_rating(prop: Property) -> None:
    """Recomputes the listing's average and count from its shown reviews (the listing row
    is locked by the caller, so concurrent review writes queue up instead of racing)."""
    totals = Review.objects.filter(property_id=prop.pk, is_hidden=False).aggregate(
        average=Avg("rating"), count=Count("id")
    )
    average = totals["average"]
    prop.rating_average = (
        Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if average is not None
        else None
    )
    prop.rating_count = totals["count"]
    prop.save(update_fields=["rating_average", "rating_count", "updated"])
    # Search, detail and calendars show the rating: a new cache version now and after commit
    # (as the listings services do).
    listing_changed(prop.pk)
    transaction.on_commit(lambda: listing_changed(prop.pk))


def review_window_closes(*, booking: Booking):
    return booking.check_out + timedelta(days=review_policy().review_window_days)


@transaction.atomic
def review_create(
    *,
    booking: Booking,
    author: User,
    rating: int,
    comment: str,
    cleanliness: int | None = None,
    accuracy: int | None = None,
    location: int | None = None,
    value: int | None = None,
) -> Review:
    """The guest of a completed stay reviews the listing, once per listing, until the
    marketplace's review window after check-out closes."""
    if booking.guest_id != author.pk:
        raise ForbiddenError("Only the guest of this stay may review it.", code="not_the_guest")
    _check_rating("rating", rating, required=True)
    sub_ratings = {"cleanliness": cleanliness, "accuracy": accuracy, "location": location,
                   "value": value}  # fmt: skip
    for field in SUB_RATINGS:
        _check_rating(field, sub_ratings[field], required=False)
    comment = _check_text(
        "comment", comment, minimum=COMMENT_MIN_LENGTH, maximum=COMMENT_MAX_LENGTH
    )
    prop = _lock_property(booking.property_id)
    booking = Booking.objects.get(pk=booking.pk)  # its state as of the lock
    if booking.status != BookingStatus.COMPLETED:
        raise ConflictError(
            "You can review a stay once it is completed; this booking is "
            f"{booking.status.replace('_', ' ')}.",
            code="stay_not_completed",
        )
    closes = review_window_closes(booking=booking)
    if marketplace_today() > closes:
        raise ConflictError(
            f"Reviews for this stay closed on {closes.isoformat()}.", code="review_window_closed"
        )
    if Review.objects.filter(guest=author, property_id=prop.pk).exists():
        raise ConflictError("You have already reviewed this listing.", code="already_reviewed")
    try:
        with transaction.atomic():
            review = Review.objects.create(
                property=prop, booking=booking, guest=author, rating=rating, comment=comment,
                **sub_ratings,
            )  # fmt: skip
    except IntegrityError as exc:  # the unique constraint: a race we lost
        raise ConflictError(
            "You have already reviewed this listing.", code="already_reviewed"
        ) from exc
    _refresh_rating(prop)
    return review


@transaction.atomic
def review_reply(*, review: Review, author: User, reply: str) -> Review:
    """The listing's host answers a review, once."""
    reply = _check_text("reply", reply, minimum=1, maximum=REPLY_MAX_LENGTH)
    locked = Review.objects.select_for_update().select_related("property").get(pk=review.pk)
    if locked.property.host_id != author.pk:
        raise ForbiddenError("Only the host of this listing may reply.", code="not_the_host")
    if locked.host_replied_at is not None:
        raise ConflictError("You have already replied to this review.", code="already_replied")
    locked.host_reply = reply
    locked.host_replied_at = timezone.now()
    locked.save(update_fields=["host_reply", "host_replied_at", "updated"])
    transaction.on_commit(lambda: listing_changed(locked.property_id))
    return locked


@transaction.atomic
def review_hide(*, review: Review, admin: User, reason: str) -> Review:
    """A marketplace admin hides a review: kept with the reason, shown to nobody, and left
    out of the listing's rating from this transaction on."""
    reason = _check_text("reason", reason, minimum=1, maximum=HIDE_REASON_MAX_LENGTH)
    prop = _lock_property(review.property_id)
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.is_hidden:
        raise ConflictError("This review is already hidden.", code="already_hidden")
    locked.is_hidden = True
    locked.hidden_reason = reason
    locked.hidden_at = timezone.now()
    locked.hidden_by = admin
    locked.save(update_fields=["is_hidden", "hidden_reason", "hidden_at", "hidden_by", "updated"])
    _refresh_rating(prop)
    return locked


REVIEW_WINDOW_LIMITS = (1, 365)


@transaction.atomic
def review_policy_update(*, review_window_days: int) -> ReviewPolicy:
    low, high = REVIEW_WINDOW_LIMITS
    if not (low <= review_window_days <= high):
        raise invalid_field(
            "review_window_days", f"The review window must be from {low} to {high} days."
        )
    policy = ReviewPolicy.load(for_update=True)
    policy.review_window_days = review_window_days
    policy.save(update_fields=["review_window_days"])
    return policy
