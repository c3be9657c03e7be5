from django.db import models
from django.utils.translation import gettext_lazy as _


class StorefrontProfile(models.Model):
    """The marketplace's words on its home page and in search engines; one row per schema
    (created on first use). Colours, logo and name are the Tenant's branding."""

    tagline = models.CharField(
        _("tagline"), max_length=160, blank=True, default="", help_text=_("Under the name.")
    )
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("What search engines and link previews show for the home page."),
    )
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Storefront profile"
