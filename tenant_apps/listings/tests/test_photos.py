"""Photo uploads: responsive WebP renditions under the marketplace's media prefix, and a
clear 400 for images too large to decode safely."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from PIL import Image

from tenant_apps.listings.models import PropertyPhoto
from tenant_apps.listings.tests.factories import image_upload, listing_factory

pytestmark = pytest.mark.django_db


def _photos_url(listing) -> str:
    return f"/api/v1/properties/{listing.id}/photos"


def test_an_upload_gets_400_800_and_1600_pixel_webp_renditions_next_to_the_original(
    api, alpha, host
):
    listing = listing_factory(alpha.tenant, host)

    response = api(alpha.host, host).post(
        _photos_url(listing), {"image": image_upload("big.jpg", "JPEG", (2400, 1600))},
        format="multipart",
    )  # fmt: skip

    assert response.status_code == 201
    renditions = response.json()["renditions"]
    assert [r["width"] for r in renditions] == [400, 800, 1600]
    with tenant_context(alpha.tenant):
        photo = PropertyPhoto.objects.get(pk=response.json()["id"])
    folder = f"tenants/alpha/properties/{listing.id}/"
    for width, name in photo.renditions.items():
        assert name.startswith(folder)
        with photo.image.storage.open(name) as stored, Image.open(stored) as image:
            assert image.format == "WEBP"
            assert image.width == int(width)
            assert image.height == round(1600 * int(width) / 2400)


def test_a_small_photo_is_never_scaled_up(api, alpha, host):
    listing = listing_factory(alpha.tenant, host)

    response = api(alpha.host, host).post(
        _photos_url(listing), {"image": image_upload("small.png", "PNG", (300, 200))},
        format="multipart",
    )  # fmt: skip

    assert [r["width"] for r in response.json()["renditions"]] == [300]


def test_a_deleted_photo_takes_its_renditions_with_it(
    api, alpha, host, django_capture_on_commit_callbacks
):
    listing = listing_factory(alpha.tenant, host)
    created = api(alpha.host, host).post(
        _photos_url(listing), {"image": image_upload("a.jpg", "JPEG", (1000, 800))},
        format="multipart",
    ).json()  # fmt: skip
    with tenant_context(alpha.tenant):
        photo = PropertyPhoto.objects.get(pk=created["id"])
    names = list(photo.renditions.values())
    assert all(photo.image.storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        api(alpha.host, host).delete(f"{_photos_url(listing)}/{photo.id}")

    assert not any(photo.image.storage.exists(name) for name in names)


def _bomb_png(width: int, height: int) -> SimpleUploadedFile:
    """A tiny file that decodes to a huge image (a one-colour PNG compresses ~1000:1)."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize("size", [(10_000, 6_000), (20_000, 20_000)])
def test_a_decompression_bomb_is_a_clear_400_and_nothing_is_stored(api, alpha, host, size):
    listing = listing_factory(alpha.tenant, host)
    with tenant_context(alpha.tenant):
        before = PropertyPhoto.objects.count()

    response = api(alpha.host, host).post(
        _photos_url(listing), {"image": _bomb_png(*size)}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "photo_too_many_pixels"
    assert "megapixels" in response.json()["message"]
    with tenant_context(alpha.tenant):
        assert PropertyPhoto.objects.count() == before
