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
# Decoded size limits, checked from the header: a small file can hold a huge, mostly empty
# image (a decompression bomb) that would take gigabytes of memory to open. Every accepted
# photo is decoded once to re-encode it without metadata, so these bound that memory too
# (8000 x 5000 RGBA is 160 MB). 40 megapixels covers a phone's or most cameras' photos.
MAX_PHOTO_PIXELS = 40_000_000
MAX_PHOTO_SIDE = 8000
# Widths of the WebP copies made at upload, for srcset (pages never send the original).
RENDITION_WIDTHS = (400, 800, 1600)
RENDITION_QUALITY = 80
