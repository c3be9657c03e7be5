"""Error codes of listings."""

from django.db import models


class ListingsErrorCode(models.TextChoices):
    """Stable codes clients may switch on; published in the OpenAPI document's
    `ErrorCode` and the GraphQL schema's `ErrorCode` enum (shared_apps.core.errors)."""

    BLOCK_OVERLAPS = "block_overlaps", "The block overlaps another"
    CALENDAR_IN_LIST = "calendar_in_list", "A calendar is asked for one listing at a time"
    DATES_BOOKED = "dates_booked", "Those dates are booked"
    INCOMPLETE = "incomplete", "The listing is not complete enough to publish"
    TOO_MANY_PHOTOS = "too_many_photos", "The listing has as many photos as it may"
    BLOCK_IN_PAST = "block_in_past", "A block can't start in the past"
