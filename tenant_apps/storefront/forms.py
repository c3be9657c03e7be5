"""Forms of the guest pages. They parse and validate input only; rules stay in services."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.selectors import membership_for
from shared_apps.core.credentials import PolicyLoginFormMixin
from shared_apps.core.tenancy import current_tenant


class MarketplaceLoginForm(PolicyLoginFormMixin, AuthenticationForm):
    """Email and password of the shared identity; only this marketplace's members get in,
    under the API's credential policy (auth_login): a non-member with the right password
    gets the wrong-password answer, and failures count towards the same lockout."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Email or password is incorrect. New here, or a member of another marketplace "
            "of ours? Sign up to join this one with the same email and password."
        ),
    }

    def may_use(self, user) -> bool:
        return membership_for(user=user, tenant=current_tenant()) is not None


def posted(request):
    """The form data of a POST (even an empty one: a form of optional fields is still
    submitted), None otherwise (an unbound form)."""
    return request.POST if request.method == "POST" else None


def show_error(form: forms.Form, error) -> None:
    """An ApplicationError from a service, shown on the form: its `fields` next to the form's
    fields of those names, everything else (and the message itself) at the top."""
    placed = False
    for name, messages in (error.fields or {}).items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


# --- checkout ----------------------------------------------------------------------------


class StayForm(forms.Form):
    """The stay in the checkout URL (?check_in=…&check_out=…&guests=…)."""

    check_in = forms.DateField(label=_("Check-in"), widget=forms.DateInput(attrs={"type": "date"}))
    check_out = forms.DateField(
        label=_("Check-out"), widget=forms.DateInput(attrs={"type": "date"})
    )
    guests = forms.IntegerField(label=_("Guests"), min_value=1, max_value=99, initial=1)


class BookForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the host"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who is coming, and why you're travelling. At most 200 characters."),
    )


# --- account -----------------------------------------------------------------------------


class NameFields(forms.Form):
    """A person's names, as sign-up and the profile both ask for them."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )  # fmt: skip
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )  # fmt: skip


class SignupForm(NameFields):
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Already have an account on another of our marketplaces? Use the same email and "
            "password to join this one."
        ),
    )


class ProfileForm(NameFields):
    phone = forms.CharField(
        label=_("Phone"), max_length=32, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )  # fmt: skip


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


# --- trips -------------------------------------------------------------------------------


class ReviewForm(forms.Form):
    """Parsing only: the review service checks ratings, lengths, the window and duplicates."""

    RATINGS = [(n, str(n)) for n in range(5, 0, -1)]

    rating = forms.TypedChoiceField(label=_("Overall"), choices=RATINGS, coerce=int)
    cleanliness = forms.TypedChoiceField(
        label=_("Cleanliness"), choices=[("", "—"), *RATINGS], coerce=int, required=False,
        empty_value=None,
    )  # fmt: skip
    accuracy = forms.TypedChoiceField(
        label=_("Accuracy"), choices=[("", "—"), *RATINGS], coerce=int, required=False,
        empty_value=None,
    )  # fmt: skip
    location = forms.TypedChoiceField(
        label=_("Location"), choices=[("", "—"), *RATINGS], coerce=int, required=False,
        empty_value=None,
    )  # fmt: skip
    value = forms.TypedChoiceField(
        label=_("Value"), choices=[("", "—"), *RATINGS], coerce=int, required=False,
        empty_value=None,
    )  # fmt: skip
    comment = forms.CharField(label=_("Your review"), widget=forms.Textarea(attrs={"rows": 5}))
