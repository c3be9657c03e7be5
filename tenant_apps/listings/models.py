import uuid
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Upper

from shared_apps.core.tenancy import current_schema_name
from tenant_apps.listings.constants import CancellationPolicy, PropertyStatus, PropertyType


class Amenity(models.Model):
    """The marketplace's own amenity list, seeded with the usual ones."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "amenities"

    def __str__(self) -> str:
        return self.name


class Property(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=True
    )
    title = models.CharField(max_length=120, blank=True, default="")
    description = models.TextField(max_length=5000, blank=True, default="")
    property_type = models.CharField(
        max_length=20, choices=PropertyType.choices, default=PropertyType.APARTMENT
    )
    street = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    region = models.CharField(max_length=100, blank=True, default="")
    postal_code = models.CharField(max_length=20, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="", help_text="ISO 3166-1")
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip
    nightly_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    cleaning_fee = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    max_guests = models.PositiveSmallIntegerField(default=2)
    bedrooms = models.PositiveSmallIntegerField(default=1)
    beds = models.PositiveSmallIntegerField(default=1)
    bathrooms = models.DecimalField(max_digits=3, decimal_places=1, default=1)
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="properties")
    instant_book = models.BooleanField(default=False)
    min_nights = models.PositiveSmallIntegerField(default=1)
    max_nights = models.PositiveSmallIntegerField(default=365)
    check_in_time = models.TimeField(default=time(15, 0))
    check_out_time = models.TimeField(default=time(11, 0))
    house_rules = models.TextField(max_length=2000, blank=True, default="")
    cancellation_policy = models.CharField(
        max_length=10, choices=CancellationPolicy.choices, default=CancellationPolicy.MODERATE
    )
    status = models.CharField(
        max_length=10, choices=PropertyStatus.choices, default=PropertyStatus.DRAFT
    )
    # Kept by the reviews service in the same transaction as each review.
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "properties"
        constraints = [
            models.CheckConstraint(
                condition=Q(nightly_price__isnull=True) | Q(nightly_price__gt=0),
                name="listings_price_positive",
            ),
            models.CheckConstraint(condition=Q(cleaning_fee__gte=0), name="listings_fee_gte_0"),
            models.CheckConstraint(condition=Q(max_guests__gte=1), name="listings_guests_gte_1"),
            models.CheckConstraint(
                condition=Q(min_nights__gte=1) & Q(min_nights__lte=F("max_nights")),
                name="listings_nights_range",
            ),
        ]
        indexes = [
            # Search: published listings by place, price, recency and coordinates.
            # city__iexact compares UPPER(city): the index holds the same expression.
            models.Index(Upper("city"), "status", name="listings_city_ci"),
            models.Index(fields=["status", "nightly_price"], name="listings_status_price"),
            models.Index(fields=["status", "created"], name="listings_status_created"),
            models.Index(fields=["latitude", "longitude"], name="listings_lat_lng"),
            models.Index(fields=["country", "status"], name="listings_country_status"),
            # The rating ordering, as the search sorts it (selectors.SEARCH_ORDER_BY: unrated
            # listings after every rated one): the same expression, so a first page reads
            # 21 index entries instead of sorting every published listing.
            models.Index(
                F("status"),
                Coalesce("rating_average", Value(Decimal(-1))).desc(),
                F("created").desc(),
                F("id").desc(),
                name="listings_status_rating",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Property {self.pk}"


def photo_path(photo: "PropertyPhoto", filename: str) -> str:
    # Per marketplace, so one storage bucket can serve them all without collisions.
    return f"tenants/{current_schema_name()}/properties/{photo.property_id}/{filename}"


class PropertyPhoto(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        upload_to=photo_path, width_field="width", height_field="height", max_length=255
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    caption = models.CharField(max_length=200, blank=True, default="")
    # Smaller WebP copies made at upload, next to the original under the marketplace's media
    # prefix: {"400": "<storage name>", "800": …} by actual width (services.photo_add).
    renditions = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "created"]

    def __str__(self) -> str:
        return f"Photo {self.position} of {self.property_id}"

    def rendition_list(self) -> list[dict]:
        """[{"width", "url"}] of the WebP renditions, narrowest first (for srcset)."""
        storage = self.image.storage
        return [
            {"width": int(width), "url": storage.url(name)}
            for width, name in sorted(self.renditions.items(), key=lambda item: int(item[0]))
        ]


class AvailabilityBlock(models.Model):
    """Dates the host closed: [start, end), like a stay."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="blocks")
    start = models.DateField()
    end = models.DateField()
    note = models.CharField(max_length=200, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="listings_block_order"),
        ]
        indexes = [models.Index(fields=["property", "start", "end"], name="listings_block_span")]

    def __str__(self) -> str:
        return f"{self.start} to {self.end}"
