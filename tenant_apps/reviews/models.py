import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from shared_apps.core.models import SingletonModel
from tenant_apps.reviews.constants import (
    COMMENT_MAX_LENGTH,
    DEFAULT_REVIEW_WINDOW_DAYS,
    HIDE_REASON_MAX_LENGTH,
    RATING_MAX,
    RATING_MIN,
    REPLY_MAX_LENGTH,
    SUB_RATINGS,
)


class ReviewPolicy(SingletonModel):
    """The marketplace's review rules: one row per schema (`ReviewPolicy.load()`)."""

    review_window_days = models.PositiveSmallIntegerField(
        default=DEFAULT_REVIEW_WINDOW_DAYS,
        help_text="Days after check-out during which the guest may review the stay.",
    )

    class Meta(SingletonModel.Meta):
        verbose_name_plural = "review policy"

    def __str__(self) -> str:
        return "Review policy"


def _in_range(field: str, nullable: bool = False) -> Q:
    between = Q(**{f"{field}__gte": RATING_MIN, f"{field}__lte": RATING_MAX})
    return between | Q(**{f"{field}__isnull": True}) if nullable else between


class Review(models.Model):
    """A guest's review of a completed stay. Hidden reviews are kept (with the reason) but
    shown to nobody and left out of the listing's rating."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    property = models.ForeignKey(
        "listings.Property", on_delete=models.PROTECT, related_name="reviews"
    )
    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.PROTECT, related_name="review"
    )
    guest = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField()
    cleanliness = models.PositiveSmallIntegerField(null=True, blank=True)
    accuracy = models.PositiveSmallIntegerField(null=True, blank=True)
    location = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(max_length=COMMENT_MAX_LENGTH)
    host_reply = models.TextField(max_length=REPLY_MAX_LENGTH, blank=True, default="")
    host_replied_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=HIDE_REASON_MAX_LENGTH, blank=True, default="")
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            # One review per guest and property, whatever races the application loses.
            models.UniqueConstraint(fields=["guest", "property"], name="reviews_one_per_guest"),
            models.CheckConstraint(condition=_in_range("rating"), name="reviews_rating_range"),
            *(
                models.CheckConstraint(
                    condition=_in_range(field, nullable=True), name=f"reviews_{field}_range"
                )
                for field in SUB_RATINGS
            ),
            models.CheckConstraint(
                condition=Q(is_hidden=False) | ~Q(hidden_reason=""),
                name="reviews_hidden_has_reason",
            ),
        ]
        indexes = [
            # The public list: a listing's visible reviews, newest first.
            models.Index(fields=["property", "is_hidden", "-created"], name="reviews_listing"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.property_id}"
