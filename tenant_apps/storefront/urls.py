"""Storefront URLs on a marketplace host. Names start with "storefront-" (the page
middleware recognises storefront pages by it)."""

from django.urls import path

from tenant_apps.storefront.views import account, assets, checkout, guest, host, manage, trips

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

# Hosts' pages (tenant_apps/storefront/views/host.py).
host_urlpatterns = [
    path("host/", host.dashboard, name="storefront-host"),
    path("host/become/", host.become_host, name="storefront-host-become"),
    path("host/listings/new/", host.listing_new, name="storefront-host-listing-new"),
    path("host/listings/<uuid:property_id>/", host.listing_edit, name="storefront-host-listing"),
    path(
        "host/listings/<uuid:property_id>/publish/",
        host.listing_publish,
        name="storefront-host-listing-publish",
    ),
    path(
        "host/listings/<uuid:property_id>/photos/",
        host.photo_upload,
        name="storefront-host-photos",
    ),
    path(
        "host/listings/<uuid:property_id>/photos/<uuid:photo_id>/move/",
        host.photo_move,
        name="storefront-host-photo-move",
    ),
    path(
        "host/listings/<uuid:property_id>/photos/<uuid:photo_id>/delete/",
        host.photo_delete,
        name="storefront-host-photo-delete",
    ),
    path(
        "host/listings/<uuid:property_id>/calendar/",
        host.calendar,
        name="storefront-host-calendar",
    ),
    path(
        "host/listings/<uuid:property_id>/blocks/<uuid:block_id>/delete/",
        host.block_delete,
        name="storefront-host-block-delete",
    ),
    path("host/reservations/", host.reservations, name="storefront-host-reservations"),
    path(
        "host/reservations/<uuid:booking_id>/answer/",
        host.reservation_answer,
        name="storefront-host-answer",
    ),
    path("host/payouts/", host.payouts, name="storefront-host-payouts"),
]

# Marketplace admins' pages (views/manage.py); /admin/ is Django's admin.
manage_urlpatterns = [
    path("manage/", manage.branding, name="storefront-manage"),
    path("manage/branding/preview/", manage.branding_preview, name="storefront-manage-preview"),
    path(
        "manage/branding/preview.css",
        manage.branding_preview_css,
        name="storefront-manage-preview-css",
    ),
    path("manage/members/", manage.members, name="storefront-manage-members"),
    path(
        "manage/members/<uuid:user_id>/role/",
        manage.member_role,
        name="storefront-manage-member-role",
    ),
    path("manage/payments/", manage.payments, name="storefront-manage-payments"),
    path("manage/payments/check/", manage.payments_check, name="storefront-manage-payments-check"),
    path("manage/policies/", manage.policies, name="storefront-manage-policies"),
]

urlpatterns = [
    *asset_urlpatterns,
    *guest_urlpatterns,
    *account_urlpatterns,
    *checkout_urlpatterns,
    *trips_urlpatterns,
    *host_urlpatterns,
    *manage_urlpatterns,
]
