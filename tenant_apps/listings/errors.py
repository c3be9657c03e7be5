"""Error codes of listings.

Published with every app's codes as `ErrorCode` in the OpenAPI documents and the
GraphQL schema (shared_apps.core.errors)."""

from django.db import models


class ListingsErrorCode(models.TextChoices):
    BLOCK_OVERLAPS = "block_overlaps", "The block overlaps another"
    CALENDAR_IN_LIST = "calendar_in_list", "A calendar is asked for one listing at a time"
    DATES_BOOKED = "dates_booked", "Those dates are booked"
    INCOMPLETE = "incomplete", "The listing is not complete enough to publish"
    TOO_MANY_PHOTOS = "too_many_photos", "The listing has as many photos as it may"
    UNKNOWN_AMENITY = "unknown_amenity", "No amenity has this code"
    BLOCK_IN_PAST = "block_in_past", "A block can't start in the past"
