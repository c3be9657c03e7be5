from decimal import Decimal

from django.db import models


class PropertyType(models.TextChoices):
    APARTMENT = "apartment", "Apartment"
    HOUSE = "house", "House"
    CABIN = "cabin", "Cabin"
    VILLA = "villa", "Villa"
    ROOM = "room", "Private room"
    CHALET = "chalet", "Chalet"
    COTTAGE = "cottage", "Cottage"
    LOFT = "loft", "Loft"


class PropertyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    UNLISTED = "unlisted", "Unlisted"


class CancellationPolicy(models.TextChoices):
    FLEXIBLE = "flexible", "Flexible"
    MODERATE = "moderate", "Moderate"
    STRICT = "strict", "Strict"


# Seeded into every marketplace's amenity list (its admins may add their own).
DEFAULT_AMENITIES = [
    ("wifi", "Wi-Fi"), ("kitchen", "Kitchen"), ("parking", "Free parking"), ("pool", "Pool"),
    ("washer", "Washer"), ("dryer", "Dryer"), ("air_conditioning", "Air conditioning"),
    ("heating", "Heating"), ("tv", "TV"), ("workspace", "Dedicated workspace"),
    ("hot_tub", "Hot tub"), ("fireplace", "Fireplace"), ("pets_allowed", "Pets allowed"),
    ("ev_charger", "EV charger"), ("gym", "Gym"), ("breakfast", "Breakfast"),
    ("beach_access", "Beach access"), ("ski_in_out", "Ski-in/ski-out"),
]  # fmt: skip

MAX_NIGHTLY_PRICE = Decimal("100000")
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 50
# Decoded size limit: a small file can hold a huge, mostly empty image (a decompression
# bomb) that would take gigabytes of memory to open. 50 megapixels covers any camera photo.
MAX_PHOTO_PIXELS = 50_000_000
# Widths of the WebP copies made at upload, for srcset (pages never send the original).
RENDITION_WIDTHS = (400, 800, 1600)
RENDITION_QUALITY = 80
