"""Trips: the guest's bookings, and one trip's page (timeline, payment, cancel with the
refund previewed, review). Only the booking's guest or host sees a trip; to anyone else it
doesn't exist (the branded 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shared_apps.core.errors import ApplicationError
from shared_apps.core.tenancy import marketplace_today
from tenant_apps.bookings.constants import TRANSITIONS, BookingStatus
from tenant_apps.bookings.selectors import booking_for_party, booking_timeline, bookings_of_guest
from tenant_apps.bookings.services import booking_cancel, refund_for
from tenant_apps.payments.constants import Provider
from tenant_apps.payments.selectors import collected, payment_settings, payments_of_booking
from tenant_apps.reviews.selectors import review_of_booking
from tenant_apps.reviews.services import review_create
from tenant_apps.storefront.forms import ReviewForm, show_error

ENDED_WITHOUT_A_STAY = (BookingStatus.CANCELLED, BookingStatus.DECLINED, BookingStatus.EXPIRED)


@login_required
def trip_list(request: HttpRequest) -> HttpResponse:
    today = marketplace_today()
    groups = {"upcoming": [], "past": [], "cancelled": []}
    for booking in bookings_of_guest(guest=request.user).order_by("check_in"):
        if booking.status in ENDED_WITHOUT_A_STAY:
            groups["cancelled"].append(booking)
        elif booking.status == BookingStatus.COMPLETED or booking.check_out < today:
            groups["past"].append(booking)
        else:
            groups["upcoming"].append(booking)
    groups["past"].reverse()  # most recent first
    return render(request, "storefront/trips/list.html", groups)


def _trip(request: HttpRequest, booking_id):
    booking = booking_for_party(booking_id=booking_id, user=request.user)
    if booking is None:
        raise Http404(_("No trip of yours has this id."))
    return booking


def _is_host(request: HttpRequest, booking) -> bool:
    return booking.property.host_id == request.user.pk


def _cancellable(booking) -> bool:
    return BookingStatus.CANCELLED in TRANSITIONS.get(booking.status, set())


def _return_message(request: HttpRequest) -> str:
    """What a provider's return says: Stripe adds redirect_status, Paystack reference. The
    provider's webhook confirms the payment; until then the guest knows it's on its way."""
    status = request.GET.get("redirect_status")
    if status == "failed":
        return _("Your payment didn't go through. You can try again.")
    if status in ("succeeded", "processing") or request.GET.get("reference"):
        return _("Thank you! We're confirming your payment; this page updates once we have.")
    return ""


def _trip_page(request: HttpRequest, booking, review_form=None, status=200) -> HttpResponse:
    settings = payment_settings()
    is_guest = booking.guest_id == request.user.pk
    review = review_of_booking(booking=booking)
    context = {
        "booking": booking,
        "is_guest": is_guest,
        "timeline": booking_timeline(booking=booking),
        "payments": payments_of_booking(booking=booking),
        "cancellable": _cancellable(booking),
        "awaiting_payment": booking.status == BookingStatus.PENDING_PAYMENT,
        "offline": settings.provider == Provider.OFFLINE,
        "offline_instructions": settings.offline_instructions,
        "return_message": _return_message(request),
        "return_failed": request.GET.get("redirect_status") == "failed",
        "review": review,
    }
    if review_form is not None:  # a review just refused: the form again, saying why
        context["review_form"] = review_form
    elif is_guest and booking.status == BookingStatus.COMPLETED and review is None:
        context["review_form"] = ReviewForm()
    return render(request, "storefront/trips/detail.html", context, status=status)


@login_required
def trip_detail(request: HttpRequest, booking_id) -> HttpResponse:
    return _trip_page(request, _trip(request, booking_id))


@login_required
@require_http_methods(["GET", "POST"])
def trip_cancel(request: HttpRequest, booking_id) -> HttpResponse:
    """GET previews the refund (the rule booking_cancel applies); POST cancels."""
    booking = _trip(request, booking_id)
    if request.method == "POST":
        try:
            cancelled = booking_cancel(booking=booking, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("storefront-trip", booking_id=booking.pk)
        messages.success(request, _("Your trip is cancelled."))
        return redirect("storefront-trip", booking_id=cancelled.pk)
    if not _cancellable(booking):
        messages.error(request, _("This trip can no longer be cancelled."))
        return redirect("storefront-trip", booking_id=booking.pk)
    # What goes back is the policy's share, of what was actually charged (as the refund
    # planning does); an authorization not yet captured is simply released.
    paid = collected(booking=booking)
    refund = min(refund_for(booking, by_host=_is_host(request, booking)), paid)
    context = {"booking": booking, "refund": refund, "paid": paid}
    return render(request, "storefront/trips/cancel.html", context)


@login_required
@require_POST
def trip_review(request: HttpRequest, booking_id) -> HttpResponse:
    booking = _trip(request, booking_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_create(booking=booking, author=request.user, **form.cleaned_data)
        except ApplicationError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Thank you for your review."))
            return redirect("storefront-trip", booking_id=booking.pk)
    return _trip_page(request, booking, review_form=form, status=400)
