from rest_framework import serializers

from shared_apps.core.serializers import InputSerializer
from tenant_apps.reviews.constants import (
    COMMENT_MAX_LENGTH,
    HIDE_REASON_MAX_LENGTH,
    RATING_MAX,
    RATING_MIN,
    REPLY_MAX_LENGTH,
)
from tenant_apps.reviews.models import Review


def _rating(required: bool) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=RATING_MIN, max_value=RATING_MAX, required=required,
        allow_null=not required, default=None if not required else serializers.empty,
    )  # fmt: skip


class ReviewInput(InputSerializer):
    rating = _rating(required=True)
    cleanliness = _rating(required=False)
    accuracy = _rating(required=False)
    location = _rating(required=False)
    value = _rating(required=False)
    # The service checks the trimmed length; this only keeps huge bodies out early.
    comment = serializers.CharField(max_length=COMMENT_MAX_LENGTH, trim_whitespace=True)


class ReplyInput(InputSerializer):
    reply = serializers.CharField(max_length=REPLY_MAX_LENGTH)


class HideInput(InputSerializer):
    reason = serializers.CharField(max_length=HIDE_REASON_MAX_LENGTH)


class ReviewerOutput(serializers.Serializer):
    """The author as the public sees them: a first name and an avatar, nothing else."""

    first_name = serializers.CharField()
    avatar_url = serializers.CharField()


class ReviewOutput(serializers.ModelSerializer):
    # Named as in GraphQL: `author` (the guest who wrote it), `property_id` (an id).
    author = ReviewerOutput(source="guest")
    property_id = serializers.UUIDField()

    class Meta:
        model = Review
        fields = [
            "id", "property_id", "rating", "cleanliness", "accuracy", "location", "value",
            "comment", "author", "host_reply", "host_replied_at", "created",
        ]  # fmt: skip


class HiddenReviewOutput(ReviewOutput):
    class Meta(ReviewOutput.Meta):
        fields = [*ReviewOutput.Meta.fields, "is_hidden", "hidden_reason", "hidden_at"]
