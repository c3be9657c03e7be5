"""Forms of the host pages. They parse input only; the listings and bookings services
decide what is allowed and their refusals are shown next to the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.listings.constants import (
    MAX_NIGHTLY_PRICE,
    MAX_PHOTO_BYTES,
    CancellationPolicy,
    PropertyType,
)
from tenant_apps.listings.models import Amenity, Property

MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": 0, "max_value": MAX_NIGHTLY_PRICE}

# The form's sections, in order, for the template (fieldsets with a legend each).
SECTIONS = [
    (_("Details"), ["title", "description", "property_type", "max_guests", "bedrooms", "beds",
                    "bathrooms"]),
    (_("Location"), ["street", "city", "region", "postal_code", "country", "latitude",
                     "longitude"]),
    (_("Price"), ["nightly_price", "cleaning_fee"]),
    (_("House rules"), ["house_rules", "check_in_time", "check_out_time", "min_nights",
                        "max_nights"]),
    (_("Booking"), ["cancellation_policy", "instant_book"]),
    (_("Amenities"), ["amenities"]),
]  # fmt: skip


class ListingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea({"rows": 5})
    )
    property_type = forms.ChoiceField(label=_("Type of place"), choices=PropertyType.choices)
    max_guests = forms.IntegerField(label=_("Guests"), min_value=1, max_value=50, initial=2)
    bedrooms = forms.IntegerField(label=_("Bedrooms"), min_value=0, max_value=50, initial=1)
    beds = forms.IntegerField(label=_("Beds"), min_value=0, max_value=100, initial=1)
    bathrooms = forms.DecimalField(
        label=_("Bathrooms"), max_digits=3, decimal_places=1, min_value=0, max_value=50, initial=1
    )
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    country = forms.RegexField(
        label=_("Country code"), regex=r"^[A-Za-z]{2}$", required=False,
        help_text=_("Two letters, like CH or US."),
        error_messages={"invalid": _("Use a two-letter country code, like CH or US.")},
    )  # fmt: skip
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, min_value=-90, max_value=90,
        required=False,
    )  # fmt: skip
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, min_value=-180, max_value=180,
        required=False,
    )  # fmt: skip
    nightly_price = forms.DecimalField(label=_("Price per night"), required=False, **MONEY)
    cleaning_fee = forms.DecimalField(label=_("Cleaning fee"), initial=0, **MONEY)
    house_rules = forms.CharField(
        label=_("House rules"), max_length=2000, required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("What guests agree to, like quiet hours or no smoking."),
    )  # fmt: skip
    check_in_time = forms.TimeField(
        label=_("Check-in from"), initial="15:00", widget=forms.TimeInput({"type": "time"})
    )
    check_out_time = forms.TimeField(
        label=_("Check-out by"), initial="11:00", widget=forms.TimeInput({"type": "time"})
    )
    min_nights = forms.IntegerField(
        label=_("Minimum nights"), min_value=1, max_value=365, initial=1
    )
    max_nights = forms.IntegerField(
        label=_("Maximum nights"), min_value=1, max_value=365, initial=365
    )
    cancellation_policy = forms.ChoiceField(
        label=_("Cancellation policy"), choices=CancellationPolicy.choices,
        initial=CancellationPolicy.MODERATE,
    )  # fmt: skip
    instant_book = forms.BooleanField(
        label=_("Instant book: guests book without waiting for my answer"), required=False
    )
    amenities = forms.MultipleChoiceField(
        label=_("What guests can use"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, amenities: list[Amenity], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amenities"].choices = [(a.code, a.name) for a in amenities]

    @classmethod
    def initial_for(cls, prop: Property) -> dict:
        initial = {name: getattr(prop, name) for name in cls.base_fields if name != "amenities"}
        initial["amenities"] = [amenity.code for amenity in prop.amenities.all()]
        return initial

    def sections(self):
        return [(legend, [self[name] for name in names]) for legend, names in SECTIONS]

    def service_data(self) -> dict:
        """What the listings service takes: every field (a blank stays blank)."""
        data = dict(self.cleaned_data)
        data["country"] = (data["country"] or "").upper()
        if data["cleaning_fee"] is None:
            data["cleaning_fee"] = 0
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe): each is cleaned alone."""

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class PhotoUploadForm(forms.Form):
    photos = MultipleFileField(
        label=_("Add photos"),
        widget=MultipleFileInput(
            {"accept": "image/jpeg,image/png,image/webp", "data-max-bytes": MAX_PHOTO_BYTES}
        ),
        help_text=_("JPEG, PNG or WebP, up to %(mb)s MB each.") % {"mb": MAX_PHOTO_BYTES // 2**20},
    )


class BlockForm(forms.Form):
    start = forms.DateField(label=_("First night"), widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(
        label=_("Until (check-out day)"), widget=forms.DateInput({"type": "date"}),
        help_text=_("The day after the last blocked night."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note (only you see it)"), max_length=200, required=False)


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)
