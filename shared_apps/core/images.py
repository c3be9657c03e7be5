"""Checks of uploaded pictures (listing photos, a marketplace's logo and banner): the real
format is read from the content, never from the file's name or declared type, and the
pixel count from the header before anything is decoded."""

from __future__ import annotations

import warnings

from PIL import Image, UnidentifiedImageError

from shared_apps.core.errors import ApplicationError

# Pillow's format name -> the extension the stored file gets.
ALLOWED_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _invalid(field: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


def _too_many_pixels(field: str, noun: str, max_pixels: int, size: str = "") -> ApplicationError:
    return _invalid(
        field,
        f"The {noun} {f'is {size} pixels' if size else 'has too many pixels'}; the limit is "
        f"{max_pixels // 1_000_000} megapixels. Resize it and upload it again.",
        "photo_too_many_pixels",
    )


def image_extension(
    upload, *, max_bytes: int, max_pixels: int, field: str = "image", noun: str = "photo"
) -> str:
    """The extension to store `upload` under, or a 400 naming `field` when the file is too
    large, has too many pixels (a decompression bomb among them) or is not a JPEG, PNG or
    WebP picture."""
    if upload.size > max_bytes:
        raise _invalid(
            field, f"The {noun} is {upload.size} bytes; the limit is {max_bytes}.",
            "photo_too_large",
        )  # fmt: skip
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Pillow warns (and past twice its limit, refuses) on huge images; either way
            # it is our clear 400, never a warning in the log or a 500.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise _too_many_pixels(field, noun, max_pixels, f"{width}x{height}")
                image.verify()
                image_format = image.format
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_many_pixels(field, noun, max_pixels) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _invalid(field, "The file is not a JPEG, PNG or WebP image.", "not_an_image") from exc
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise _invalid(field, f"{image_format} images are not accepted; use JPEG, PNG or WebP.")
    upload.seek(0)
    return ALLOWED_IMAGE_FORMATS[image_format]
