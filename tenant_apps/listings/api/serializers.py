from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shared_apps.core.serializers import (
    MAX_YEAR,
    MIN_YEAR,
    BoundedDateField,
    InputSerializer,
    LocalTimeField,
)
from shared_apps.core.tenancy import current_tenant, marketplace_today
from tenant_apps.listings.constants import CancellationPolicy, PropertyType
from tenant_apps.listings.models import AvailabilityBlock, Property, PropertyPhoto

ORDERINGS = ["newest", "price", "-price", "rating", "distance"]


class PropertyInput(InputSerializer):
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    property_type = serializers.ChoiceField(choices=PropertyType.choices, required=False)
    street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, allow_blank=True,
        error_messages={"invalid": "Use a two-letter ISO 3166 country code, like FR."},
    )  # fmt: skip
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False,
        allow_null=True,
    )  # fmt: skip
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False,
        allow_null=True,
    )  # fmt: skip
    nightly_price = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True
    )
    cleaning_fee = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    max_guests = serializers.IntegerField(min_value=1, max_value=100, required=False)
    bedrooms = serializers.IntegerField(min_value=0, max_value=100, required=False)
    beds = serializers.IntegerField(min_value=0, max_value=200, required=False)
    bathrooms = serializers.DecimalField(
        max_digits=3, decimal_places=1, min_value=0, max_value=50, required=False
    )
    amenities = serializers.ListField(
        child=serializers.SlugField(max_length=50), required=False, max_length=100,
        help_text="Amenity codes (GET /api/v1/amenities).",
    )  # fmt: skip
    instant_book = serializers.BooleanField(required=False)
    min_nights = serializers.IntegerField(min_value=1, max_value=365, required=False)
    max_nights = serializers.IntegerField(min_value=1, max_value=365, required=False)
    check_in_time = LocalTimeField(required=False)
    check_out_time = LocalTimeField(required=False)
    cancellation_policy = serializers.ChoiceField(
        choices=CancellationPolicy.choices, required=False
    )
    house_rules = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class RenditionOutput(serializers.Serializer):
    width = serializers.IntegerField()
    url = serializers.CharField()


class PhotoOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    renditions = serializers.SerializerMethodField()

    class Meta:
        model = PropertyPhoto
        fields = ["id", "url", "width", "height", "position", "caption", "renditions"]

    def get_url(self, photo: PropertyPhoto) -> str:
        return photo.image.url

    @extend_schema_field(RenditionOutput(many=True))
    def get_renditions(self, photo: PropertyPhoto) -> list[dict]:
        """Smaller WebP copies, narrowest first (for srcset)."""
        return photo.rendition_list()


class HostOutput(serializers.Serializer):
    id = serializers.UUIDField()
    first_name = serializers.CharField()
    avatar_url = serializers.CharField()


class AddressOutput(serializers.Serializer):
    street = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField()


class PropertyOutput(serializers.ModelSerializer):
    address = serializers.SerializerMethodField()
    amenities = serializers.SerializerMethodField()
    photos = PhotoOutput(many=True)
    host = HostOutput()
    currency = serializers.SerializerMethodField()
    distance_km = serializers.SerializerMethodField()
    check_in_time = LocalTimeField()
    check_out_time = LocalTimeField()

    class Meta:
        model = Property
        fields = [
            "id", "title", "description", "property_type", "address", "latitude", "longitude",
            "nightly_price", "cleaning_fee", "currency", "max_guests", "bedrooms", "beds",
            "bathrooms", "amenities", "instant_book", "min_nights", "max_nights",
            "check_in_time", "check_out_time", "cancellation_policy", "house_rules", "status",
            "rating_average", "rating_count", "photos", "host", "distance_km", "created",
            "updated",
        ]  # fmt: skip

    @extend_schema_field(AddressOutput)
    def get_address(self, prop: Property) -> dict:
        return {
            field: getattr(prop, field)
            for field in ("street", "city", "region", "postal_code", "country")
        }

    def get_amenities(self, prop: Property) -> list[str]:
        return sorted(amenity.code for amenity in prop.amenities.all())

    def get_currency(self, prop: Property) -> str:
        return current_tenant().currency

    def get_distance_km(self, prop: Property) -> float | None:
        distance = getattr(prop, "distance_km", None)
        return round(distance, 2) if distance is not None else None


class PropertyRowOutput:
    """PropertyOutput's answer built from listing rows (selectors.property_rows) instead of
    model objects: the same fields, each value formatted by PropertyOutput's own field (a
    test holds the two answers equal), without DRF's per-row machinery, which cost more than
    the query on a search page."""

    _fields: dict | None = None

    @classmethod
    def _formatters(cls) -> dict:
        if cls._fields is None:
            special = {"address", "amenities", "photos", "host", "currency", "distance_km"}
            fields = PropertyOutput().fields
            photo_fields = PhotoOutput().fields
            cls._fields = {
                "property": [(name, f) for name, f in fields.items() if name not in special],
                "order": list(fields),
                "photo": [
                    (name, photo_fields[name])
                    for name in ("id", "width", "height", "position", "caption")
                ],
                "host_id": HostOutput().fields["id"],
                "storage": PropertyPhoto._meta.get_field("image").storage,
            }
        return cls._fields

    @classmethod
    def many(cls, rows: list[dict]) -> list[dict]:
        currency = current_tenant().currency
        return [cls.one(row, currency=currency) for row in rows]

    @classmethod
    def one(cls, row: dict, *, currency: str | None = None) -> dict:
        f = cls._formatters()
        out = {
            name: None if row[name] is None else field.to_representation(row[name])
            for name, field in f["property"]
        }
        out["address"] = {
            name: row[name] for name in ("street", "city", "region", "postal_code", "country")
        }
        out["amenities"] = row["amenity_codes"]
        out["photos"] = [cls._photo(photo, f) for photo in row["photo_rows"]]
        out["host"] = {
            "id": f["host_id"].to_representation(row["host_id"]),
            "first_name": row["host__first_name"],
            "avatar_url": row["host__avatar_url"],
        }
        out["currency"] = currency or current_tenant().currency
        distance = row.get("distance_km")
        out["distance_km"] = round(distance, 2) if distance is not None else None
        return {name: out[name] for name in f["order"]}

    @staticmethod
    def _photo(photo: dict, f: dict) -> dict:
        storage = f["storage"]
        out = {
            name: None if photo[name] is None else field.to_representation(photo[name])
            for name, field in f["photo"]
        }
        out["url"] = storage.url(photo["image"])
        out["renditions"] = [
            {"width": int(width), "url": storage.url(name)}
            for width, name in sorted(
                (photo["renditions"] or {}).items(), key=lambda item: int(item[0])
            )
        ]
        return {
            name: out[name]
            for name in ("id", "url", "width", "height", "position", "caption", "renditions")
        }


class SearchQuery(serializers.Serializer):
    city = serializers.CharField(max_length=100, required=False)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False
    )
    radius_km = serializers.FloatField(min_value=0.1, max_value=1000, required=False)
    price_min = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False
    )
    price_max = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False
    )
    guests = serializers.IntegerField(min_value=1, max_value=100, required=False)
    bedrooms = serializers.IntegerField(min_value=0, max_value=100, required=False)
    property_type = serializers.ChoiceField(choices=PropertyType.choices, required=False)
    amenities = serializers.CharField(
        required=False, help_text="Comma-separated amenity codes; listings must have all."
    )
    instant_book = serializers.BooleanField(required=False, allow_null=True, default=None)
    check_in = BoundedDateField(required=False)
    check_out = BoundedDateField(required=False)
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False)

    def validate_amenities(self, value: str) -> tuple[str, ...]:
        return tuple(sorted({code.strip() for code in value.split(",") if code.strip()}))

    def validate(self, attrs):
        errors = {}
        if ("latitude" in attrs) != ("longitude" in attrs):
            errors["latitude"] = ["Give latitude and longitude together."]
        if "radius_km" in attrs and "latitude" not in attrs:
            errors["radius_km"] = ["A radius needs a point: give latitude and longitude."]
        if attrs.get("ordering") == "distance" and "latitude" not in attrs:
            errors["ordering"] = ["Ordering by distance needs latitude and longitude."]
        if ("check_in" in attrs) != ("check_out" in attrs):
            errors["check_out"] = ["Give check_in and check_out together."]
        elif "check_in" in attrs:
            if attrs["check_out"] <= attrs["check_in"]:
                errors["check_out"] = ["check_out must be after check_in."]
            if attrs["check_in"] < marketplace_today():
                errors["check_in"] = ["check_in is in the past."]
        low, high = attrs.get("price_min"), attrs.get("price_max")
        if low is not None and high is not None and low > high:
            errors["price_max"] = ["price_max must not be below price_min."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class PhotoInput(InputSerializer):
    image = serializers.FileField(help_text="JPEG, PNG or WebP, checked by content.")
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BlockInput(InputSerializer):
    start = BoundedDateField()
    end = BoundedDateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BlockOutput(serializers.ModelSerializer):
    class Meta:
        model = AvailabilityBlock
        fields = ["id", "start", "end", "note", "created"]


class CalendarQuery(serializers.Serializer):
    month = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$", error_messages={"invalid": "Use a month like 2027-03."}
    )

    def validate_month(self, value: str) -> str:
        if not MIN_YEAR <= int(value[:4]) <= MAX_YEAR:
            raise serializers.ValidationError(f"Use a month between {MIN_YEAR} and {MAX_YEAR}.")
        return value


class CalendarDayOutput(serializers.Serializer):
    date = serializers.DateField()
    status = serializers.ChoiceField(choices=["free", "blocked", "booked"])


class CalendarOutput(serializers.Serializer):
    month = serializers.CharField()
    days = CalendarDayOutput(many=True)


class AmenityOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
