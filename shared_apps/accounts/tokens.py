"""JWTs bound to the marketplace that issued them.

Every token carries a `tenant` claim (the schema name); authentication refuses a token on any
other host, so one marketplace's operator cannot replay its users' tokens elsewhere."""

from __future__ import annotations

from rest_framework_simplejwt.tokens import RefreshToken

from shared_apps.accounts.models import User
from shared_apps.core.tenancy import current_schema_name

TENANT_CLAIM = "tenant"


def tokens_for_user(*, user: User) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    refresh[TENANT_CLAIM] = current_schema_name()
    # The access token copies the refresh token's claims, the tenant included.
    return {"access": str(refresh.access_token), "refresh": str(refresh)}
