"""Hosts' pages under /host/: listings (drafts too), the listing form, photos, publishing,
the calendar, requests and stays, payouts. Each view parses with a form, calls the same
service or selector as the REST API, and renders; refusals show next to their fields."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shared_apps.accounts.services import membership_become_host
from shared_apps.core.errors import ApplicationError
from shared_apps.core.tenancy import marketplace_today
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.selectors import booking_for_party
from tenant_apps.listings import services as listings
from tenant_apps.listings.constants import MAX_PHOTO_BYTES
from tenant_apps.listings.selectors import properties_of_host
from tenant_apps.storefront import selectors
from tenant_apps.storefront.access import host_page, member_page, not_found
from tenant_apps.storefront.form_errors import save_form, show_service_errors
from tenant_apps.storefront.forms_host import BlockForm, ListingForm, MonthForm, PhotoUploadForm

# Photo errors name the field "image"; the page's upload field is "photos".
PHOTO_ALIASES = {"image": "photos"}


# --- becoming a host ------------------------------------------------------------------------


@member_page
def become_host(request: HttpRequest) -> HttpResponse:
    if request.membership.can_host:
        return redirect("storefront-host")
    if request.method == "POST":
        membership_become_host(membership=request.membership)
        messages.success(request, _("You are a host now. Start with your first listing."))
        return redirect("storefront-host-listing-new")
    return render(request, "storefront/host/become.html")


# --- listings -------------------------------------------------------------------------------


@host_page
def dashboard(request: HttpRequest) -> HttpResponse:
    listings_of_host = list(properties_of_host(host=request.user))
    rows = [(prop, listings.missing_for_publishing(prop)) for prop in listings_of_host]
    return render(
        request,
        "storefront/host/dashboard.html",
        {
            "rows": rows,
            "requests": selectors.host_requests(host=request.user),
            "upcoming": selectors.host_upcoming_stays(host=request.user, today=marketplace_today())[
                :5
            ],
        },
    )


def _listing_form(request: HttpRequest, **kwargs) -> ListingForm:
    return ListingForm(
        request.POST if request.method == "POST" else None,
        amenities=list(selectors.amenity_choices()),
        **kwargs,
    )


def _listing_url(prop) -> str:
    return reverse("storefront-host-listing", kwargs={"property_id": prop.pk})


@host_page
def listing_new(request: HttpRequest) -> HttpResponse:
    form = _listing_form(request)
    if request.method == "POST" and form.is_valid():
        saved = save_form(
            request,
            form,
            lambda: listings.property_create(host=request.user, data=form.service_data()),
            _("Draft saved. Add photos, then publish it."),
            _listing_url,
        )
        if saved is not None:
            return saved
    return render(request, "storefront/host/listing_form.html", {"form": form, "prop": None})


def _own(request: HttpRequest, property_id):
    return selectors.host_listing(host=request.user, property_id=property_id)


@host_page
def listing_edit(request: HttpRequest, property_id) -> HttpResponse:
    prop = _own(request, property_id)
    if prop is None:
        return not_found(request)
    form = _listing_form(request, initial=ListingForm.initial_for(prop))
    if request.method == "POST" and form.is_valid():
        saved = save_form(
            request,
            form,
            lambda: listings.property_update(property=prop, data=form.service_data()),
            _("Changes saved."),
            _listing_url(prop),
        )
        if saved is not None:
            return saved
    return _listing_page(request, prop, form=form, status=400 if form.errors else 200)


def _listing_page(request, prop, *, form=None, upload_form=None, status=200) -> HttpResponse:
    prop = _own(request, prop.pk)  # fresh photos and status after a change
    return render(
        request,
        "storefront/host/listing_form.html",
        {
            "prop": prop,
            "form": form or _listing_form(request, initial=ListingForm.initial_for(prop)),
            "upload_form": upload_form or PhotoUploadForm(),
            "missing": listings.missing_for_publishing(prop),
            "max_photo_mb": MAX_PHOTO_BYTES // 2**20,
        },
        status=status,
    )


@require_POST
@host_page
def listing_publish(request: HttpRequest, property_id) -> HttpResponse:
    prop = _own(request, property_id)
    if prop is None:
        return not_found(request)
    try:
        if request.POST.get("action") == "unlist":
            listings.property_unlist(property=prop)
            messages.success(request, _("Unlisted: guests no longer find it."))
        else:  # the publish button, and a plain POST to this address
            listings.property_publish(property=prop)
            messages.success(request, _("Published: guests can find and book it now."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("storefront-host-listing", property_id=prop.pk)


# --- photos ---------------------------------------------------------------------------------


@require_POST
@host_page
def photo_upload(request: HttpRequest, property_id) -> HttpResponse:
    """Each picture is its own upload (the service stores one at a time): the good ones
    are kept, each refused one is named with the reason."""
    prop = _own(request, property_id)
    if prop is None:
        return not_found(request)
    form = PhotoUploadForm(request.POST, request.FILES)
    added = 0
    if form.is_valid():
        for upload in form.cleaned_data["photos"]:
            try:
                listings.photo_add(property=prop, upload=upload)
                added += 1
            except ApplicationError as error:
                show_service_errors(form, error, aliases=PHOTO_ALIASES)
                form.add_error("photos", _("%(name)s was not added.") % {"name": upload.name})
    if request.htmx or request.headers.get("X-Photo-Upload") == "1":
        return render(
            request,
            "storefront/host/partials/photos.html",
            {
                "prop": _own(request, prop.pk),
                "upload_form": form,
                "added": added,
                "max_photo_mb": MAX_PHOTO_BYTES // 2**20,
            },
            status=400 if form.errors else 200,
        )
    if form.errors:
        return _listing_page(request, prop, upload_form=form, status=400)
    messages.success(request, _("Photos added."))
    return redirect(reverse("storefront-host-listing", args=[prop.pk]) + "#photos")


def _own_photo(request: HttpRequest, property_id, photo_id):
    prop = _own(request, property_id)
    if prop is None:
        return None, None
    return prop, next((photo for photo in prop.photos.all() if photo.pk == photo_id), None)


@require_POST
@host_page
def photo_move(request: HttpRequest, property_id, photo_id) -> HttpResponse:
    prop, photo = _own_photo(request, property_id, photo_id)
    if photo is None:
        return not_found(request)
    try:
        position = int(request.POST.get("position", ""))
    except ValueError:
        messages.error(request, _("Choose where the photo goes."))
    else:
        listings.photo_move(photo=photo, position=position)
        messages.success(request, _("Photo order saved."))
    return redirect(reverse("storefront-host-listing", args=[prop.pk]) + "#photos")


@require_POST
@host_page
def photo_delete(request: HttpRequest, property_id, photo_id) -> HttpResponse:
    prop, photo = _own_photo(request, property_id, photo_id)
    if photo is None:
        return not_found(request)
    listings.photo_delete(photo=photo)
    messages.success(request, _("Photo deleted."))
    return redirect(reverse("storefront-host-listing", args=[prop.pk]) + "#photos")


# --- calendar -------------------------------------------------------------------------------


def _month(request: HttpRequest) -> date:
    form = MonthForm(request.GET)
    if form.is_valid() and form.cleaned_data["month"]:
        year, month = (int(part) for part in form.cleaned_data["month"].split("-"))
        return date(year, month, 1)
    return marketplace_today().replace(day=1)


def _calendar_at(property_id, day: date) -> str:
    """The calendar opened on the month of `day` (where the block just saved or removed is)."""
    return f"{reverse('storefront-host-calendar', args=[property_id])}?month={day:%Y-%m}"


@host_page
def calendar(request: HttpRequest, property_id) -> HttpResponse:
    prop = _own(request, property_id)
    if prop is None:
        return not_found(request)
    form = BlockForm(request.POST or None)
    month = _month(request)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved = save_form(
                request,
                form,
                lambda: listings.block_create(property=prop, **form.cleaned_data),
                _("Dates blocked."),
                lambda block: _calendar_at(prop.pk, block.start),
            )
            if saved is not None:
                return saved
        status = 400
    return render(
        request,
        "storefront/host/calendar.html",
        {
            "prop": prop,
            "form": form,
            "month": selectors.host_calendar(
                host=request.user, property=prop, year=month.year, month=month.month
            ),
        },
        status=status,
    )


@require_POST
@host_page
def block_delete(request: HttpRequest, property_id, block_id) -> HttpResponse:
    block = selectors.host_block(host=request.user, property_id=property_id, block_id=block_id)
    if block is None:
        return not_found(request)
    listings.block_delete(block=block)
    messages.success(request, _("Dates open again."))
    return redirect(_calendar_at(property_id, block.start))


# --- requests, stays, payouts ---------------------------------------------------------------


@host_page
def reservations(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "storefront/host/reservations.html",
        {
            "requests": selectors.host_requests(host=request.user),
            "upcoming": selectors.host_upcoming_stays(host=request.user, today=marketplace_today()),
        },
    )


@require_POST
@host_page
def reservation_answer(request: HttpRequest, booking_id) -> HttpResponse:
    booking = booking_for_party(booking_id=booking_id, user=request.user)
    if booking is None or booking.property.host_id != request.user.pk:
        return not_found(request)
    answer = request.POST.get("answer")
    try:
        if answer == "accept":
            booking = bookings.booking_accept(booking=booking, actor=request.user)
            messages.success(
                request,
                _("Accepted: %(status)s.") % {"status": booking.get_status_display().lower()},
            )
        elif answer == "decline":
            bookings.booking_decline(booking=booking, actor=request.user)
            messages.success(request, _("Declined. The guest has been told."))
        else:
            messages.error(request, _("Choose Accept or Decline."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("storefront-host-reservations")


@host_page
def payouts(request: HttpRequest) -> HttpResponse:
    return render(
        request, "storefront/host/payouts.html", selectors.host_earnings(host=request.user)
    )
