from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class InputSerializer(serializers.Serializer):
    """Request bodies: a field the endpoint doesn't take is a 400 naming it, never silently
    dropped (a typo like `displayname` must not look like a successful change)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This endpoint does not take this field."] for name in unknown}
                )
        return super().to_internal_value(data)


def validated(serializer_class: type[serializers.Serializer], data, **kwargs) -> dict:
    """The validated data of a request body or query string, or a 400 naming what's wrong."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# Dates people can mean: years beyond these are typos or probes, and near year 1 or 9999
# date arithmetic (a night later, a month's last day) overflows into a 500.
MIN_YEAR, MAX_YEAR = 2000, 2100
OUT_OF_RANGE = f"Use a date between {MIN_YEAR}-01-01 and {MAX_YEAR}-12-31."


class BoundedDateField(serializers.DateField):
    """A date between MIN_YEAR and MAX_YEAR, else a 400 saying so."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            self.fail("out_of_range")
        return parsed


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
        "example": "15:00:00",
        "description": "A wall-clock time at the listing, in its marketplace's time zone "
        "(RFC 3339 partial-time, HH:MM:SS; HH:MM accepted). Not an instant, so no offset.",
    }
)
class LocalTimeField(serializers.TimeField):
    """A time of day with no offset (check-in at 15:00 wherever the listing is). OpenAPI's
    `format: time` means RFC 3339 full-time, which requires an offset, so this field says
    what it is with a pattern instead."""
