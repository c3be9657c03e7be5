"""Forms of the marketplace admins' pages. They parse input only: the tenants, accounts,
payments, bookings and reviews services decide, and their refusals show next to fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.constants import Role
from shared_apps.tenants.services import MAX_BRANDING_IMAGE_BYTES
from tenant_apps.payments.constants import Provider

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"
PICTURE_ATTRS = {
    "accept": IMAGE_ACCEPT,
    "data-max-bytes": MAX_BRANDING_IMAGE_BYTES,
    "data-msg-too-large": _("Not sent: %%s is larger than %(mb)s MB. Choose a smaller picture.")
    % {"mb": MAX_BRANDING_IMAGE_BYTES // 2**20},
}


class ColorInput(forms.TextInput):
    input_type = "color"


class BrandingForm(forms.Form):
    display_name = forms.CharField(label=_("Marketplace name"), max_length=100)
    tagline = forms.CharField(
        label=_("Tagline"), max_length=160, required=False,
        help_text=_("One line under the name on the home page."),
    )  # fmt: skip
    description = forms.CharField(
        label=_("Description for search engines"), max_length=300, required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("What search results and link previews show for the home page."),
    )  # fmt: skip
    primary_color = forms.RegexField(
        label=_("Primary colour"), regex=r"^#[0-9a-fA-F]{6}$", widget=ColorInput,
        error_messages={"invalid": _("Use a colour like #14532d.")},
    )  # fmt: skip
    accent_color = forms.RegexField(
        label=_("Accent colour"), regex=r"^#[0-9a-fA-F]{6}$", widget=ColorInput,
        error_messages={"invalid": _("Use a colour like #f59e0b.")},
    )  # fmt: skip
    support_email = forms.EmailField(label=_("Support email"), required=False)
    logo = forms.FileField(
        label=_("Logo"), required=False,
        widget=forms.ClearableFileInput(PICTURE_ATTRS),
        help_text=_("Square works best. JPEG, PNG or WebP, up to %(mb)s MB.")
        % {"mb": MAX_BRANDING_IMAGE_BYTES // 2**20},
    )  # fmt: skip
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    hero = forms.FileField(
        label=_("Home page picture"), required=False,
        widget=forms.ClearableFileInput(PICTURE_ATTRS),
        help_text=_("A wide landscape picture. JPEG, PNG or WebP, up to %(mb)s MB.")
        % {"mb": MAX_BRANDING_IMAGE_BYTES // 2**20},
    )  # fmt: skip
    remove_hero = forms.BooleanField(label=_("Remove the home page picture"), required=False)

    TEXT_FIELDS = ("display_name", "primary_color", "accent_color", "support_email")
    PROFILE_FIELDS = ("tagline", "description")

    def service_arguments(self) -> dict:
        """Keyword arguments of `branding_save`, less the tenant."""
        data = {name: self.cleaned_data[name] for name in self.TEXT_FIELDS}
        data["primary_color"] = data["primary_color"].lower()
        data["accent_color"] = data["accent_color"].lower()
        if self.cleaned_data["remove_logo"]:
            data["logo_url"] = ""
        if self.cleaned_data["remove_hero"]:
            data["hero_url"] = ""
        images = {
            kind: self.cleaned_data[kind]
            for kind in ("logo", "hero")
            if self.cleaned_data.get(kind) and not self.cleaned_data[f"remove_{kind}"]
        }
        profile = {name: self.cleaned_data[name] for name in self.PROFILE_FIELDS}
        return {"data": data, "images": images, "profile": profile}


class PreviewForm(forms.Form):
    """The colours and name of a preview, as the branding form sends them (htmx)."""

    display_name = forms.CharField(max_length=100, required=False)
    tagline = forms.CharField(max_length=160, required=False)
    primary_color = forms.RegexField(regex=r"^#[0-9a-fA-F]{6}$")
    accent_color = forms.RegexField(regex=r"^#[0-9a-fA-F]{6}$")


ROLE_CHOICES = [(Role.GUEST, _("Guest")), (Role.HOST, _("Host")), (Role.ADMIN, _("Admin"))]


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Find a member"), max_length=100, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("Everyone")), *ROLE_CHOICES], required=False
    )


class SecretInput(forms.PasswordInput):
    """Never echoes a value back (render_value=False): secrets are write-only."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", **(attrs or {})}, render_value=False)


class PaymentSettingsForm(forms.Form):
    provider = forms.ChoiceField(label=_("Provider"), choices=Provider.choices)
    publishable_key = forms.CharField(
        label=_("Publishable (public) key"), max_length=255, required=False,
        widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip
    secret_key = forms.CharField(
        label=_("Secret key"), max_length=255, required=False, widget=SecretInput,
        strip=True,
    )  # fmt: skip
    webhook_secret = forms.CharField(
        label=_("Webhook signing secret"), max_length=255, required=False, widget=SecretInput
    )
    offline_instructions = forms.CharField(
        label=_("Offline payment instructions"), max_length=2000, required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("What guests read on an offline marketplace: where to send the money."),
    )  # fmt: skip

    def __init__(self, *args, stored=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stored is not None:
            for name in ("secret_key", "webhook_secret"):
                last4 = getattr(stored, f"{name}_last4")
                hint = (
                    _("Stored, ending in …%(last4)s. Leave empty to keep it.") % {"last4": last4}
                    if last4
                    else _("Not set.")
                )
                self.fields[name].help_text = hint

    def service_arguments(self) -> dict:
        """Empty secrets are left out: they keep their stored value (write-only)."""
        data = dict(self.cleaned_data)
        for name in ("publishable_key", "secret_key", "webhook_secret"):
            if not data[name]:
                data[name] = None
        return data


# No bounds here: the booking and review services hold the limits and say what they are.
def _percent(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=5, decimal_places=2, widget=forms.NumberInput({"step": "0.01"})
    )


class BookingPolicyForm(forms.Form):
    guest_fee_percent = _percent(_("Guest service fee (%)"))
    host_fee_percent = _percent(_("Host service fee (%)"))
    tax_percent = _percent(_("Tax (%)"))
    booking_window_days = forms.IntegerField(label=_("Guests may book up to (days ahead)"))
    request_expiry_hours = forms.IntegerField(label=_("Hosts answer requests within (hours)"))


class ReviewPolicyForm(forms.Form):
    review_window_days = forms.IntegerField(
        label=_("Guests may review a stay within (days after check-out)")
    )
