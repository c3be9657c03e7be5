"""Who may open the host and admin pages. Users are shared across marketplaces, so a page
checks the membership of *this* marketplace: hosts' pages need a host (or admin, who may
host too, as in the API's IsMarketplaceHost), admin pages this marketplace's admin. Anyone
signed out goes to the login page; anyone else gets the branded 403 page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from shared_apps.accounts.constants import Role
from shared_apps.core.permissions import request_membership
from shared_apps.core.tenancy import current_tenant

HOST_ROLES = (Role.HOST, Role.ADMIN)
ADMIN_ROLES = (Role.ADMIN,)
MEMBER_ROLES = tuple(Role.values)


def forbidden(request: HttpRequest, message: str, *, become_host: bool = False) -> HttpResponse:
    return render(
        request,
        "storefront/access/forbidden.html",
        {"message": message, "become_host": become_host},
        status=403,
    )


def _page_for(roles: tuple[str, ...], refusal: Callable[[], str], *, become_host=False):
    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            current_tenant()  # fail closed on the platform host
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = request_membership(request)
            if membership is None or membership.role not in roles:
                is_guest = membership is not None and membership.role == Role.GUEST
                return forbidden(request, refusal(), become_host=become_host and is_guest)
            request.membership = membership
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


host_page = _page_for(
    HOST_ROLES, lambda: _("Only hosts of this marketplace can open this page."), become_host=True
)
admin_page = _page_for(
    ADMIN_ROLES, lambda: _("Only administrators of this marketplace can open this page.")
)
member_page = _page_for(
    MEMBER_ROLES, lambda: _("Only members of this marketplace can open this page.")
)


def not_found(request: HttpRequest) -> HttpResponse:
    """Someone else's listing or booking looks missing, never forbidden."""
    return render(
        request,
        "storefront/access/forbidden.html",
        {"message": _("Nothing of yours is here."), "title": _("Not found")},
        status=404,
    )
