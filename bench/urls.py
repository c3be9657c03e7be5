"""The marketplace URLconf plus a bare Django view: the baseline of the search benchmark,
served by the same server, middleware and tenant resolution."""

from django.http import JsonResponse
from django.urls import path

from config.urls_tenant import urlpatterns as tenant_urlpatterns


def bare(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare", bare), *tenant_urlpatterns]
