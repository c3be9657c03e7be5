"""Teaches drf-spectacular that our bearer tokens are simplejwt's (plus a tenant claim)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class TenantJWTScheme(SimpleJWTScheme):
    target_class = "shared_apps.accounts.authentication.TenantJWTAuthentication"
    name = "tenantJWT"

    def get_security_definition(self, auto_schema):
        definition = super().get_security_definition(auto_schema)
        definition["description"] = (
            "A token from POST /api/v1/auth/token on this same host; tokens of another "
            "marketplace are refused."
        )
        return definition
