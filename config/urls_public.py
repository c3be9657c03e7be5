"""The platform host: the operator's API, its docs and Django's admin for staff."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from shared_apps.accounts.api.urls import auth_urlpatterns

api_v1 = [
    *auth_urlpatterns,
    path("platform/", include("shared_apps.tenants.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(
            urlconf="config.urls_public",
            custom_settings={"TITLE": "Rental platform: operator API"},
        ),
        name="schema",
    ),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
]

handler400 = "shared_apps.core.views.json_bad_request"
handler403 = "shared_apps.core.views.json_forbidden"
handler404 = "shared_apps.core.views.json_not_found"
handler500 = "shared_apps.core.views.json_server_error"
