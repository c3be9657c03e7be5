"""Storefront URLs on a marketplace host. Names start with "storefront-" (the page
middleware recognises storefront pages by it)."""

from django.urls import path

from tenant_apps.storefront.views import account, assets, checkout, guest

asset_urlpatterns = [
    path("theme.css", assets.theme_css, name="storefront-theme"),
    path("favicon.svg", assets.favicon_svg, name="storefront-favicon"),
    path("favicon.ico", assets.favicon_ico, name="storefront-favicon-ico"),
    path("robots.txt", assets.robots_txt, name="storefront-robots"),
    path("sitemap.xml", assets.sitemap_xml, name="storefront-sitemap"),
]

guest_urlpatterns = [
    path("", guest.home, name="storefront-home"),
    path("search/", guest.search, name="storefront-search"),
    path("stays/<uuid:property_id>/", guest.listing, name="storefront-listing"),
    path(
        "stays/<uuid:property_id>/calendar/",
        guest.listing_calendar,
        name="storefront-listing-calendar",
    ),
    path("stays/<uuid:property_id>/quote/", guest.listing_quote, name="storefront-listing-quote"),
]

account_urlpatterns = [
    path("login/", account.login_page, name="storefront-login"),
    path("logout/", account.logout_page, name="storefront-logout"),
]

# Placeholder until the checkout pages land (they keep this URL and name).
checkout_urlpatterns = [
    path("checkout/<uuid:property_id>/", checkout.checkout, name="storefront-checkout"),
]

urlpatterns = [
    *asset_urlpatterns,
    *guest_urlpatterns,
    *account_urlpatterns,
    *checkout_urlpatterns,
]
