"""A marketplace host (<slug>.<platform domain> or a custom domain)."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

from shared_apps.accounts.api.urls import marketplace_urlpatterns
from shared_apps.core.admin_site import marketplace_admin_site
from shared_apps.core.graphql.view import GraphQLView
from shared_apps.core.urls import api_docs_urlpatterns, api_not_found_urlpatterns
from shared_apps.tenants.api.marketplace_views import BrandingView
from tenant_apps.listings.graphql.cache import PublicListingAnswers

api_v1 = [
    *marketplace_urlpatterns,
    path("branding", BrandingView.as_view(), name="branding"),
    path("", include("tenant_apps.listings.api.urls")),
    path("", include("tenant_apps.bookings.api.urls")),
    path("", include("tenant_apps.payments.api.urls")),
    path("", include("tenant_apps.reviews.api.urls")),
]

# Branded HTML error pages for browsers; API paths keep the JSON ones.
handler400 = "tenant_apps.storefront.views.errors.bad_request"
handler403 = "tenant_apps.storefront.views.errors.forbidden"
handler404 = "tenant_apps.storefront.views.errors.not_found"
handler500 = "tenant_apps.storefront.views.errors.server_error"

urlpatterns = [
    path("api/v1/", include(api_v1)),
    *api_docs_urlpatterns(urlconf=__name__, title="Rental platform: marketplace API"),
    *api_not_found_urlpatterns(),
    path("graphql/", GraphQLView.as_view(response_cache=PublicListingAnswers()), name="graphql"),
    path("admin/", marketplace_admin_site.urls),
    # The storefront serves the emailed password links' path too (storefront-password-set),
    # so a marketplace's guests choose their password under its brand.
    path("", include("tenant_apps.storefront.urls")),
]

# Uploaded photos in development; production serves MEDIA_URL from its storage (S3 or a CDN).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
