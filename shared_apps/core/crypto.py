"""Secrets at rest: MultiFernet over FIELD_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so keys rotate without downtime: put a new key
first, run `manage.py rotate_secrets` (re-encrypts every stored secret with it), then drop
the old key."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """A stored secret was encrypted with a key that is no longer configured."""


@lru_cache(maxsize=4)  # keyed by the keys, so a settings change takes effect at once
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must name at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from exc


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plain: str) -> str:
    return _current().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return _readable(_current().decrypt, token)


def rotate(token: str) -> str:
    """The same secret, encrypted with the newest key."""
    return _readable(_current().rotate, token)


def _readable(operation, token: str) -> str:
    try:
        return operation(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "A stored secret can't be decrypted with any key in FIELD_ENCRYPTION_KEYS."
        ) from exc


def last4(secret: str) -> str:
    return secret[-4:] if len(secret) >= 8 else ""
