"""Checks of uploaded pictures (listing photos, a marketplace's logo and banner): the real
format is read from the content, never from the file's name or declared type."""

from __future__ import annotations

from PIL import Image, UnidentifiedImageError

from shared_apps.core.errors import ApplicationError

# Pillow's format name -> the extension the stored file gets.
ALLOWED_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _invalid(field: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


def image_extension(upload, *, max_bytes: int, field: str = "image") -> str:
    """The extension to store `upload` under, or a 400 naming `field` when the file is too
    large or not a JPEG, PNG or WebP picture."""
    if upload.size > max_bytes:
        raise _invalid(
            field,
            f"The picture is {upload.size / 1_048_576:.1f} MB; the limit is "
            f"{max_bytes / 1_048_576:.0f} MB.",
            "photo_too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            image_format = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _invalid(field, "The file is not a JPEG, PNG or WebP image.", "not_an_image") from exc
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise _invalid(field, f"{image_format} images are not accepted; use JPEG, PNG or WebP.")
    upload.seek(0)
    return ALLOWED_IMAGE_FORMATS[image_format]
