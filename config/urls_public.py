"""The platform host: the operator's API, its docs and Django's admin for staff."""

from django.contrib import admin
from django.urls import include, path

from shared_apps.accounts.api.urls import auth_urlpatterns
from shared_apps.accounts.urls import page_urlpatterns
from shared_apps.core.admin_site import PlatformAdminLoginForm, platform_admin_login
from shared_apps.core.urls import (  # noqa: F401  (Django reads the handlers from here)
    api_docs_urlpatterns,
    api_not_found_urlpatterns,
    handler400,
    handler403,
    handler404,
    handler500,
)
from shared_apps.core.views import platform_index

# Django's admin for staff, under the credential policy every other login follows.
admin.site.login_form = PlatformAdminLoginForm

api_v1 = [
    *auth_urlpatterns,
    path("platform/", include("shared_apps.tenants.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    *api_docs_urlpatterns(urlconf=__name__, title="Rental platform: operator API"),
    # Ahead of admin.site's own login: the same credential policy as every other login.
    path("admin/login/", platform_admin_login, name="platform-admin-login"),
    *api_not_found_urlpatterns(),
    path("admin/", admin.site.urls),
    *page_urlpatterns,
    path("", platform_index, name="platform-index"),
]
