"""Every accepted picture is re-encoded without its metadata (EXIF with GPS, camera,
comments) and turned upright first; pictures too wide, too tall or with too many pixels are
a 400 that says what to do, through the API and through the host's and admin's pages. The
files are real ones, made with Pillow here."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from PIL import ExifTags, Image

from shared_apps.tenants.models import Tenant
from tenant_apps.listings.models import PropertyPhoto
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.storefront.tests.conftest import signed_in

pytestmark = pytest.mark.django_db

CAMERA = "SpyCam 3000"
COMMENT = b"taken at home"


def _jpeg_with_gps(name: str = "holiday.jpg", size=(300, 200)) -> SimpleUploadedFile:
    """A landscape JPEG whose EXIF says: rotate 90 degrees to view, this camera, this GPS
    position; plus a JPEG comment. Left half red, right half blue, to check orientation."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90 CW to display"
    exif[ExifTags.Base.Make] = CAMERA
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (45.0, 53.0, 57.25),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (6.0, 7.0, 45.5),
    }
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=COMMENT, quality=95)
    data = buffer.getvalue()
    # The file really carries what must go (so the assertions below can fail).
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert CAMERA.encode() in data
    assert COMMENT in data
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _png(size, mode="1") -> SimpleUploadedFile:
    """A one-colour PNG: compresses about 1000:1, so a huge one is a small file (the shape
    of a decompression bomb)."""
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format="PNG")
    return SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture(scope="module")
def bomb_bytes() -> bytes:
    """30000 x 30000 pixels (900 megapixels) in about 110 KB."""
    buffer = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(buffer, format="PNG")
    return buffer.getvalue()


def _assert_no_metadata(data: bytes) -> Image.Image:
    """`data` (a stored file, the bytes the media server sends) holds pixels only."""
    assert b"Exif" not in data
    assert CAMERA.encode() not in data
    assert COMMENT not in data
    image = Image.open(io.BytesIO(data))
    assert not image.getexif()
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "xmp", "comment", "icc_profile"} & set(image.info)
    return image


def _stored(name: str) -> bytes:
    with default_storage.open(name) as stored:
        return stored.read()


def _photos_url(listing) -> str:
    return f"/api/v1/properties/{listing.id}/photos"


# --- The API ------------------------------------------------------------------------------


def test_an_uploaded_jpeg_is_served_upright_without_exif_gps_or_comment(api, alpha, host):
    listing = listing_factory(alpha.tenant, host)

    response = api(alpha.host, host).post(
        _photos_url(listing), {"image": _jpeg_with_gps()}, format="multipart"
    )

    assert response.status_code == 201
    body = response.json()
    # Orientation 6 applied: the 300 x 200 landscape is stored as 200 x 300.
    assert (body["width"], body["height"]) == (200, 300)
    with tenant_context(alpha.tenant):
        photo = PropertyPhoto.objects.get(pk=body["id"])
    original = _assert_no_metadata(_stored(photo.image.name))
    assert original.format == "JPEG"
    assert original.size == (200, 300)
    # Upright: the red left half of the sensor image is now the top.
    top, bottom = original.convert("RGB").getpixel((100, 20)), original.getpixel((100, 280))
    assert top[0] > 150
    assert top[2] < 100
    assert bottom[2] > 150
    assert bottom[0] < 100
    for name in photo.renditions.values():
        assert _assert_no_metadata(_stored(name)).format == "WEBP"


def test_png_text_chunks_and_exif_are_dropped_and_transparency_kept(api, alpha, host):
    from PIL.PngImagePlugin import PngInfo

    listing = listing_factory(alpha.tenant, host)
    info = PngInfo()
    info.add_text("Comment", COMMENT.decode())
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    buffer = io.BytesIO()
    Image.new("RGBA", (120, 80), (10, 200, 10, 0)).save(
        buffer, format="PNG", pnginfo=info, exif=exif
    )
    assert CAMERA.encode() in buffer.getvalue()

    response = api(alpha.host, host).post(
        _photos_url(listing),
        {"image": SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png")},
        format="multipart",
    )

    assert response.status_code == 201
    with tenant_context(alpha.tenant):
        photo = PropertyPhoto.objects.get(pk=response.json()["id"])
    stored = _assert_no_metadata(_stored(photo.image.name))
    assert stored.format == "PNG"
    assert stored.mode == "RGBA"
    assert stored.getpixel((5, 5))[3] == 0


@pytest.mark.parametrize(
    ("size", "code"),
    [((10_000, 10_000), "photo_too_many_pixels"), ((9_000, 1_000), "photo_too_wide")],
)
def test_a_picture_past_the_size_limits_is_a_400_naming_them(api, alpha, host, size, code):
    listing = listing_factory(alpha.tenant, host)
    with tenant_context(alpha.tenant):
        before = PropertyPhoto.objects.count()

    response = api(alpha.host, host).post(
        _photos_url(listing), {"image": _png(size)}, format="multipart"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["message"] == (
        f"The photo is {size[0]}x{size[1]} pixels; the limit is 8000 pixels on the longest "
        "side and 40 megapixels in all. Resize it and upload it again."
    )
    assert body["fields"]["image"] == [body["message"]]
    with tenant_context(alpha.tenant):
        assert PropertyPhoto.objects.count() == before


def test_a_30000_pixel_square_png_bomb_is_a_400_not_a_500(api, alpha, host, bomb_bytes):
    listing = listing_factory(alpha.tenant, host)

    response = api(alpha.host, host).post(
        _photos_url(listing),
        {"image": SimpleUploadedFile("bomb.png", bomb_bytes, content_type="image/png")},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "photo_too_many_pixels"
    assert "Resize it and upload it again." in response.json()["message"]


def test_a_picture_at_the_side_limit_is_accepted(api, alpha, host):
    listing = listing_factory(alpha.tenant, host)

    response = api(alpha.host, host).post(
        _photos_url(listing), {"image": _png((8_000, 500), mode="RGB")}, format="multipart"
    )

    assert response.status_code == 201
    assert response.json()["width"] == 8_000


# --- The pages that upload ---------------------------------------------------------------


def test_the_hosts_photo_page_stores_photos_without_metadata_and_names_a_bomb(
    alpha, host, bomb_bytes
):
    prop = listing_factory(alpha.tenant, host, publish=False)
    client = signed_in(alpha, host)
    bomb = SimpleUploadedFile("bomb.png", bomb_bytes, content_type="image/png")

    response = client.post(
        f"/host/listings/{prop.pk}/photos/",
        {"photos": [_jpeg_with_gps("gps.jpg"), bomb]},
        HTTP_X_PHOTO_UPLOAD="1",
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "bomb.png was not added." in html
    assert "8000 pixels on the longest side and 40 megapixels" in html
    assert "1 photo added." in html
    with tenant_context(alpha.tenant):
        added = prop.photos.order_by("position").last()
        name = added.image.name
    _assert_no_metadata(_stored(name))


def test_the_branding_page_stores_a_logo_without_metadata_and_refuses_a_huge_banner(alpha):
    client = signed_in(alpha, alpha.admin)
    form = {
        "display_name": "Alpha Peaks", "tagline": "", "description": "",
        "primary_color": "#7c2d12", "accent_color": "#fde047",
        "support_email": "help@alpha.test",
    }  # fmt: skip

    refused = client.post("/manage/", {**form, "hero": _png((10_000, 10_000))})
    saved = client.post("/manage/", {**form, "logo": _jpeg_with_gps("logo.jpg")})

    assert refused.status_code == 400
    assert "8000 pixels on the longest side and 40 megapixels" in refused.content.decode()
    assert saved.status_code == 302
    logo_url = Tenant.objects.get(pk=alpha.tenant.pk).logo_url
    assert logo_url.endswith(".jpg")
    name = logo_url.removeprefix(default_storage.base_url)
    assert _assert_no_metadata(_stored(name)).size == (200, 300)


def test_a_picture_whose_pixels_are_cut_off_is_a_400_not_a_500(api, alpha, host):
    """The header is fine (the checks before decoding pass); the pixels end halfway."""
    listing = listing_factory(alpha.tenant, host)
    whole = _jpeg_with_gps().read()
    cut = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2], content_type="image/jpeg")

    response = api(alpha.host, host).post(_photos_url(listing), {"image": cut}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "not_an_image"
