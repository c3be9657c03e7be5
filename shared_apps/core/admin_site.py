"""The admin on a marketplace host, for that marketplace's admins only.

Django's own admin (platform host) is for platform staff. This one asks instead: is the user
an admin member of the marketplace this host serves? Every model registered here sees only
the current schema's rows, or, for public tables, rows scoped to the current marketplace."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from shared_apps.core.tenancy import current_tenant


def is_marketplace_admin(user) -> bool:
    from shared_apps.accounts.selectors import membership_for

    if not (user and user.is_active and user.is_authenticated):
        return False
    membership = membership_for(user=user, tenant=current_tenant())
    return membership is not None and membership.is_admin


class MarketplaceAdminLoginForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user):
        if not is_marketplace_admin(user):
            raise ValidationError(
                "Only administrators of this marketplace can log in here.", code="invalid_login"
            )


class MarketplaceAdminSite(admin.AdminSite):
    login_form = MarketplaceAdminLoginForm
    site_url = "/"

    def has_permission(self, request) -> bool:
        return is_marketplace_admin(request.user)

    def each_context(self, request):
        context = super().each_context(request)
        tenant = current_tenant()
        context["site_header"] = f"{tenant.brand_name} admin"
        context["site_title"] = tenant.brand_name
        return context


class MarketplaceModelAdmin(admin.ModelAdmin):
    """Permissions follow the marketplace role, not Django's per-model permissions."""

    def has_module_permission(self, request) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.admin_site.has_permission(request)


marketplace_admin_site = MarketplaceAdminSite(name="marketplace_admin")
