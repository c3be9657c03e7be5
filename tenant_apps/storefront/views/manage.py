"""Marketplace admins' pages under /manage/ (/admin/ is Django's admin): branding with a
live preview, members and roles, payment settings, booking and review policies. Thin views
over the same services and selectors as the REST API."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shared_apps.accounts.selectors import member_get, member_list
from shared_apps.accounts.services import membership_set_role
from shared_apps.core.errors import ApplicationError
from shared_apps.core.tenancy import current_tenant
from shared_apps.tenants.models import Tenant
from tenant_apps.bookings.pricing import booking_policy
from tenant_apps.bookings.services import booking_policy_update
from tenant_apps.payments.selectors import payment_settings
from tenant_apps.payments.services import payment_settings_check, payment_settings_update
from tenant_apps.reviews.selectors import review_policy
from tenant_apps.reviews.services import review_policy_update
from tenant_apps.storefront.access import admin_page, not_found
from tenant_apps.storefront.form_errors import save_form
from tenant_apps.storefront.forms_manage import (
    BookingPolicyForm,
    BrandingForm,
    MemberRoleForm,
    MemberSearchForm,
    PaymentSettingsForm,
    PreviewForm,
    ReviewPolicyForm,
)
from tenant_apps.storefront.selectors import storefront_profile
from tenant_apps.storefront.services import branding_save
from tenant_apps.storefront.theme import text_pairs, theme_for

# --- branding ------------------------------------------------------------------------------


def _preview(values: dict) -> dict:
    """What the preview shows for these (unsaved) colours and name: the derived theme and
    every themed text/background pair with its contrast."""
    draft = Tenant(
        name=values.get("display_name") or "",
        display_name=values.get("display_name") or "",
        primary_color=values["primary_color"].lower(),
        accent_color=values["accent_color"].lower(),
    )
    theme = theme_for(draft)
    return {
        "draft": draft,
        "tagline": values.get("tagline") or "",
        "theme": theme,
        "pairs": text_pairs(theme),
    }


def _branding_values(tenant: Tenant) -> dict:
    profile = storefront_profile()
    return {
        **{name: getattr(tenant, name) for name in BrandingForm.TEXT_FIELDS},
        **{name: getattr(profile, name) for name in BrandingForm.PROFILE_FIELDS},
    }


@admin_page
def branding(request: HttpRequest) -> HttpResponse:
    tenant = current_tenant()
    form = BrandingForm(
        request.POST or None, request.FILES or None, initial=_branding_values(tenant)
    )
    # "Preview without saving" (the page without JavaScript) shows the typed values only.
    previewing = "preview" in request.POST
    if request.method == "POST" and not previewing and form.is_valid():
        saved = save_form(
            request,
            form,
            lambda: branding_save(tenant=tenant, **form.service_arguments()),
            _("Branding saved. Guests see it now."),
            "storefront-manage",
            aliases={"logo_url": "logo", "hero_url": "hero"},
        )
        if saved is not None:
            return saved
    values = dict(_branding_values(tenant))
    if form.is_bound:
        # Preview what was typed, as long as the colours are colours.
        preview = PreviewForm(request.POST)
        if preview.is_valid():
            values = preview.cleaned_data
    return render(
        request,
        "storefront/manage/branding.html",
        {"form": form, **_preview(values)},
        status=400 if form.is_bound and not previewing and form.errors else 200,
    )


@require_safe
@admin_page
def branding_preview(request: HttpRequest) -> HttpResponse:
    """The preview panel for the colours being picked (htmx swaps it in as they change)."""
    form = PreviewForm(request.GET)
    values = form.cleaned_data if form.is_valid() else _branding_values(current_tenant())
    return render(request, "storefront/manage/partials/preview.html", _preview(values))


@require_safe
@admin_page
def branding_preview_css(request: HttpRequest) -> HttpResponse:
    """The preview's colours as a stylesheet scoped to the preview panel (no inline styles
    under the page's CSP)."""
    form = PreviewForm(request.GET)
    values = form.cleaned_data if form.is_valid() else _branding_values(current_tenant())
    theme = _preview(values)["theme"]
    return render(
        request,
        "storefront/manage/preview.css",
        {"variables": theme.variables()},
        content_type="text/css; charset=utf-8",
    )


# --- members -------------------------------------------------------------------------------


@admin_page
def members(request: HttpRequest) -> HttpResponse:
    search = MemberSearchForm(request.GET)
    filters = search.cleaned_data if search.is_valid() else {}
    found = member_list(
        tenant=current_tenant(), role=filters.get("role") or None, search=filters.get("q", "")
    ).order_by("role", "user__email")
    return render(request, "storefront/manage/members.html", {"members": found, "search": search})


@require_POST
@admin_page
def member_role(request: HttpRequest, user_id) -> HttpResponse:
    membership = member_get(tenant=current_tenant(), user_id=user_id)
    if membership is None:
        return not_found(request)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose guest, host or admin."))
        return redirect("storefront-manage-members")
    try:
        changed = membership_set_role(membership=membership, role=form.cleaned_data["role"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(who)s is now %(role)s.")
            % {"who": changed.user.email, "role": changed.get_role_display().lower()},
        )
    return redirect("storefront-manage-members")


# --- payments ------------------------------------------------------------------------------


def _payment_form(request: HttpRequest, stored) -> PaymentSettingsForm:
    initial = {
        "provider": stored.provider,
        "publishable_key": stored.publishable_key,
        "offline_instructions": stored.offline_instructions,
    }
    return PaymentSettingsForm(request.POST or None, initial=initial, stored=stored)


@admin_page
def payments(request: HttpRequest) -> HttpResponse:
    stored = payment_settings()
    form = _payment_form(request, stored)
    if request.method == "POST" and form.is_valid():
        saved = save_form(
            request,
            form,
            lambda: payment_settings_update(**form.service_arguments()),
            _("Payment settings saved."),
            "storefront-manage-payments",
        )
        if saved is not None:
            return saved
    return render(
        request,
        "storefront/manage/payments.html",
        {"form": form, "stored": stored},
        status=400 if form.errors else 200,
    )


@require_POST
@admin_page
def payments_check(request: HttpRequest) -> HttpResponse:
    try:
        provider = payment_settings_check()
    except ApplicationError as error:
        messages.error(request, _("The keys don't work: %(why)s") % {"why": error.message})
    else:
        messages.success(request, _("The %(provider)s keys work.") % {"provider": provider})
    return redirect("storefront-manage-payments")


# --- policies ------------------------------------------------------------------------------


@admin_page
def policies(request: HttpRequest) -> HttpResponse:
    """Two forms on one page, each saved on its own (the submit button says which)."""
    booking = booking_policy()
    reviews = review_policy()
    which = request.POST.get("policy") if request.method == "POST" else None
    booking_form = BookingPolicyForm(
        request.POST if which == "booking" else None,
        initial={name: getattr(booking, name) for name in BookingPolicyForm.base_fields},
        prefix="booking",
    )
    review_form = ReviewPolicyForm(
        request.POST if which == "reviews" else None,
        initial={"review_window_days": reviews.review_window_days},
        prefix="reviews",
    )
    bound = {"booking": booking_form, "reviews": review_form}.get(which)
    if bound is not None and bound.is_valid():
        if which == "booking":
            call = partial(booking_policy_update, data=bound.cleaned_data)
        else:
            call = partial(review_policy_update, **bound.cleaned_data)
        saved = save_form(request, bound, call, _("Policy saved."), "storefront-manage-policies")
        if saved is not None:
            return saved
    return render(
        request,
        "storefront/manage/policies.html",
        {"booking_form": booking_form, "review_form": review_form},
        status=400 if bound is not None and bound.errors else 200,
    )
