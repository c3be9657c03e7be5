"""One credential policy for every login surface: the API's token endpoint and GraphQL
mutation, sign-up with an existing identity, the storefront's login form, and the admin on
every marketplace host and on the platform host.

- Failures are counted per identity (a hash of the normalized email) and per client address,
  in one public-schema table, so all marketplaces, the platform host and both admins share
  one counter per email: a guesser can't get ten tries per host.
- Past a limit within the window the identity (or the address) is locked out for a while:
  a 429 with Retry-After, decided before any password is looked at and keyed by the email as
  typed, so it reads the same whether or not the identity exists, is a member or is staff.
- Any credential failure is one answer (`INVALID_CREDENTIALS`): a wrong password, an unknown
  email, a deactivated identity, and a right password on a host the identity may not use
  (not a member here, not staff, not this marketplace's admin). That last case is checked
  only after the password is right, and counts as a failure like the others, so neither the
  answer nor the lockout tells a guesser that the password was right.
- Every path runs the password hasher once (the backend hashes for unknown emails too).

The store is PostgreSQL, not Redis: lockouts then hold through a Redis outage (when the
per-address throttles in front of them fail closed anyway) and are platform-wide by
construction. Writes happen on failures only; those are bounded by the per-address request
throttles (shared_apps.core.throttling) in front of every surface. See docs/security.md."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from shared_apps.core.errors import ApplicationError, AuthenticationError
from shared_apps.core.models import CredentialFailure
from shared_apps.core.throttling import ResilientScopedRateThrottle

INVALID_CREDENTIALS = "Email or password is incorrect."
TEXT = "text/plain; charset=utf-8"


class LockedOut(ApplicationError):
    status_code = 429
    default_code = "too_many_attempts"

    def __init__(self, *, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            "Too many failed sign-in attempts. Wait "
            f"{minutes} minute{'s' if minutes > 1 else ''}, then try again, or reset your "
            "password.",
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


def invalid_credentials() -> AuthenticationError:
    return AuthenticationError(INVALID_CREDENTIALS, code="invalid_credentials")


def client_address(request) -> str:
    """The client's address as the throttles see it (REMOTE_ADDR, or X-Forwarded-For behind
    settings NUM_PROXIES proxies). Works on Django and DRF requests alike."""
    return BaseThrottle().get_ident(request) if request is not None else ""


def _identity_key(email: str) -> str:
    normalized = (email or "").strip().lower()
    return "identity:" + hashlib.sha256(normalized.encode()).hexdigest()


def _address_key(address: str) -> str:
    return f"address:{address}"[:80]


def _keys(*, email: str, address: str) -> list[tuple[str, int]]:
    keys = [(_identity_key(email), settings.CREDENTIAL_FAILURES_PER_IDENTITY)]
    if address:
        keys.append((_address_key(address), settings.CREDENTIAL_FAILURES_PER_ADDRESS))
    return keys


def ensure_not_locked(*, email: str, address: str) -> None:
    """Raises LockedOut while the identity or the address is locked out. One indexed read."""
    now = timezone.now()
    keys = [key for key, _limit in _keys(email=email, address=address)]
    until: datetime | None = CredentialFailure.objects.filter(
        key__in=keys, locked_until__gt=now
    ).aggregate(until=Max("locked_until"))["until"]
    if until is not None:
        raise LockedOut(retry_after=max(1, math.ceil((until - now).total_seconds())))


_RECORD = """
INSERT INTO {table} AS t (key, failures, window_started, locked_until)
VALUES (%(key)s, 1, %(now)s, CASE WHEN 1 >= %(limit)s THEN %(until)s::timestamptz END)
ON CONFLICT (key) DO UPDATE SET
  failures = CASE WHEN t.window_started < %(cutoff)s THEN 1 ELSE t.failures + 1 END,
  window_started = CASE WHEN t.window_started < %(cutoff)s
                        THEN %(now)s ELSE t.window_started END,
  locked_until = CASE
    WHEN (CASE WHEN t.window_started < %(cutoff)s THEN 1 ELSE t.failures + 1 END) >= %(limit)s
    THEN %(until)s::timestamptz ELSE t.locked_until END
"""


def record_failure(*, email: str, address: str) -> None:
    """Counts one failure against the identity and the address, atomically (one upsert per
    key, safe under concurrent attempts), locking either out once it reaches its limit."""
    now = timezone.now()
    window = timedelta(seconds=settings.CREDENTIAL_FAILURE_WINDOW_SECONDS)
    until = now + timedelta(seconds=settings.CREDENTIAL_LOCKOUT_SECONDS)
    table = f'"public"."{CredentialFailure._meta.db_table}"'
    with connection.cursor() as cursor:
        for key, limit in _keys(email=email, address=address):
            cursor.execute(
                _RECORD.format(table=table),
                {"key": key, "now": now, "cutoff": now - window, "limit": limit, "until": until},
            )


def clear_identity(*, email: str) -> None:
    """A successful sign-in forgives the identity's earlier failures (not the address's)."""
    CredentialFailure.objects.filter(key=_identity_key(email)).delete()


def purge_expired() -> int:
    """Removes counters that no longer count: their window ended and no lockout is running.
    Periodic (`core.purge_credential_failures`), so guesses at random emails don't pile up."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.CREDENTIAL_FAILURE_WINDOW_SECONDS)
    deleted, _by_model = (
        CredentialFailure.objects.filter(window_started__lt=cutoff)
        .exclude(locked_until__gt=now)
        .delete()
    )
    return deleted


def verify_credentials(
    *, email: str, password: str, address: str, may_use: Callable[[object], bool]
):
    """The user these credentials prove, if they may use this host (`may_use(user)`, checked
    only once the password is right). Otherwise one answer for every cause: LockedOut (429)
    while locked out, else AuthenticationError `invalid_credentials` (401)."""
    ensure_not_locked(email=email, address=address)
    user = authenticate(email=email, password=password)  # hashes on every path
    if user is None or not may_use(user):
        record_failure(email=email, address=address)
        raise invalid_credentials()
    clear_identity(email=email)
    return user


# --- HTML login forms (storefront, both admins) --------------------------------------------


class PolicyLoginFormMixin:
    """For Django's AuthenticationForm and its subclasses: `clean()` goes through
    verify_credentials, so a page gives the same answer the API gives. Every credential
    failure shows the form's own `invalid_login` message; a lockout shows its message and
    `lockout` is set, for `apply_lockout_status` to turn the page into a 429."""

    lockout: LockedOut | None = None

    def may_use(self, user) -> bool:
        """Whether `user` (whose password was right) may sign in here."""
        raise NotImplementedError

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            try:
                self.user_cache = verify_credentials(
                    email=email,
                    password=password,
                    address=client_address(self.request),
                    may_use=self.may_use,
                )
            except LockedOut as error:
                self.lockout = error
                raise ValidationError(error.message, code="too_many_attempts") from error
            except AuthenticationError as error:
                raise self.get_invalid_login_error() from error
        return self.cleaned_data

    def confirm_login_allowed(self, user) -> None:
        """Already decided in clean(), with the one answer for every failure."""


def apply_lockout_status(response):
    """A login page rendered for a locked-out identity or address answers 429 with
    Retry-After (the page itself says how long to wait)."""
    form = (getattr(response, "context_data", None) or {}).get("form")
    lockout = getattr(form, "lockout", None)
    if lockout is not None:
        response.status_code = 429
        response["Retry-After"] = str(lockout.retry_after)
    return response


def guarded_login_view(view):
    """A login page's view with the API's per-address `login` throttle on its POSTs (429,
    or 503 without Redis: credentials fail closed) and lockouts answered as 429s. For
    pages without a branded error page of their own (the admins)."""

    class _LoginScope:
        throttle_scope = "login"

    def guarded(request, *args, **kwargs):
        if request.method == "POST":
            throttle = ResilientScopedRateThrottle()
            try:
                allowed = throttle.allow_request(request, _LoginScope())
            except ApplicationError as error:
                response = HttpResponse(error.message, status=error.status_code, content_type=TEXT)
                for name, value in error.headers.items():
                    response[name] = value
                return response
            if not allowed:
                seconds = int(throttle.wait() or 1) + 1
                response = HttpResponse(
                    f"Too many attempts from here. Wait {seconds} seconds, then try again.",
                    status=429,
                    content_type=TEXT,
                )
                response["Retry-After"] = str(seconds)
                return response
        return apply_lockout_status(view(request, *args, **kwargs))

    return guarded
