"""The admin on a marketplace host, for that marketplace's admins only.

Django's own admin (platform host) is for platform staff. This one asks instead: is the user
an admin member of the marketplace this host serves? Every model registered here sees only
the current schema's rows, or, for public tables, rows scoped to the current marketplace."""

import hashlib

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpResponse
from django.urls import path, reverse

from shared_apps.core.colors import BLACK, WHITE, ensure_contrast, mix, readable_text_on
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
        # The marketplace's colours, login page included (platform/templates/admin/
        # base_site.html links it); the digest makes a rebrand a new URL.
        version = hashlib.sha256(tenant.primary_color.encode()).hexdigest()[:12]
        context["brand_stylesheet"] = f"{reverse(f'{self.name}:brand_css')}?v={version}"
        return context

    def get_urls(self):
        # Outside admin_view: the login page needs it before anyone has logged in.
        return [path("brand.css", self.brand_css, name="brand_css"), *super().get_urls()]

    def brand_css(self, request):
        response = HttpResponse(brand_css(current_tenant().primary_color), content_type="text/css")
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def brand_css(primary: str) -> str:
    """Django admin's colour variables from the marketplace's primary colour, each pair kept
    readable (text on the header, links on the page)."""
    deep = mix(primary, BLACK, 0.3)
    on_primary, on_deep = readable_text_on(primary), readable_text_on(deep)
    link = ensure_contrast(primary, WHITE)
    variables = {
        "--primary": primary,
        "--secondary": deep,
        "--accent": primary,
        "--primary-fg": on_primary,
        "--header-bg": deep,
        "--header-color": on_deep,
        "--header-branding-color": on_deep,
        "--header-link-color": on_deep,
        "--breadcrumbs-bg": primary,
        "--breadcrumbs-fg": on_primary,
        "--breadcrumbs-link-fg": on_primary,
        "--link-fg": link,
        "--link-hover-color": mix(link, BLACK, 0.25),
        "--link-selected-fg": link,
        "--button-bg": link,
        "--button-fg": readable_text_on(link),
        "--button-hover-bg": mix(link, BLACK, 0.25),
        "--default-button-bg": deep,
        "--default-button-hover-bg": mix(deep, BLACK, 0.25),
        "--selected-row": mix(primary, WHITE, 0.85),
    }
    body = "".join(f"  {name}: {value};\n" for name, value in variables.items())
    # Also over the dark theme's variables, which Django sets on html[data-theme="dark"].
    return f":root, html[data-theme] {{\n{body}}}\n"


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
