"""Storefront URLs on a marketplace host. Names start with "storefront-" (the page
middleware recognises storefront pages by it)."""

from django.urls import path

from tenant_apps.storefront.views import account, assets, guest

asset_urlpatterns = [
    path("theme.css", assets.theme_css, name="storefront-theme"),
    path("favicon.svg", assets.favicon_svg, name="storefront-favicon"),
    path("favicon.ico", assets.favicon_ico, name="storefront-favicon-ico"),
]

guest_urlpatterns = [
    path("", guest.home, name="storefront-home"),
]

account_urlpatterns = [
    path("login/", account.login_page, name="storefront-login"),
    path("logout/", account.logout_page, name="storefront-logout"),
]

urlpatterns = [*asset_urlpatterns, *guest_urlpatterns, *account_urlpatterns]
