"""A marketplace host (<slug>.<platform domain> or a custom domain)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from shared_apps.accounts.api.urls import marketplace_urlpatterns
from shared_apps.accounts.views import set_password_page
from shared_apps.core.admin_site import marketplace_admin_site
from shared_apps.tenants.api.marketplace_views import BrandingView

api_v1 = [
    *marketplace_urlpatterns,
    path("branding", BrandingView.as_view(), name="branding"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(
            urlconf="config.urls_tenant",
            custom_settings={"TITLE": "Rental platform: marketplace API"},
        ),
        name="schema",
    ),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/", marketplace_admin_site.urls),
    path(
        "accounts/set-password/<str:uidb64>/<str:token>/",
        set_password_page,
        name="set-password",
    ),
    path("", include("tenant_apps.storefront.urls")),
]

handler400 = "shared_apps.core.views.json_bad_request"
handler403 = "shared_apps.core.views.json_forbidden"
handler404 = "shared_apps.core.views.json_not_found"
handler500 = "shared_apps.core.views.json_server_error"
