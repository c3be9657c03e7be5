"""Signing in and out with a session cookie of this marketplace's host only (host-only
cookies, and sessions stored per marketplace schema): a login on one marketplace is never a
login on another, though the same email and password work on each."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from tenant_apps.storefront.forms import MarketplaceLoginForm

login_page = auth_views.LoginView.as_view(
    template_name="storefront/account/login.html",
    authentication_form=MarketplaceLoginForm,
    redirect_authenticated_user=True,
)

# POST only (Django's LogoutView), so a link or prefetch can't sign anyone out.
logout_page = auth_views.LogoutView.as_view()
