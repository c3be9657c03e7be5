"""Storefront URLs on a marketplace host. Names start with "storefront-" (the page
middleware recognises storefront pages by it)."""

from django.urls import path

from tenant_apps.storefront.views import account, assets, checkout, guest, trips

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
    path("signup/", account.signup_page, name="storefront-signup"),
    path("account/", account.profile_page, name="storefront-account"),
    path("account/password/", account.password_change_page, name="storefront-password-change"),
    path("password-reset/", account.password_reset_page, name="storefront-password-reset"),
    # The path password_link_for (shared_apps.accounts) puts in emailed links.
    path(
        "accounts/set-password/<str:uidb64>/<str:token>/",
        account.password_set_page,
        name="storefront-password-set",
    ),
]

checkout_urlpatterns = [
    path("checkout/<uuid:property_id>/", checkout.checkout, name="storefront-checkout"),
    path("trips/<uuid:booking_id>/pay/", checkout.pay, name="storefront-trip-pay"),
]

trips_urlpatterns = [
    path("trips/", trips.trip_list, name="storefront-trips"),
    path("trips/<uuid:booking_id>/", trips.trip_detail, name="storefront-trip"),
    path("trips/<uuid:booking_id>/cancel/", trips.trip_cancel, name="storefront-trip-cancel"),
    path("trips/<uuid:booking_id>/review/", trips.trip_review, name="storefront-trip-review"),
]

urlpatterns = [
    *asset_urlpatterns,
    *guest_urlpatterns,
    *account_urlpatterns,
    *checkout_urlpatterns,
    *trips_urlpatterns,
]
