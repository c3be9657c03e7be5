"""Every write to listings. Each bumps the cache versions of what it changes (the listing,
and every search when its content changes; tenant_apps.listings.cache) now and after it
commits."""

from __future__ import annotations

import io
import posixpath
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps

from shared_apps.accounts.models import User
from shared_apps.core.errors import ApplicationError, ConflictError, invalid_field
from shared_apps.core.images import CleanImage, clean_image
from shared_apps.core.tenancy import marketplace_today
from tenant_apps.listings.cache import (
    listing_changed,
    listing_nights_released,
    listing_nights_taken,
)
from tenant_apps.listings.constants import (
    MAX_NIGHTLY_PRICE,
    MAX_PHOTO_BYTES,
    MAX_PHOTO_PIXELS,
    MAX_PHOTO_SIDE,
    MAX_PHOTOS,
    RENDITION_QUALITY,
    RENDITION_WIDTHS,
    PropertyStatus,
)
from tenant_apps.listings.errors import ListingsErrorCode
from tenant_apps.listings.models import Amenity, AvailabilityBlock, Property, PropertyPhoto
from tenant_apps.listings.stays import stay_reader

EDITABLE_FIELDS = (
    "title", "description", "property_type", "street", "city", "region", "postal_code",
    "country", "latitude", "longitude", "nightly_price", "cleaning_fee", "max_guests",
    "bedrooms", "beds", "bathrooms", "instant_book", "min_nights", "max_nights",
    "check_in_time", "check_out_time", "cancellation_policy", "house_rules",
)  # fmt: skip


def _after_commit_bump(bump=listing_changed, *args) -> None:
    """New cache versions now (this connection's next read misses) and again after the
    commit: a reader that computed the old answer meanwhile stored it under the versions it
    read first, which the second bump leaves behind."""
    bump(*args)
    transaction.on_commit(lambda: bump(*args))


def _lock(property_id) -> Property:
    """The property row, locked for the rest of the transaction (writes to one listing,
    its photos and its blocks queue up instead of racing)."""
    return Property.objects.select_for_update().get(pk=property_id)


def _check(prop: Property) -> None:
    """Rules across fields, checked on the values the listing would have."""
    if prop.nightly_price is not None and not (0 < prop.nightly_price <= MAX_NIGHTLY_PRICE):
        raise invalid_field(
            "nightly_price", f"Use a price above 0 and at most {MAX_NIGHTLY_PRICE}."
        )
    if prop.cleaning_fee < 0 or prop.cleaning_fee > MAX_NIGHTLY_PRICE:
        raise invalid_field("cleaning_fee", f"Use a fee from 0 to {MAX_NIGHTLY_PRICE}.")
    if prop.min_nights < 1 or prop.min_nights > prop.max_nights:
        raise invalid_field(
            "min_nights", "Minimum nights must be at least 1 and not above maximum."
        )
    if (prop.latitude is None) != (prop.longitude is None):
        raise invalid_field("latitude", "Give both latitude and longitude, or neither.")
    if prop.max_guests < 1:
        raise invalid_field("max_guests", "A place sleeps at least one guest.")
    if prop.status == PropertyStatus.PUBLISHED and (missing := missing_for_publishing(prop)):
        raise ApplicationError(
            "A published listing must stay complete: " + ", ".join(missing) + ".",
            code="incomplete",
            fields={name: ["Required for a published listing."] for name in missing},
        )


def check_amenity_codes(codes) -> None:
    """Unknown codes are a 400 naming them (a typo must not silently match nothing)."""
    _amenities(list(codes))


def _amenities(codes: list[str]) -> list[Amenity]:
    found = {a.code: a for a in Amenity.objects.filter(code__in=codes)}
    if unknown := sorted(set(codes) - set(found)):
        raise invalid_field(
            "amenities", f"Unknown amenities: {', '.join(unknown)}.", "unknown_amenity"
        )
    return list(found.values())


def _apply(prop: Property, data: dict[str, Any]) -> list[str]:
    changed = [field for field in EDITABLE_FIELDS if field in data]
    for field in changed:
        setattr(prop, field, data[field])
    if "country" in changed:
        prop.country = (prop.country or "").upper()
    _check(prop)
    return changed


@transaction.atomic
def property_create(*, host: User, data: dict[str, Any]) -> Property:
    prop = Property(host=host)
    _apply(prop, data)
    amenities = _amenities(data["amenities"]) if "amenities" in data else []
    prop.save()
    prop.amenities.set(amenities)
    _after_commit_bump(listing_changed, prop.pk)
    return prop


@transaction.atomic
def property_update(*, property: Property, data: dict[str, Any]) -> Property:
    prop = _lock(property.pk)
    changed = _apply(prop, data)
    if changed:
        prop.save(update_fields=[*changed, "updated"])
    if "amenities" in data:
        prop.amenities.set(_amenities(data["amenities"]))
    _after_commit_bump(listing_changed, prop.pk)
    return prop


def missing_for_publishing(prop: Property) -> list[str]:
    required = {
        "title": bool(prop.title.strip()),
        "nightly_price": prop.nightly_price is not None,
        "street": bool(prop.street.strip()),
        "city": bool(prop.city.strip()),
        "country": bool(prop.country),
        "photos": prop.pk is not None and prop.photos.exists(),
    }
    return [name for name, present in required.items() if not present]


@transaction.atomic
def property_publish(*, property: Property) -> Property:
    prop = _lock(property.pk)
    if missing := missing_for_publishing(prop):
        raise ApplicationError(
            "Before publishing, add: " + ", ".join(missing) + ".",
            code="incomplete",
            fields={name: ["Required to publish."] for name in missing},
        )
    prop.status = PropertyStatus.PUBLISHED
    prop.save(update_fields=["status", "updated"])
    _after_commit_bump(listing_changed, prop.pk)
    return prop


@transaction.atomic
def property_unlist(*, property: Property) -> Property:
    prop = _lock(property.pk)
    prop.status = PropertyStatus.UNLISTED
    prop.save(update_fields=["status", "updated"])
    _after_commit_bump(listing_changed, prop.pk)
    return prop


def _clean_photo(upload) -> CleanImage:
    """The picture checked by content (format, bytes, sides and pixels from the header before
    anything is decoded), then re-encoded upright without its metadata (no EXIF/GPS)."""
    return clean_image(
        upload, max_bytes=MAX_PHOTO_BYTES, max_pixels=MAX_PHOTO_PIXELS, max_side=MAX_PHOTO_SIDE
    )


def _make_renditions(photo: PropertyPhoto, upload) -> dict[str, str]:
    """WebP copies RENDITION_WIDTHS wide (never wider than the original), saved next to the
    original under the marketplace's media prefix. Returns {width: storage name}."""
    upload.seek(0)
    with Image.open(upload) as opened:
        image = ImageOps.exif_transpose(opened)
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    storage, folder = photo.image.storage, posixpath.dirname(photo.image.name)
    made: dict[str, str] = {}
    for width in sorted({min(w, image.width) for w in RENDITION_WIDTHS}):
        height = max(1, round(image.height * width / image.width))
        buffer = io.BytesIO()
        image.resize((width, height), Image.Resampling.LANCZOS).save(
            buffer, format="WEBP", quality=RENDITION_QUALITY, method=4
        )
        name = storage.save(f"{folder}/{photo.id}-{width}.webp", ContentFile(buffer.getvalue()))
        made[str(width)] = name
    upload.seek(0)
    return made


def _delete_files(storage, names) -> None:
    for name in names:
        storage.delete(name)


def photo_add(*, property: Property, upload, caption: str = "") -> PropertyPhoto:
    """Stores a photo (checked by content, size-limited, re-encoded without metadata) as the
    listing's last one, with its smaller WebP renditions. The upload itself is never stored."""
    clean = _clean_photo(upload)
    photo = PropertyPhoto(property_id=property.pk, caption=caption)
    cleaned = ContentFile(clean.content)
    photo.image.save(f"{photo.id}.{clean.extension}", cleaned, save=False)
    photo.width, photo.height = clean.width, clean.height
    storage = photo.image.storage
    try:
        photo.renditions = _make_renditions(photo, cleaned)
        with transaction.atomic():
            prop = _lock(property.pk)
            count = prop.photos.count()
            if count >= MAX_PHOTOS:
                raise ConflictError(
                    f"A listing has at most {MAX_PHOTOS} photos.", code="too_many_photos"
                )
            photo.position = count
            photo.save()
            _after_commit_bump(listing_changed, prop.pk)
    except BaseException:
        # No row, so no files either.
        _delete_files(storage, [photo.image.name, *photo.renditions.values()])
        raise
    return photo


def photo_add_missing_renditions(*, photo: PropertyPhoto) -> PropertyPhoto:
    """Renditions for a photo stored before they existed (seed_demo runs it on old demos)."""
    if photo.renditions:
        return photo
    with photo.image.open("rb") as original:
        photo.renditions = _make_renditions(photo, original)
    photo.save(update_fields=["renditions"])
    _after_commit_bump(listing_changed, photo.property_id)
    return photo


@transaction.atomic
def photo_move(*, photo: PropertyPhoto, position: int) -> None:
    """Puts `photo` at `position` (0 is the cover), shifting the others; a position past
    either end means the first or last place."""
    prop = _lock(photo.property_id)
    photos = [p for p in prop.photos.order_by("position", "created") if p.pk != photo.pk]
    photos.insert(max(0, min(position, len(photos))), photo)
    for index, each in enumerate(photos):
        if each.position != index:
            each.position = index
            each.save(update_fields=["position"])
    _after_commit_bump(listing_changed, photo.property_id)


@transaction.atomic
def photo_delete(*, photo: PropertyPhoto) -> None:
    prop = _lock(photo.property_id)
    storage, names = photo.image.storage, [photo.image.name, *photo.renditions.values()]
    photo.delete()
    for position, remaining in enumerate(prop.photos.order_by("position", "created")):
        if remaining.position != position:
            remaining.position = position
            remaining.save(update_fields=["position"])
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: _delete_files(storage, names))
    _after_commit_bump(listing_changed, photo.property_id)


@transaction.atomic
def block_create(
    *, property: Property, start: date, end: date, note: str = ""
) -> AvailabilityBlock:
    if end <= start:
        raise invalid_field("end", "The block must end after it starts.")
    if start < marketplace_today():  # the marketplace's today, as for bookings
        raise invalid_field(
            "start",
            "A block can't start in the past; start it today or later.",
            code=ListingsErrorCode.BLOCK_IN_PAST,
        )
    prop = _lock(property.pk)
    overlapping = prop.blocks.filter(start__lt=end, end__gt=start).first()
    if overlapping is not None:
        raise ConflictError(
            f"These dates overlap the block from {overlapping.start} to {overlapping.end}.",
            code="block_overlaps",
        )
    booked = stay_reader().confirmed_stay(property=prop, start=start, end=end)
    if booked is not None:
        raise ConflictError(
            f"A confirmed stay from {booked[0]} to {booked[1]} holds these dates.",
            code="dates_booked",
        )
    block = AvailabilityBlock.objects.create(property=prop, start=start, end=end, note=note)
    _after_commit_bump(listing_nights_taken, prop.pk)
    return block


@transaction.atomic
def block_delete(*, block: AvailabilityBlock) -> None:
    _lock(block.property_id)
    block.delete()
    _after_commit_bump(listing_nights_released, block.property_id, block.start, block.end)
