"""Every write to identities and memberships."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django_tenants.utils import get_public_schema_name
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from shared_apps.accounts.authentication import REUSED, REVOKED, WRONG_TENANT
from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import Membership, RefreshTokenUse, User, normalize_email
from shared_apps.accounts.selectors import membership_for, user_by_email
from shared_apps.accounts.tokens import current_for, issued_here, tokens_for_user
from shared_apps.core import credentials
from shared_apps.core.errors import (
    ApplicationError,
    AuthenticationError,
    ConflictError,
    ForbiddenError,
)
from shared_apps.core.outbox import publish_after_commit
from shared_apps.core.tenancy import current_tenant, is_public_schema
from shared_apps.tenants.models import Tenant

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ("first_name", "last_name", "phone", "avatar_url")


def _validate_password(*, password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ApplicationError(
            "Choose a stronger password.", code="weak_password", fields={"password": exc.messages}
        ) from exc


def user_create(
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    is_staff: bool = False,
) -> User:
    """A new identity. `password=None` makes one that must set its password by email link."""
    try:
        validate_email(normalize_email(email))
    except ValidationError as exc:
        raise ApplicationError(
            f"{email!r} is not a valid email address.", fields={"email": exc.messages}
        ) from exc
    user = User(
        email=normalize_email(email),
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        is_staff=is_staff,
        is_superuser=is_staff,
    )
    if password is not None:
        _validate_password(password=password, user=user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ConflictError(
            "An account with this email already exists.",
            code="email_taken",
            fields={"email": ["An account with this email already exists."]},
        ) from exc
    return user


@dataclass(frozen=True)
class SignupResult:
    user: User
    membership: Membership
    identity_created: bool
    membership_created: bool


def membership_signup(
    *,
    tenant: Tenant,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    address: str = "",
) -> SignupResult:
    """Sign up on a marketplace: a new identity with a guest membership, or an existing
    identity (proved by its password) joining this marketplace.

    Under the credential policy (shared_apps.core.credentials), as a login: refused while the
    email or `address` (the client's) is locked out; a wrong password for an existing
    identity, or a deactivated one, is the one `invalid_credentials` answer and counts as a
    failure. Every path runs the hasher once, deactivated identities included."""
    credentials.ensure_not_locked(email=email, address=address)
    user = user_by_email(email=email)
    if user is not None:
        # Hash first, whatever the account's state: a deactivated identity must cost the
        # same as an active one.
        if not (user.check_password(password) and user.is_active):
            credentials.record_failure(email=email, address=address)
            raise credentials.invalid_credentials()
        credentials.clear_identity(email=email)
    with transaction.atomic():
        identity_created = user is None
        if user is None:
            user = user_create(
                email=email, password=password, first_name=first_name, last_name=last_name
            )
        membership, membership_created = Membership.objects.get_or_create(
            user=user, tenant=tenant, defaults={"role": Role.GUEST}
        )
    return SignupResult(user, membership, identity_created, membership_created)


def auth_login(*, email: str, password: str, address: str = "") -> dict[str, str]:
    """Tokens for this host: a marketplace's members, or staff on the platform host. Every
    failure, "right password but not a member here" included, is one 401 (the credential
    policy, shared_apps.core.credentials); `address` is the client's, for its counter."""
    user = credentials.verify_credentials(
        email=email, password=password, address=address, may_use=may_use_this_host
    )
    return tokens_for_user(user=user)


def may_use_this_host(user: User) -> bool:
    """Staff on the platform host; members of the marketplace on a marketplace host."""
    if is_public_schema():
        return user.is_staff
    return membership_for(user=user, tenant=current_tenant()) is not None


def auth_refresh(*, refresh: str) -> dict[str, str]:
    """A new access token and a new refresh token (rotation), re-checking that the identity
    may still use this host. A refresh token works once: presenting one that was already
    used means it leaked (or a client raced itself), so every token of the identity is
    revoked (its token version goes up) and it must log in again."""
    try:
        token = RefreshToken(refresh)
    except ExpiredTokenError as exc:
        raise AuthenticationError(
            "The refresh token has expired. Log in again.", code="token_expired"
        ) from exc
    except TokenError as exc:
        raise AuthenticationError(
            "The refresh token is not valid. Log in again.", code="token_invalid"
        ) from exc
    if not issued_here(token):
        raise AuthenticationError(WRONG_TENANT, code="token_wrong_tenant")
    user = User.objects.filter(pk=token.get("user_id"), is_active=True).first()
    if user is None or not current_for(token, user):
        raise AuthenticationError(REVOKED, code="token_revoked")
    if not refresh_token_spend(token=token, user=user):
        # Committed at once (no surrounding transaction), so the revocation survives the
        # error below.
        User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
        raise AuthenticationError(REUSED, code="token_reused")
    _check_may_use_this_host(user, error=AuthenticationError)
    return tokens_for_user(user=user)


def refresh_token_spend(*, token: RefreshToken, user: User) -> bool:
    """Marks a refresh token used; False when it already was (reuse). get_or_create inserts
    in a savepoint, so of two concurrent refreshes with one token exactly one wins. The
    identity's rows for tokens that expired anyway go at the same time."""
    RefreshTokenUse.objects.filter(user=user, expires__lt=timezone.now()).delete()
    _use, first = RefreshTokenUse.objects.get_or_create(
        jti=str(token["jti"]),
        defaults={"user": user, "expires": datetime.fromtimestamp(token["exp"], tz=UTC)},
    )
    return first


def _check_may_use_this_host(user: User, error: type[ApplicationError] = ForbiddenError) -> None:
    if is_public_schema():
        if not user.is_staff:
            raise error("Only platform operators can log in here.", code="not_staff")
    elif membership_for(user=user, tenant=current_tenant()) is None:
        raise error(
            "You are not a member of this marketplace. Sign up to join it with the same "
            "email and password.",
            code="not_a_member",
        )


@transaction.atomic
def membership_grant(*, user: User, tenant: Tenant, role: str) -> Membership:
    """Make `user` a member with `role`, raising an existing membership to it if needed."""
    membership, created = Membership.objects.get_or_create(
        user=user, tenant=tenant, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role", "updated"])
    return membership


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ApplicationError(
            f"Unknown role {role!r}.",
            fields={"role": [f"Choose one of: {', '.join(Role.values)}."]},
        )
    # Lock the member's row and every admin row of the marketplace in one query, in pk order,
    # so two admins demoting each other at once queue up instead of deadlocking, and the
    # second sees the first one's change before counting the admins left.
    rows = list(
        Membership.objects.select_for_update()
        .filter(Q(pk=membership.pk) | Q(tenant_id=membership.tenant_id, role=Role.ADMIN))
        .order_by("pk")
    )
    locked = next(row for row in rows if row.pk == membership.pk)
    admins_left = [row for row in rows if row.role == Role.ADMIN and row.pk != locked.pk]
    if locked.role == Role.ADMIN and role != Role.ADMIN and not admins_left:
        raise ConflictError(
            "A marketplace needs at least one admin. Make someone else admin first.",
            code="last_admin",
        )
    locked.role = role
    locked.save(update_fields=["role", "updated"])
    return locked


def membership_become_host(*, membership: Membership) -> Membership:
    """Guests become hosts; hosts and admins can already host."""
    if membership.can_host:
        return membership
    return membership_set_role(membership=membership, role=Role.HOST)


@transaction.atomic
def user_update_profile(*, user: User, data: dict) -> User:
    changed = [field for field in PROFILE_FIELDS if field in data]
    for field in changed:
        setattr(user, field, data[field])
    if changed:
        user.save(update_fields=changed)
    return user


def password_link_for(*, user: User, tenant: Tenant) -> str:
    from shared_apps.tenants.selectors import marketplace_url

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"{marketplace_url(tenant=tenant)}/accounts/set-password/{uid}/{token}/"


def send_set_password_email(*, user: User, tenant: Tenant, reset: bool = False) -> None:
    """A link to choose a password: for a new admin whose marketplace is ready, or for
    anyone who forgot theirs. Rendered with the marketplace's branding."""
    context = {
        "user": user,
        "marketplace": tenant,
        "link": password_link_for(user=user, tenant=tenant),
    }
    template = "reset_password" if reset else "set_password"
    subject = (
        f"Reset your {tenant.brand_name} password"
        if reset
        else f"Your marketplace {tenant.brand_name} is ready: set your password"
    )
    send_mail(
        subject=subject,
        message=render_to_string(f"accounts/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


def queue_password_email(*, user: User, tenant: Tenant, reset: bool) -> None:
    """Once the current transaction commits, a worker emails `user` a password link for
    `tenant` (from that marketplace's own queue; the platform queue for operators)."""
    from shared_apps.accounts.tasks import password_email, platform_password_email

    public = tenant.schema_name == get_public_schema_name()
    publish_after_commit(
        platform_password_email if public else password_email,
        schema_name=tenant.schema_name,
        user_id=str(user.pk),
        reset=reset,
    )


def password_reset_request(*, email: str) -> None:
    """Queues a reset link for `email` on this host. The request itself never looks the
    address up (the task does: password_reset_recipient), so the answer and its timing are
    the same for an unknown address, a deactivated identity, a non-member and a member."""
    from shared_apps.accounts.tasks import password_reset_email, platform_password_reset_email

    public = is_public_schema()
    publish_after_commit(
        platform_password_reset_email if public else password_reset_email,
        email=normalize_email(email),
    )


def password_reset_recipient(*, email: str) -> User | None:
    """Who gets the reset link asked for `email` on the current host: an active identity
    that may use it (a member here, or staff on the platform host), else nobody."""
    user = user_by_email(email=email)
    if user is None or not user.is_active or not may_use_this_host(user):
        return None
    return user


def user_from_uid(uidb64: str) -> User | None:
    try:
        return User.objects.filter(pk=force_str(urlsafe_base64_decode(uidb64))).first()
    except (ValueError, TypeError, OverflowError, ValidationError):
        return None


@transaction.atomic
def password_set(*, uidb64: str, token: str, password: str) -> User:
    """Sets a password from an emailed link. The token dies with the change."""
    user = user_from_uid(uidb64)
    if user is None or not default_token_generator.check_token(user, token):
        raise ApplicationError(
            "This link is invalid or has expired. Ask for a new one.", code="invalid_token"
        )
    _validate_password(password=password, user=user)
    user.set_password(password)
    user.save(update_fields=["password", "token_version"])  # earlier tokens stop working
    return user
