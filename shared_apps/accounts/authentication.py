from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication

from shared_apps.accounts.tokens import TENANT_CLAIM
from shared_apps.core.tenancy import current_schema_name

WRONG_TENANT = "This token was issued by another marketplace. Log in on this one."


class TenantJWTAuthentication(JWTAuthentication):
    """simplejwt's bearer authentication, plus the check that the token was issued here."""

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        if token.get(TENANT_CLAIM) != current_schema_name():
            raise AuthenticationFailed(WRONG_TENANT, code="token_wrong_tenant")
        return token
