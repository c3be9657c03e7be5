"""Checkout: the price of a stay, signing in or up inline, booking it, and paying through the
marketplace's provider (Stripe's Payment Element, Paystack's page, or offline instructions).

Every rule stays in the services the REST API calls: `stay_quote`, `booking_create`,
`payment_start`. A provider's return lands on the trip page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from shared_apps.core.errors import ApplicationError
from tenant_apps.bookings.services import booking_create, stay_quote
from tenant_apps.listings.selectors import property_for_viewer
from tenant_apps.payments.constants import Provider
from tenant_apps.payments.services import payment_start
from tenant_apps.storefront.forms import (
    BookForm,
    MarketplaceLoginForm,
    SignupForm,
    StayForm,
    posted,
    show_error,
)
from tenant_apps.storefront.security import allows_stripe
from tenant_apps.storefront.throttles import throttled


def _viewer(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


@require_http_methods(["GET", "POST"])
@throttled("booking")
def checkout(request: HttpRequest, property_id) -> HttpResponse:
    prop = property_for_viewer(property_id=property_id, user=_viewer(request))
    if prop is None:
        raise Http404("No listing with this id here.")
    stay_form = StayForm(request.GET)
    book_form = BookForm(posted(request))
    context = {"property": prop, "stay_form": stay_form, "book_form": book_form}
    if not stay_form.is_valid():
        return render(request, "storefront/checkout/checkout.html", context, status=400)
    stay = stay_form.cleaned_data
    context["quote"] = stay_quote(property=prop, guest=_viewer(request), **stay)
    if not request.user.is_authenticated:
        here = request.get_full_path()
        # Two forms on one page: ids of their own, so each label names its own field.
        context["login_form"] = MarketplaceLoginForm(request, auto_id="login_%s")
        context["signup_form"] = SignupForm(auto_id="signup_%s")
        context["next"] = here
        context["login_url"] = f"{reverse('storefront-login')}?{urlencode({'next': here})}"
        context["signup_url"] = f"{reverse('storefront-signup')}?{urlencode({'next': here})}"
    elif request.method == "POST" and book_form.is_valid():
        try:
            booking = booking_create(
                property_id=prop.pk, guest=request.user,
                message=book_form.cleaned_data["message"], **stay,
            )  # fmt: skip
        except ApplicationError as error:
            show_error(book_form, error)
        else:
            return _pay_or_show(request, booking)
    status = 400 if request.method == "POST" else 200
    return render(request, "storefront/checkout/checkout.html", context, status=status)


def _pay_or_show(request: HttpRequest, booking) -> HttpResponse:
    """Straight on to paying when the booking can be paid now (payment_start decides: an
    instant booking, or a request a card provider authorizes); otherwise the trip page says
    what happens next."""
    return _start_payment(request, booking.pk, quiet_when_not_payable=True)


@require_http_methods(["POST"])
def pay(request: HttpRequest, booking_id) -> HttpResponse:
    """Starts (or resumes: payment_start returns the open payment) paying for a booking."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('storefront-login')}?{urlencode({'next': request.path})}")
    return _start_payment(request, booking_id)


@allows_stripe
def _stripe_page(request: HttpRequest, started, trip_url: str) -> HttpResponse:
    """The page that pays with Stripe.js: the only one whose policy allows Stripe's hosts."""
    return render(
        request,
        "storefront/checkout/stripe.html",
        {"started": started, "booking": started.payment.booking, "return_url": trip_url},
    )


def _start_payment(request: HttpRequest, booking_id, quiet_when_not_payable=False):
    try:
        started = payment_start(booking_id=booking_id, guest=request.user)
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404(error.message) from error
        if not (quiet_when_not_payable and error.code == "not_awaiting_payment"):
            messages.error(request, error.message)
        return redirect("storefront-trip", booking_id=booking_id)
    if started.provider == Provider.STRIPE:
        trip_url = request.build_absolute_uri(reverse("storefront-trip", args=[booking_id]))
        return _stripe_page(request, started, trip_url)
    if started.redirect_url:
        # Paystack's payment page, which sends the guest back to the trip. Reached from a
        # page of ours, not by redirecting this POST: the pages' `form-action 'self'` also
        # covers where a form's redirects lead, so browsers would block the hop.
        return render(
            request,
            "storefront/checkout/redirect.html",
            {"booking": started.payment.booking, "redirect_url": started.redirect_url},
        )
    return redirect("storefront-trip", booking_id=booking_id)
