from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from PIL import Image

from shared_apps.accounts.models import User
from shared_apps.tenants.models import Tenant
from tenant_apps.listings import services
from tenant_apps.listings.models import Property


def image_upload(name: str = "room.png", image_format: str = "PNG", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


COMPLETE = {
    "title": "Chalet with a view",
    "street": "1 Rue du Lac",
    "city": "Annecy",
    "country": "FR",
    "latitude": Decimal("45.899247"),
    "longitude": Decimal("6.129384"),
    "nightly_price": Decimal("120.00"),
    "max_guests": 4,
    "bedrooms": 2,
}


def listing_factory(
    tenant: Tenant, host: User, *, publish: bool = True, amenities=(), **fields
) -> Property:
    """A listing made through the services a host uses, published unless told not to."""
    with tenant_context(tenant):
        data = {**COMPLETE, **fields}
        if amenities:
            data["amenities"] = list(amenities)
        prop = services.property_create(host=host, data=data)
        services.photo_add(property=prop, upload=image_upload())
        if publish:
            prop = services.property_publish(property=prop)
        return prop
