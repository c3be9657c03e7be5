"""Bearer tokens: simplejwt's, with flat, stable error codes (the same in REST and GraphQL)
and the checks that bind a token to its marketplace and its identity's token version."""

from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.tokens import AccessToken

from shared_apps.accounts.tokens import current_for, issued_here

WRONG_TENANT = "This token was issued by another marketplace. Log in on this one."
EXPIRED = "This token has expired. Refresh it or log in again."
INVALID = "This token is not valid. Log in again."
REVOKED = "This token was revoked (password changed or account disabled). Log in again."
REUSED = (
    "This refresh token was already used, so it may have leaked: every token of this account "
    "is revoked. Log in again."
)


class TenantJWTAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token):
        try:
            token = AccessToken(raw_token)
        except ExpiredTokenError as exc:
            raise AuthenticationFailed(EXPIRED, code="token_expired") from exc
        except TokenError as exc:
            raise AuthenticationFailed(INVALID, code="token_invalid") from exc
        if not issued_here(token):
            raise AuthenticationFailed(WRONG_TENANT, code="token_wrong_tenant")
        return token

    def get_user(self, validated_token):
        try:
            user = super().get_user(validated_token)
        except AuthenticationFailed as exc:  # no such user, or deactivated
            raise AuthenticationFailed(REVOKED, code="token_revoked") from exc
        if not current_for(validated_token, user):
            raise AuthenticationFailed(REVOKED, code="token_revoked")
        return user
