"""Demo data for `make run`: an operator and two branded marketplaces with members.

Everything goes through the same services the API uses; re-running skips what exists."""

from __future__ import annotations

from dataclasses import dataclass

from shared_apps.accounts.constants import Role
from shared_apps.accounts.selectors import user_by_email
from shared_apps.accounts.services import membership_grant, user_create
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.selectors import marketplace_url
from shared_apps.tenants.services import platform_ensure_public_tenant, tenant_provision
from tenant_apps.storefront.demo_hosting import seed_hosting

DEMO_PASSWORD = "demo-stays-2026!"  # noqa: S105  (printed by make run on purpose)
OPERATOR_EMAIL = "operator@demo.test"
SHARED_GUEST_EMAIL = "guest@demo.test"

MARKETPLACES = [
    {
        "slug": "alpine",
        "name": "Alpine Lodges",
        "display_name": "Alpine Lodges",
        "primary_color": "#14532d",
        "accent_color": "#f59e0b",
        "support_email": "help@alpine.demo.test",
        "currency": "CHF",
        "timezone": "Europe/Zurich",
    },
    {
        "slug": "coastal",
        "name": "Coastal Cabins",
        "display_name": "Coastal Cabins",
        "primary_color": "#1e3a8a",
        "accent_color": "#06b6d4",
        "support_email": "help@coastal.demo.test",
        "currency": "USD",
        "timezone": "America/Los_Angeles",
    },
]


# (title, city, region, country, lat, lng, price, type, guests, bedrooms, amenities, instant)
LISTINGS = {
    "alpine": [
        ("Chalet Edelweiss with Matterhorn view", "Zermatt", "Valais", "CH", "46.0207",
         "7.7491", "420", "chalet", 8, 4, ["wifi", "fireplace", "ski_in_out", "kitchen"], True),
        ("Cosy studio near the Aiguille du Midi", "Chamonix", "Haute-Savoie", "FR",
         "45.9237", "6.8694", "135", "apartment", 2, 1, ["wifi", "heating"], True),
        ("Family lodge above Verbier", "Verbier", "Valais", "CH", "46.0961", "7.2286",
         "380", "chalet", 10, 5, ["wifi", "hot_tub", "parking", "kitchen"], False),
        ("Lakeside cabin by the Brienzersee", "Interlaken", "Bern", "CH", "46.6863",
         "7.8632", "190", "cabin", 4, 2, ["wifi", "parking", "fireplace"], False),
        ("Engadin loft with spa access", "St. Moritz", "Graubünden", "CH", "46.4908",
         "9.8355", "290", "loft", 3, 1, ["wifi", "gym", "workspace"], True),
    ],
    "coastal": [
        ("Malibu beach house on the sand", "Malibu", "California", "US", "34.0259",
         "-118.7798", "650", "house", 6, 3, ["wifi", "beach_access", "parking"], False),
        ("Surfers' cottage near Steamer Lane", "Santa Cruz", "California", "US", "36.9515",
         "-122.0264", "210", "cottage", 4, 2, ["wifi", "washer", "parking"], True),
        ("Cannery Row studio", "Monterey", "California", "US", "36.6157", "-121.9010",
         "160", "apartment", 2, 1, ["wifi", "kitchen"], True),
        ("Carmel storybook cottage", "Carmel-by-the-Sea", "California", "US", "36.5552",
         "-121.9233", "275", "cottage", 4, 2, ["wifi", "fireplace", "pets_allowed"], False),
        ("Big Sur cliffside cabin", "Big Sur", "California", "US", "36.2704", "-121.8081",
         "340", "cabin", 2, 1, ["hot_tub", "fireplace", "parking"], False),
    ],
}  # fmt: skip


def _demo_photo(seed: int):
    """A generated picture (a sky-to-ground gradient), so the demo needs no image files."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 533))
    draw = ImageDraw.Draw(image)
    top = (90 + seed * 23 % 120, 150 + seed * 11 % 80, 220)
    bottom = (40 + seed * 37 % 90, 110 + seed * 7 % 90, 60)
    for y in range(533):
        mix = y / 532
        color = tuple(int(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (800, y)], fill=color)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile(f"demo-{seed}.jpg", buffer.getvalue(), "image/jpeg")


def _seed_listings(tenant, host, slug: str) -> None:
    from decimal import Decimal

    from django_tenants.utils import tenant_context

    from tenant_apps.listings import services as listings
    from tenant_apps.listings.models import Property

    with tenant_context(tenant):
        if Property.objects.filter(host=host).exists():
            return
        for n, row in enumerate(LISTINGS[slug]):
            (
                title,
                city,
                region,
                country,
                lat,
                lng,
                price,
                kind,
                guests,
                beds,
                amenities,
                instant,
            ) = row
            prop = listings.property_create(
                host=host,
                data={
                    "title": title, "description": f"{title}. Fresh linen, local tips.",
                    "street": f"{10 + n} Demo Street", "city": city, "region": region,
                    "country": country, "latitude": Decimal(lat), "longitude": Decimal(lng),
                    "nightly_price": Decimal(price), "cleaning_fee": Decimal("40"),
                    "property_type": kind, "max_guests": guests, "bedrooms": beds,
                    "beds": beds + 1, "amenities": amenities, "instant_book": instant,
                },
            )  # fmt: skip
            for picture in range(2):
                listings.photo_add(property=prop, upload=_demo_photo(n * 2 + picture))
            listings.property_publish(property=prop)


def _seed_payments(tenant, name: str) -> None:
    """Demo marketplaces take payment offline, so the whole booking flow runs with no
    outside service: the admin marks bookings paid."""
    from django_tenants.utils import tenant_context

    from tenant_apps.payments.services import payment_settings_update

    with tenant_context(tenant):
        payment_settings_update(
            provider="offline",
            offline_instructions=f"Pay {name} by bank transfer (IBAN DE00 DEMO 0000 0000), "
            "quoting your booking id, or in cash on arrival.",
        )


@dataclass
class DemoLogin:
    where: str
    email: str
    role: str


def _user(email: str, *, first_name: str = "", is_staff: bool = False):
    user = user_by_email(email=email)
    if user is None:
        user = user_create(
            email=email, password=DEMO_PASSWORD, first_name=first_name, is_staff=is_staff
        )
    return user


def seed_demo() -> list[DemoLogin]:
    platform_ensure_public_tenant()
    logins = [DemoLogin("platform (operator API and /admin/)", OPERATOR_EMAIL, "staff")]
    _user(OPERATOR_EMAIL, first_name="Olivia", is_staff=True)
    guest = _user(SHARED_GUEST_EMAIL, first_name="Gabriel")
    for spec in MARKETPLACES:
        spec = dict(spec)
        slug, name = spec.pop("slug"), spec.pop("name")
        admin_email = f"admin@{slug}.demo.test"
        admin = _user(admin_email, first_name="Ada")
        tenant = Tenant.objects.filter(schema_name=slug).first()
        if tenant is None:
            tenant = tenant_provision(name=name, slug=slug, admin_email=admin_email, **spec).tenant
        host = _user(f"host@{slug}.demo.test", first_name="Hugo")
        membership_grant(user=admin, tenant=tenant, role=Role.ADMIN)
        membership_grant(user=host, tenant=tenant, role=Role.HOST)
        membership_grant(user=guest, tenant=tenant, role=Role.GUEST)
        _seed_listings(tenant, host, slug)
        _seed_payments(tenant, name)
        seed_hosting(
            tenant=tenant, host=host, guest=guest,
            make_user=lambda email, first: _user(email, first_name=first),
        )  # fmt: skip
        url = marketplace_url(tenant=tenant)
        logins += [
            DemoLogin(url, admin.email, "admin"),
            DemoLogin(url, host.email, "host"),
            DemoLogin(url, guest.email, "guest"),
        ]
    return logins
