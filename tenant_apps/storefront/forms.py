"""Forms of the guest pages. They parse and validate input only; rules stay in services."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.selectors import membership_for
from shared_apps.core.tenancy import current_tenant


class MarketplaceLoginForm(AuthenticationForm):
    """Email and password of the shared identity; only this marketplace's members get in,
    as with the API's login (auth_login)."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Email or password is incorrect."),
        "not_a_member": _(
            "You are not a member of this marketplace yet. Sign up to join it with the same "
            "email and password."
        ),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if membership_for(user=user, tenant=current_tenant()) is None:
            raise forms.ValidationError(self.error_messages["not_a_member"], code="not_a_member")
