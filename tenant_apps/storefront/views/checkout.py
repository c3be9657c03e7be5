"""PLACEHOLDER for the checkout page, which the checkout work (i13-checkout) replaces: it
exists so the listing page's Book button has its URL (`storefront-checkout`) to point at."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def checkout(request: HttpRequest, property_id) -> HttpResponse:
    return render(request, "storefront/checkout_placeholder.html", {"property_id": property_id})
