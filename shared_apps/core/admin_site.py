"""The admin on a marketplace host, for that marketplace's admins only.

Django's own admin (platform host) is for platform staff. This one asks instead: is the user
an admin member of the marketplace this host serves? Every model registered here sees only
the current schema's rows, or, for public tables, rows scoped to the current marketplace."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

from shared_apps.core.credentials import PolicyLoginFormMixin, guarded_login_view
from shared_apps.core.tenancy import current_tenant


def is_marketplace_admin(user) -> bool:
    from shared_apps.accounts.selectors import membership_for

    if not (user and user.is_active and user.is_authenticated):
        return False
    membership = membership_for(user=user, tenant=current_tenant())
    return membership is not None and membership.is_admin


class MarketplaceAdminLoginForm(PolicyLoginFormMixin, AdminAuthenticationForm):
    """The credential policy (shared_apps.core.credentials): a member who is not this
    marketplace's admin gets the wrong-password answer, never "not allowed here"."""

    def may_use(self, user) -> bool:
        return is_marketplace_admin(user)


class PlatformAdminLoginForm(PolicyLoginFormMixin, AdminAuthenticationForm):
    """The same for Django's own admin on the platform host: staff only, and a non-staff
    identity with the right password gets the wrong-password answer."""

    def may_use(self, user) -> bool:
        return user.is_active and user.is_staff


def platform_admin_login(request):
    """Django's admin login on the platform host, under the credential policy (the
    platform URLconf routes /admin/login/ here, ahead of admin.site's own, and sets
    admin.site.login_form to PlatformAdminLoginForm)."""
    return guarded_login_view(admin.site.login)(request)


class MarketplaceAdminSite(admin.AdminSite):
    login_form = MarketplaceAdminLoginForm
    site_url = "/"

    def login(self, request, extra_context=None):
        return guarded_login_view(super().login)(request, extra_context)

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
