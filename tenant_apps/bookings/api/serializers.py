from rest_framework import serializers

from shared_apps.core.serializers import BoundedDateField, InputSerializer
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking


class BookingInput(InputSerializer):
    property_id = serializers.UUIDField()
    check_in = BoundedDateField()
    check_out = BoundedDateField()
    guests = serializers.IntegerField(min_value=1, max_value=100)


class NoteInput(InputSerializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class QuoteQuery(serializers.Serializer):
    check_in = BoundedDateField()
    check_out = BoundedDateField()
    guests = serializers.IntegerField(min_value=1, max_value=100, default=1)


class PriceOutput(serializers.Serializer):
    currency = serializers.CharField()
    nights = serializers.IntegerField()
    nightly_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    cleaning_fee = serializers.DecimalField(max_digits=10, decimal_places=2)
    guest_fee = serializers.DecimalField(max_digits=10, decimal_places=2)
    taxes = serializers.DecimalField(max_digits=10, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


class ProblemOutput(serializers.Serializer):
    code = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class QuoteOutput(serializers.Serializer):
    bookable = serializers.BooleanField()
    problems = ProblemOutput(many=True)
    price = PriceOutput(allow_null=True)


class BookingListQuery(serializers.Serializer):
    """`?as=host` lists bookings of my listings; the default is my trips."""

    def get_fields(self):
        # `as` is a Python keyword, so the field is declared here rather than as an attribute.
        return {
            "as": serializers.ChoiceField(choices=["guest", "host"], default="guest"),
            "status": serializers.ChoiceField(choices=BookingStatus.choices, required=False),
            "from": BoundedDateField(required=False, help_text="Stays that end after this date."),
            "to": BoundedDateField(required=False, help_text="Stays that start before this date."),
        }


class BookingOutput(serializers.ModelSerializer):
    # `<thing>_id` is the id, as in GraphQL (where `property` is the listing itself).
    property_id = serializers.UUIDField()
    guest_id = serializers.UUIDField()
    property_title = serializers.CharField(source="property.title")
    guest_first_name = serializers.CharField(source="guest.first_name")

    class Meta:
        model = Booking
        fields = [
            "id", "property_id", "property_title", "guest_id", "guest_first_name", "check_in",
            "check_out", "guests", "status", "currency", "nights", "nightly_price", "subtotal",
            "cleaning_fee", "guest_fee", "host_fee", "taxes", "total", "cancellation_policy",
            "refund_amount", "confirmed_at", "cancelled_at", "created", "updated",
        ]  # fmt: skip
