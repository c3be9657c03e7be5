"""Checks and cleaning of uploaded pictures (listing photos, a marketplace's logo and banner).

- The real format is read from the content, never from the file's name or declared type.
- The size is checked from the header before anything is decoded: at most MAX_IMAGE_SIDE
  pixels on the longest side and a caller's megapixel limit (a decompression bomb, a tiny
  file that decodes to gigabytes, is refused this way).
- Every accepted picture is decoded and re-encoded, so what is stored and served is pixels
  only: EXIF (GPS position, camera, serial numbers), XMP, comments and text chunks are
  dropped. The EXIF orientation is applied first, so a portrait photo stays upright; an
  embedded colour profile is converted to sRGB first, so colours stay right without it.
  Animated pictures keep their first frame."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from shared_apps.core.errors import ApplicationError, invalid_field

# Pillow's format name -> the extension the stored file gets.
ALLOWED_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Longest side of any accepted picture: larger than any screen needs (the widest rendition
# is 1600 px) and than most cameras make, and it bounds a decode's memory with the
# megapixel limit (8000 x 5000 RGBA is 160 MB).
MAX_IMAGE_SIDE = 8000
# Re-encoding quality of lossy formats: visually the same as a camera's own JPEG.
REENCODE_QUALITY = 90


@dataclass(frozen=True)
class CleanImage:
    """A picture re-encoded without metadata: store `content` under `extension`."""

    content: bytes
    extension: str
    width: int
    height: int


def _too_big(
    field: str, noun: str, *, max_pixels: int, max_side: int, size: str = "", code: str
) -> ApplicationError:
    limits = (
        f"the limit is {max_side} pixels on the longest side and "
        f"{max_pixels // 1_000_000} megapixels in all"
    )
    return invalid_field(
        field,
        f"The {noun} {f'is {size} pixels' if size else 'has too many pixels'}; {limits}. "
        "Resize it and upload it again.",
        code,
    )


def image_extension(
    upload,
    *,
    max_bytes: int,
    max_pixels: int,
    max_side: int = MAX_IMAGE_SIDE,
    field: str = "image",
    noun: str = "photo",
) -> str:
    """The extension to store `upload` under, or a 400 naming `field` when the file is too
    large, too wide or tall, has too many pixels (a decompression bomb among them) or is not
    a JPEG, PNG or WebP picture. Reads the header only."""
    if upload.size > max_bytes:
        raise invalid_field(
            field, f"The {noun} is {upload.size} bytes; the limit is {max_bytes}.",
            "photo_too_large",
        )  # fmt: skip
    limits = {"max_pixels": max_pixels, "max_side": max_side}
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Pillow warns on huge images (our own check below answers them, naming their
            # size) and past twice its limit refuses them: our clear 400 either way, never a
            # warning in the log or a 500.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                size = f"{width}x{height}"
                if width * height > max_pixels:
                    raise _too_big(field, noun, **limits, size=size, code="photo_too_many_pixels")
                if max(width, height) > max_side:
                    raise _too_big(field, noun, **limits, size=size, code="photo_too_wide")
                image.verify()
                image_format = image.format
    except Image.DecompressionBombError as exc:
        raise _too_big(field, noun, **limits, code="photo_too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise invalid_field(
            field, "The file is not a JPEG, PNG or WebP image.", "not_an_image"
        ) from exc
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise invalid_field(
            field, f"{image_format} images are not accepted; use JPEG, PNG or WebP."
        )
    upload.seek(0)
    return ALLOWED_IMAGE_FORMATS[image_format]


def _to_srgb(image: Image.Image) -> Image.Image:
    """Pixels converted from an embedded colour profile to sRGB (what browsers assume of a
    picture without one). A profile Pillow can't read is dropped as it is."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted or image


def _pixels_for(image: Image.Image, image_format: str) -> Image.Image:
    """The image in a mode its format stores well, with transparency kept as alpha."""
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if image_format == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if has_alpha:
        return image if image.mode == "RGBA" else image.convert("RGBA")
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def clean_image(
    upload,
    *,
    max_bytes: int,
    max_pixels: int,
    max_side: int = MAX_IMAGE_SIDE,
    field: str = "image",
    noun: str = "photo",
) -> CleanImage:
    """`upload` checked as `image_extension` does, then decoded, turned upright and
    re-encoded in its own format with every piece of metadata left behind."""
    extension = image_extension(
        upload, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side, field=field,
        noun=noun,
    )  # fmt: skip
    try:
        with Image.open(upload) as opened:
            image_format = opened.format
            opened.load()
            image = _to_srgb(ImageOps.exif_transpose(opened))
            image = _pixels_for(image, image_format)
    except Exception as exc:  # a fine header, broken pixels or EXIF: hostile input is a 400
        raise invalid_field(
            field, "The file is not a JPEG, PNG or WebP image.", "not_an_image"
        ) from exc
    finally:
        upload.seek(0)
    # Nothing of the original's info (EXIF, XMP, comments, text chunks, ICC) goes along:
    # some encoders copy entries of `info` when they aren't given explicitly.
    image.info = {}
    buffer = io.BytesIO()
    options = {
        "JPEG": {"quality": REENCODE_QUALITY},
        "WEBP": {"quality": REENCODE_QUALITY, "method": 4},
        "PNG": {"optimize": False},
    }[image_format]
    image.save(buffer, format=image_format, **options)
    return CleanImage(buffer.getvalue(), extension, image.width, image.height)
