"""Who may call what. Users are shared across marketplaces, so being logged in says nothing
about this marketplace: every marketplace endpoint checks the membership of the current one."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from shared_apps.core.tenancy import is_public_schema


def request_membership(request):
    """The caller's membership of the current marketplace, looked up once per request."""
    from shared_apps.accounts.selectors import membership_for

    if not hasattr(request, "_membership"):
        user = request.user
        request._membership = (
            membership_for(user=user, tenant=request.tenant)
            if user and user.is_authenticated and not is_public_schema()
            else None
        )
    return request._membership


class IsMarketplaceMember(BasePermission):
    message = "You are not a member of this marketplace."

    def has_permission(self, request, view) -> bool:
        return request_membership(request) is not None


class _HasRole(IsMarketplaceMember):
    roles: tuple[str, ...] = ()

    def has_permission(self, request, view) -> bool:
        membership = request_membership(request)
        return membership is not None and membership.role in self.roles


class IsMarketplaceHost(_HasRole):
    message = "Only hosts of this marketplace may do this."
    roles = ("host", "admin")


class IsMarketplaceAdmin(_HasRole):
    message = "Only administrators of this marketplace may do this."
    roles = ("admin",)


class IsPlatformStaff(BasePermission):
    message = "Only platform operators (staff) may use the operator API."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(is_public_schema() and user and user.is_authenticated and user.is_staff)
