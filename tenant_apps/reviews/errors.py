"""Error codes of reviews.

Published with every app's codes as `ErrorCode` in the OpenAPI documents and the
GraphQL schema (shared_apps.core.errors)."""

from django.db import models


class ReviewsErrorCode(models.TextChoices):
    ALREADY_HIDDEN = "already_hidden", "The review is already hidden"
    ALREADY_REPLIED = "already_replied", "The host already replied"
    ALREADY_REVIEWED = "already_reviewed", "The guest already reviewed this listing"
    NOT_THE_GUEST = "not_the_guest", "Only the stay's guest may review it"
    NOT_THE_HOST = "not_the_host", "Only the listing's host may reply"
    REVIEW_WINDOW_CLOSED = "review_window_closed", "The review window has closed"
    STAY_NOT_COMPLETED = "stay_not_completed", "The stay is not completed"
