"""Guest pages: home, search results, listing (with its calendar and quote box)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from shared_apps.core.tenancy import current_tenant, marketplace_today
from tenant_apps.bookings.api.serializers import QuoteQuery
from tenant_apps.bookings.services import stay_quote
from tenant_apps.listings.constants import CancellationPolicy, PropertyType
from tenant_apps.reviews.selectors import review_breakdown, reviews_of_property
from tenant_apps.storefront import pages
from tenant_apps.storefront.context_processors import site_url
from tenant_apps.storefront.selectors import storefront_profile
from tenant_apps.storefront.seo import listing_jsonld
from tenant_apps.storefront.templatetags.storefront import medium_src
from tenant_apps.storefront.theme import theme_version

LISTING_REVIEWS_SHOWN = 6

# The cancellation rules of bookings.services.refund_for, in words for guests.
CANCELLATION_IN_WORDS = {
    CancellationPolicy.FLEXIBLE: _(
        "Flexible: cancel up to 24 hours before check-in for a full refund; after that, no refund."
    ),
    CancellationPolicy.MODERATE: _(
        "Moderate: cancel up to 5 days before check-in for a full refund; after that, half "
        "of the total is refunded."
    ),
    CancellationPolicy.STRICT: _(
        "Strict: cancel up to 7 days before check-in for a refund of half the total; after "
        "that, no refund."
    ),
}


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    tenant = current_tenant()
    profile = storefront_profile()

    def context() -> dict:
        sections = pages.home_sections()
        hero = next(iter(sections["featured"] or sections["newest"]), None)
        return {
            "marketplace": tenant,
            "profile": profile,
            "featured": sections["featured"],
            "newest": sections["newest"],
            "hero_photo": hero["photos"][0] if hero and hero["photos"] else None,
        }

    # Branding and the profile are no listings data: their versions are part of the key.
    key = {"theme": theme_version(tenant), "profile": str(profile.updated)}
    main_html = pages.fragment("home", key, "storefront/partials/home_main.html", context)
    return render(request, "storefront/home.html", {"profile": profile, "main_html": main_html})


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    page = pages.search_page(request)

    def context() -> dict:
        return {
            "page": page,
            "values": page.params,
            "selected_amenities": sorted(set(page.params.get("amenities", "").split(",")) - {""}),
            "amenities": pages.amenities(),
            "property_types": PropertyType.choices,
            "orderings": [
                ("newest", _("Newest")),
                ("price", _("Price: low to high")),
                ("-price", _("Price: high to low")),
                ("rating", _("Best rated")),
            ],
            "next_url": _with_cursor(request, page.next_cursor),
            "previous_url": _with_cursor(request, page.previous_cursor),
        }

    if request.htmx:
        return render(request, "storefront/partials/results.html", context())
    if page.errors:
        main_html = render_to_string("storefront/partials/search_main.html", context())
    else:
        main_html = pages.fragment(
            "search", page.key, "storefront/partials/search_main.html", context
        )
    status = 400 if page.errors else 200
    return render(
        request,
        "storefront/search.html",
        {"values": page.params, "main_html": main_html},
        status=status,
    )


def _with_cursor(request: HttpRequest, cursor: str | None) -> str | None:
    """This search's URL on another page: the query stays in the URL, so it can be shared."""
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return f"{reverse('storefront-search')}?{query.urlencode()}"


@require_safe
def listing(request: HttpRequest, property_id) -> HttpResponse:
    body = pages.listing_detail(property_id=property_id, user=request.user)
    if body is None:
        raise Http404(_("No listing with this id here."))
    names = {a["code"]: a["name"] for a in pages.amenities()}

    def reviews_context() -> dict:
        reviews = reviews_of_property(property_id=property_id)[:LISTING_REVIEWS_SHOWN]
        return {
            "listing": body,
            "reviews": list(reviews),
            "breakdown": review_breakdown(property_id=property_id),
        }

    context = {
        "listing": body,
        "property_type": PropertyType(body["property_type"]).label,
        "amenity_names": [names.get(code, code) for code in body["amenities"]],
        "cancellation": CANCELLATION_IN_WORDS[CancellationPolicy(body["cancellation_policy"])],
        # Reviews change only with a review write, which renews the listings version.
        "reviews_html": pages.fragment(
            "reviews", {"id": body["id"]}, "storefront/partials/reviews.html", reviews_context
        ),
        "calendar": _calendar(request, property_id),
        "quote": _quote(request, body),
    }
    site = site_url(current_tenant())
    context["jsonld"] = listing_jsonld(
        listing=body,
        url=site + reverse("storefront-listing", args=[body["id"]]),
        image_urls=[_absolute(site, medium_src(photo)) for photo in body["photos"][:5]],
    )
    return render(request, "storefront/listing.html", context)


def _absolute(site: str, url: str) -> str:
    return url if url.startswith(("http://", "https://")) else site + url


@require_safe
def listing_calendar(request: HttpRequest, property_id) -> HttpResponse:
    """The calendar alone: htmx swaps months with it (the links work without JS too, as
    links to the listing page with ?month=)."""
    body = pages.listing_detail(property_id=property_id, user=request.user)
    if body is None:
        raise Http404(_("No listing with this id here."))
    context = {"listing": body, "calendar": _calendar(request, property_id)}
    return render(request, "storefront/partials/calendar.html", context)


@require_safe
def listing_quote(request: HttpRequest, property_id) -> HttpResponse:
    """The quote box alone, for htmx; the same form posts to the listing page without JS."""
    body = pages.listing_detail(property_id=property_id, user=request.user)
    if body is None:
        raise Http404(_("No listing with this id here."))
    return render(
        request, "storefront/partials/quote.html", {"listing": body, "quote": _quote(request, body)}
    )


def _calendar(request: HttpRequest, property_id):
    month = pages.parse_month(request.GET.get("month"), default=marketplace_today())
    calendar = pages.listing_calendar(property_id=property_id, user=request.user, month=month)
    if calendar is None:
        raise Http404(_("No listing with this id here."))
    calendar.today = marketplace_today()
    return calendar


def _quote(request: HttpRequest, listing: dict) -> dict:
    """The quote box: the dates asked for, and what the bookings service says about them
    (the same stay_quote the API's quote endpoint answers with)."""
    values = {k: request.GET.get(k, "") for k in ("check_in", "check_out", "guests")}
    if not (values["check_in"] or values["check_out"]):
        return {"values": values, "asked": False}
    serializer = QuoteQuery(data={k: v for k, v in values.items() if v})
    if not serializer.is_valid():
        errors = {f: [str(m) for m in msgs] for f, msgs in serializer.errors.items()}
        return {"values": values, "asked": True, "errors": errors}
    stay = serializer.validated_data
    prop = pages.listing_for_viewer(property_id=listing["id"], user=request.user)
    if prop is None:
        raise Http404(_("No listing with this id here."))
    guest = request.user if request.user.is_authenticated else None
    result = stay_quote(property=prop, guest=guest, **stay)
    return {
        "values": values,
        "asked": True,
        "result": result,
        "checkout_url": _checkout_url(listing["id"], stay) if result["bookable"] else None,
    }


def _checkout_url(property_id, stay: dict) -> str | None:
    try:
        path = reverse("storefront-checkout", args=[property_id])
    except NoReverseMatch:  # the checkout pages are not installed
        return None
    query = {
        "check_in": stay["check_in"].isoformat(),
        "check_out": stay["check_out"].isoformat(),
        "guests": stay["guests"],
    }
    return f"{path}?{urlencode(query)}"
