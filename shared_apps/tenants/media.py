"""A marketplace's uploaded files: everything under its media prefix in Django's default
storage (listing photos and their renditions, tenant_apps.listings). Backups carry them,
restores write them under the new slug, and deleting the marketplace removes them."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import PurePosixPath

from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)


def media_prefix(schema_name: str) -> str:
    """Where the marketplace's files live in the storage (the upload paths start with it)."""
    return f"tenants/{schema_name}/"


def safe_relative_name(name: str) -> bool:
    """A name that stays under a prefix: relative, no `..`, no empty parts."""
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and "\\" not in name
        and all(part not in ("", ".", "..") for part in name.split("/"))
    )


def _walk(folder: str) -> Iterator[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}{name}"
    for sub in folders:
        yield from _walk(f"{folder}{sub}/")


def media_files(schema_name: str) -> list[str]:
    """The marketplace's files, as names relative to its prefix, sorted."""
    prefix = media_prefix(schema_name)
    return sorted(name[len(prefix) :] for name in _walk(prefix))


def media_delete(schema_name: str) -> int:
    """Removes every file under the marketplace's prefix (and, on a local disk, the folders
    left empty). Returns how many files went."""
    prefix = media_prefix(schema_name)
    names = list(_walk(prefix))
    for name in names:
        default_storage.delete(name)
    try:
        root = default_storage.path(prefix)
    except NotImplementedError:  # object storage: no folders to remove
        return len(names)
    _remove_empty_folders(root)
    return len(names)


def _remove_empty_folders(root: str) -> None:
    if not os.path.isdir(root):
        return
    for folder, _subfolders, _files in os.walk(root, topdown=False):
        try:
            os.rmdir(folder)
        except OSError:  # not empty: a file arrived meanwhile, keep it
            logger.info("media folder %s kept: not empty", folder)
