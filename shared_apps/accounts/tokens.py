"""JWTs bound to the marketplace that issued them and to the identity's token version.

Every token carries the issuing marketplace's schema name and id (`tenant`, `tenant_id`):
authentication refuses it on any other host, and on a marketplace deleted and provisioned
again under the same slug (a new id). It also carries the identity's `token_version`, so a
password change, reset or deactivation revokes every token issued before."""

from __future__ import annotations

from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken, Token

from shared_apps.accounts.models import User
from shared_apps.core.tenancy import current_schema_name

TENANT_CLAIM = "tenant"
TENANT_ID_CLAIM = "tenant_id"
VERSION_CLAIM = "ver"


def _current_tenant_id() -> str:
    return str(getattr(connection.tenant, "pk", "") or "")


def tokens_for_user(*, user: User) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    refresh[TENANT_CLAIM] = current_schema_name()
    refresh[TENANT_ID_CLAIM] = _current_tenant_id()
    refresh[VERSION_CLAIM] = user.token_version
    # The access token copies the refresh token's claims, the tenant included.
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def issued_here(token: Token) -> bool:
    """Issued by the marketplace serving this request (the same one, not a namesake)."""
    return (
        token.get(TENANT_CLAIM) == current_schema_name()
        and token.get(TENANT_ID_CLAIM) == _current_tenant_id()
    )


def current_for(token: Token, user: User) -> bool:
    """Not revoked by a later password change or deactivation of `user`."""
    return token.get(VERSION_CLAIM) == user.token_version
