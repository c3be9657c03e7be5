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
