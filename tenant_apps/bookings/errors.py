"""Error codes of bookings, and of a quote's problems.

Published with every app's codes as `ErrorCode` in the OpenAPI documents and the
GraphQL schema (shared_apps.core.errors)."""

from django.db import models


class BookingsErrorCode(models.TextChoices):
    BAD_DATES = "bad_dates", "check_out must be after check_in"
    DATES_UNAVAILABLE = "dates_unavailable", "The dates are taken or blocked"
    ILLEGAL_TRANSITION = "illegal_transition", "Not allowed from the booking's current state"
    MESSAGE_TOO_LONG = "message_too_long", "The message is too long"
    NOT_BOOKABLE = "not_bookable", "The listing is not published"
    NOT_THE_HOST = "not_the_host", "Only the listing's host may do this"
    OWN_LISTING = "own_listing", "A host can't book their own listing"
    PAST_DATES = "past_dates", "The stay starts in the past"
    TOO_FAR_AHEAD = "too_far_ahead", "The stay starts too far ahead"
    TOO_LONG = "too_long", "The stay is longer than the listing allows"
    TOO_MANY_GUESTS = "too_many_guests", "More guests than the listing sleeps"
    TOO_SHORT = "too_short", "The stay is shorter than the listing allows"
