"""URL pieces both URLconfs share: the OpenAPI document and docs, and JSON error handlers."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from shared_apps.core.views import api_not_found


class SwaggerUIView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's files on this host (no CDN), its init script
    served as a file of its own (`?script`) and its page style as a stylesheet: the page
    fits the project's Content-Security-Policy without inline script or style."""

    template_name = "core/swagger_ui.html"


def api_docs_urlpatterns(*, urlconf: str, title: str) -> list:
    """`/api/schema/` and `/api/docs/` for one URLconf. The generator is pointed at it
    explicitly: it would otherwise read ROOT_URLCONF, not the host's URLconf."""
    return [
        path(
            "api/schema/",
            SpectacularAPIView.as_view(urlconf=urlconf, custom_settings={"TITLE": title}),
            name="schema",
        ),
        path("api/docs/", SwaggerUIView.as_view(url_name="schema"), name="docs"),
    ]


def api_not_found_urlpatterns() -> list:
    """Last under /api/: any address there that matched nothing (a non-UUID id, a typo) is
    the API's JSON 404, also with DEBUG on, where Django would show its HTML debug page."""
    return [re_path(r"^api/", api_not_found, name="api-not-found")]


handler400 = "shared_apps.core.views.json_bad_request"
handler403 = "shared_apps.core.views.json_forbidden"
handler404 = "shared_apps.core.views.json_not_found"
handler500 = "shared_apps.core.views.json_server_error"
