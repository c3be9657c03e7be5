"""Signing up, in and out, the profile, and passwords, with a session cookie of this
marketplace's host only (host-only cookies, and sessions stored per marketplace schema): a
login on one marketplace is never a login on another, though the same email and password
work on each. The same services as the API: membership_signup, user_update_profile,
password_reset_request, password_set."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from shared_apps.accounts.services import (
    membership_signup,
    password_reset_request,
    password_set,
    user_from_uid,
    user_update_profile,
)
from shared_apps.core.credentials import LockedOut, apply_lockout_status, client_address
from shared_apps.core.errors import ApplicationError
from shared_apps.core.tenancy import current_tenant
from tenant_apps.storefront.forms import (
    MarketplaceLoginForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignupForm,
    posted,
    show_error,
)
from tenant_apps.storefront.throttles import throttled

_login_view = auth_views.LoginView.as_view(
    template_name="storefront/account/login.html",
    authentication_form=MarketplaceLoginForm,
    redirect_authenticated_user=True,
)


@throttled("login")
def login_page(request: HttpRequest) -> HttpResponse:
    """Django's login view under the credential policy (MarketplaceLoginForm); a locked-out
    identity or address gets the page with a 429 and Retry-After."""
    return apply_lockout_status(_login_view(request))


# POST only (Django's LogoutView), so a link or prefetch can't sign anyone out.
logout_page = auth_views.LogoutView.as_view()

EMAIL_BACKEND = "shared_apps.accounts.backends.EmailBackend"


def _next_url(request: HttpRequest, default: str = "storefront-home") -> str:
    """Where to go after signing up: `next` when it stays on this host."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
@throttled("signup")
def signup_page(request: HttpRequest) -> HttpResponse:
    """A new identity with a guest membership, or an existing identity (its password proves
    it) joining this marketplace."""
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = SignupForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            result = membership_signup(
                tenant=current_tenant(), **form.cleaned_data, address=client_address(request)
            )
        except ApplicationError as error:
            show_error(form, error)
            if isinstance(error, LockedOut):
                return _signup_page(request, form, status=429, headers=error.headers)
        else:
            login(request, result.user, backend=EMAIL_BACKEND)
            if result.identity_created:
                messages.success(request, _("Welcome! Your account is ready."))
            else:
                messages.success(request, _("Welcome! You joined with your existing account."))
            return redirect(_next_url(request))
    return _signup_page(request, form, status=400 if request.method == "POST" else 200)


def _signup_page(request: HttpRequest, form, *, status: int, headers=None) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next", "")
    response = render(
        request, "storefront/account/signup.html", {"form": form, "next": next_url}, status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@login_required
@require_http_methods(["GET", "POST"])
def profile_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {"first_name": user.first_name, "last_name": user.last_name, "phone": user.phone}
    form = ProfileForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        user_update_profile(user=user, data=form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("storefront-account")
    status = 400 if request.method == "POST" else 200
    return render(request, "storefront/account/profile.html", {"form": form}, status=status)


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def password_change_page(request: HttpRequest) -> HttpResponse:
    """Django's form checks the old password and the validators the services use; the
    session stays signed in after the change."""
    form = PasswordChangeForm(request.user, posted(request))
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password is changed."))
        return redirect("storefront-account")
    status = 400 if request.method == "POST" else 200
    return render(request, "storefront/account/password_change.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@throttled("password")
def password_reset_page(request: HttpRequest) -> HttpResponse:
    """Asks for a reset link. The answer is the same whether or not the email has an
    account here (password_reset_request says nothing either way)."""
    form = PasswordResetRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        password_reset_request(email=form.cleaned_data["email"])
        return render(request, "storefront/account/password_reset_sent.html")
    status = 400 if request.method == "POST" else 200
    return render(request, "storefront/account/password_reset.html", {"form": form}, status=status)


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
@throttled("password")
def password_set_page(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The page an emailed link opens (password_link_for builds it) to choose a password.
    Django's form asks for it twice; password_set checks the link again and sets it."""
    template = "storefront/account/password_set.html"
    user = user_from_uid(uidb64)
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, template, {"invalid": True}, status=400)
    form = SetPasswordForm(user, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            password_set(uidb64=uidb64, token=token, password=form.cleaned_data["new_password1"])
        except ApplicationError as error:
            show_error(form, error)
        else:
            return render(request, template, {"done": True, "email": user.email})
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, "email": user.email}, status=status)
