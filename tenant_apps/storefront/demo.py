"""Demo data for `make run`: an operator and two branded marketplaces that look real and
clearly different (Alpine Lodges: Swiss and French Alps, in CHF; Coastal Cabins: the
California coast, in USD), with drawn photos, reviews with host replies, and trips of the
demo guest (upcoming, past with a review, cancelled).

Everything goes through the same services the API uses; re-running skips what exists."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.selectors import user_by_email
from shared_apps.accounts.services import membership_grant, user_create
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.selectors import marketplace_url
from shared_apps.tenants.services import (
    platform_ensure_public_tenant,
    tenant_provision,
    tenant_update,
)
from tenant_apps.storefront import demo_pictures
from tenant_apps.storefront.demo_hosting import seed_hosting
from tenant_apps.storefront.demo_stays import book, into_the_past, paid

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

PROFILES = {
    "alpine": {
        "tagline": "Chalets, lodges and lofts above the clouds, from Zermatt to Chamonix.",
        "description": "Book hand-picked chalets and mountain lodges in the Swiss and French "
        "Alps: ski-in/ski-out, fireplaces, hot tubs and views of the Matterhorn.",
    },
    "coastal": {
        "tagline": "Cabins and cottages on the California coast, a few steps from the surf.",
        "description": "Beach houses, cliffside cabins and storybook cottages from Malibu to "
        "Big Sur, with ocean views and space to slow down.",
    },
}

# Hosts of each marketplace: (email local part, first name).
HOSTS = {
    "alpine": [("host", "Hugo"), ("anna", "Anna")],
    "coastal": [("host", "Hugo"), ("maya", "Maya")],
}

REVIEWERS = [("lena", "Lena"), ("marco", "Marco"), ("sofia", "Sofia"), ("james", "James")]

# title, city, region, country, lat, lng, price, cleaning, type, guests, bedrooms, baths,
# amenities, instant book, cancellation, min nights, host index, description
LISTINGS = {
    "alpine": [
        ("Chalet Edelweiss with Matterhorn view", "Zermatt", "Valais", "CH", "46.0207",
         "7.7491", "420", "180", "chalet", 8, 4, "3", ["wifi", "fireplace", "ski_in_out",
         "kitchen", "heating", "parking"], True, "moderate", 3, 0,
         "A larch-wood chalet on the sunny side of Zermatt, with the Matterhorn framed in the "
         "living-room window.\n\nFour bedrooms, a wood fire, a boot room with ski heaters and a "
         "terrace for evening raclette. The Sunnegga funicular is a five-minute walk."),
        ("Cosy studio near the Aiguille du Midi", "Chamonix", "Haute-Savoie", "FR",
         "45.9237", "6.8694", "135", "45", "apartment", 2, 1, "1", ["wifi", "heating",
         "kitchen", "workspace"], True, "flexible", 2, 1,
         "A bright studio in the centre of Chamonix, above a bakery.\n\nWake up to the Mont "
         "Blanc massif, walk to the cable car in ten minutes and come back to a small, "
         "well-equipped kitchen and a desk for remote work."),
        ("Family lodge above Verbier", "Verbier", "Valais", "CH", "46.0961", "7.2286",
         "380", "200", "chalet", 10, 5, "4", ["wifi", "hot_tub", "parking", "kitchen",
         "fireplace", "washer"], False, "strict", 4, 0,
         "Room for the whole family: five bedrooms, a games room and an outdoor hot tub "
         "overlooking the Val de Bagnes.\n\nThe ski bus stops at the door in winter; in summer, "
         "the trails start behind the garden."),
        ("Lakeside cabin by the Brienzersee", "Interlaken", "Bern", "CH", "46.6863",
         "7.8632", "190", "60", "cabin", 4, 2, "1", ["wifi", "parking", "fireplace",
         "pets_allowed"], False, "moderate", 2, 1,
         "A wooden cabin with its own jetty on the turquoise Brienzersee.\n\nSwim, paddle, "
         "or take the boat to Brienz; the Jungfrau trains leave from Interlaken, 15 minutes "
         "away. Dogs are welcome."),
        ("Engadin loft with spa access", "St. Moritz", "Graubünden", "CH", "46.4908",
         "9.8355", "290", "90", "loft", 3, 1, "1.5", ["wifi", "gym", "workspace",
         "heating"], True, "flexible", 2, 0,
         "A designer loft under the roof of a historic Engadin house, with access to the "
         "spa and gym next door.\n\nThe lake, the Corviglia lift and the town's cafés are "
         "all within walking distance."),
    ],
    "coastal": [
        ("Malibu beach house on the sand", "Malibu", "California", "US", "34.0259",
         "-118.7798", "650", "250", "house", 6, 3, "2.5", ["wifi", "beach_access",
         "parking", "kitchen", "washer", "air_conditioning"], False, "strict", 3, 0,
         "Step off the deck straight onto Carbon Beach.\n\nThree bedrooms with ocean views, "
         "an open kitchen built for long dinners, and an outdoor shower for after the surf."),
        ("Surfers' cottage near Steamer Lane", "Santa Cruz", "California", "US", "36.9515",
         "-122.0264", "210", "75", "cottage", 4, 2, "1", ["wifi", "washer", "parking",
         "pets_allowed"], True, "moderate", 2, 1,
         "A laid-back cottage two blocks from Steamer Lane, with a board rack, a wetsuit "
         "shower and a fire pit in the yard.\n\nThe boardwalk and downtown are a short bike "
         "ride away; two bikes are included."),
        ("Cannery Row studio", "Monterey", "California", "US", "36.6157", "-121.9010",
         "160", "50", "apartment", 2, 1, "1", ["wifi", "kitchen", "workspace"], True,
         "flexible", 1, 1,
         "A compact studio above Cannery Row, steps from the aquarium and the bay.\n\n"
         "Watch sea otters from the window in the morning; the coastal trail starts at the "
         "door."),
        ("Carmel storybook cottage", "Carmel-by-the-Sea", "California", "US", "36.5552",
         "-121.9233", "275", "95", "cottage", 4, 2, "2", ["wifi", "fireplace",
         "pets_allowed", "kitchen"], False, "moderate", 2, 0,
         "A fairy-tale cottage with a stone chimney and a garden full of roses, four blocks "
         "from Carmel Beach.\n\nGalleries, wine-tasting rooms and cafés are all a stroll away."),
        ("Big Sur cliffside cabin", "Big Sur", "California", "US", "36.2704", "-121.8081",
         "340", "120", "cabin", 2, 1, "1", ["hot_tub", "fireplace", "parking"], False,
         "strict", 2, 0,
         "A redwood cabin on a cliff above the Pacific, with a cedar hot tub facing the "
         "sunset.\n\nNo Wi-Fi on purpose: just the waves, the condors and the stars. "
         "McWay Falls is a 20-minute drive south."),
    ],
}  # fmt: skip

# (rating, cleanliness, accuracy, location, value, comment, host reply or "")
REVIEWS = [
    (5, 5, 5, 5, 4, "Everything was spotless and the view is even better than the photos. "
     "We'll be back next winter.", "Thank you! We would love to host you again."),
    (4, 4, 5, 5, 4, "Great location and a very helpful host. The bedrooms are a bit warm at "
     "night, but the windows open.", "Thanks for the tip: we've added fans to every room."),
    (5, 5, 4, 5, 5, "Quiet, comfortable and beautifully kept. The local tips were spot on.", ""),
    (3, 3, 4, 5, 3, "Wonderful place to be, but the kitchen could use better pans.",
     "Fair point: new pans arrived this week. Thank you for telling us."),
]  # fmt: skip


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


def _photo(slug: str, seed: int, kind: int) -> SimpleUploadedFile:
    data = demo_pictures.listing_picture(slug, seed, kind)
    return SimpleUploadedFile(f"demo-{slug}-{seed}-{kind}.jpg", data, "image/jpeg")


def _seed_branding(tenant: Tenant, slug: str) -> None:
    """The logo (drawn, stored under the marketplace's media prefix), tagline and description."""
    from tenant_apps.storefront.services import storefront_profile_update

    name = f"tenants/{slug}/branding/logo.png"
    if not default_storage.exists(name):
        name = default_storage.save(
            name, ContentFile(demo_pictures.logo(slug, tenant.primary_color))
        )
    logo_url = f"{marketplace_url(tenant=tenant)}{default_storage.url(name)}"
    if tenant.logo_url != logo_url:
        tenant_update(tenant=tenant, data={"logo_url": logo_url})
    with tenant_context(tenant):
        storefront_profile_update(**PROFILES[slug])


def _seed_listings(tenant: Tenant, hosts: list, slug: str) -> list:
    from tenant_apps.listings import services as listings
    from tenant_apps.listings.models import Property, PropertyPhoto

    with tenant_context(tenant):
        existing = list(Property.objects.filter(host__in=hosts).order_by("created"))
        if existing:
            # A demo seeded before photos had renditions gets them now.
            for photo in PropertyPhoto.objects.filter(renditions={}):
                listings.photo_add_missing_renditions(photo=photo)
            return existing
        made = []
        for n, row in enumerate(LISTINGS[slug]):
            (title, city, region, country, lat, lng, price, cleaning, kind, guests, bedrooms,
             baths, amenities, instant, policy, min_nights, host_index, description,
             ) = row  # fmt: skip
            prop = listings.property_create(
                host=hosts[host_index],
                data={
                    "title": title, "description": description,
                    "street": f"{10 + n} {city} Road", "city": city, "region": region,
                    "country": country, "latitude": Decimal(lat), "longitude": Decimal(lng),
                    "nightly_price": Decimal(price), "cleaning_fee": Decimal(cleaning),
                    "property_type": kind, "max_guests": guests, "bedrooms": bedrooms,
                    "beds": bedrooms + 1, "bathrooms": Decimal(baths), "amenities": amenities,
                    "instant_book": instant, "cancellation_policy": policy,
                    "min_nights": min_nights,
                },
            )  # fmt: skip
            for picture in range(3):
                listings.photo_add(property=prop, upload=_photo(slug, n + 1, picture))
            made.append(listings.property_publish(property=prop))
        return made


def _seed_reviews_and_trips(tenant: Tenant, listings: list, guest, reviewers: list) -> None:
    from tenant_apps.bookings import services as bookings
    from tenant_apps.reviews import services as reviews
    from tenant_apps.reviews.models import Review

    with tenant_context(tenant):
        if Review.objects.exists():
            return
        offset = 200  # far enough ahead that nothing the demo or a person booked is in the way
        for index, listing in enumerate(listings):
            # Two or three reviews per listing but the last, which stays "new".
            if index == len(listings) - 1:
                break
            for r, reviewer in enumerate(reviewers[: 2 + index % 2]):
                rating, clean, accurate, place, value, comment, reply = REVIEWS[(index + r) % 4]
                stay = paid(book(listing, reviewer, start_in_days=offset, nights=3))
                offset += (stay.check_out - stay.check_in).days + 1
                stay = into_the_past(stay, ended_days_ago=2 + r * 3)
                review = reviews.review_create(
                    booking=stay, author=reviewer, rating=rating, comment=comment,
                    cleanliness=clean, accuracy=accurate, location=place, value=value,
                )  # fmt: skip
                if reply:
                    reviews.review_reply(review=review, author=listing.host, reply=reply)
        # The demo guest's trips: one to come, one past (reviewed), one cancelled.
        upcoming, past, cancelled = listings[0], listings[1], listings[2]
        paid(book(upcoming, guest, start_in_days=21, nights=4))
        stay = paid(book(past, guest, start_in_days=offset, nights=2))
        stay = into_the_past(stay, ended_days_ago=5)
        reviews.review_create(
            booking=stay, author=guest, rating=5,
            comment="Exactly as described, and the host's recommendations made the trip.",
        )  # fmt: skip
        trip = paid(book(cancelled, guest, start_in_days=45, nights=3))
        bookings.booking_cancel(booking=trip, actor=guest, note="plans changed")


def _seed_payments(tenant: Tenant, name: str) -> None:
    """Demo marketplaces take payment offline, so the whole booking flow runs with no
    outside service: the admin marks bookings paid."""
    from tenant_apps.payments.services import payment_settings_update

    with tenant_context(tenant):
        payment_settings_update(
            provider="offline",
            offline_instructions=f"Pay {name} by bank transfer (IBAN DE00 DEMO 0000 0000), "
            "quoting your booking id, or in cash on arrival.",
        )


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
        hosts = [
            _user(f"{local}@{slug}.demo.test", first_name=first) for local, first in HOSTS[slug]
        ]
        reviewers = [_user(f"{local}@demo.test", first_name=first) for local, first in REVIEWERS]
        membership_grant(user=admin, tenant=tenant, role=Role.ADMIN)
        for host in hosts:
            membership_grant(user=host, tenant=tenant, role=Role.HOST)
        for member in [guest, *reviewers]:
            membership_grant(user=member, tenant=tenant, role=Role.GUEST)
        _seed_payments(tenant, name)
        _seed_branding(tenant, slug)
        listings = _seed_listings(tenant, hosts, slug)
        _seed_reviews_and_trips(tenant, listings, guest, reviewers)
        seed_hosting(
            tenant=tenant, host=hosts[0], guest=guest,
            make_user=lambda email, first: _user(email, first_name=first),
        )  # fmt: skip
        url = marketplace_url(tenant=tenant)
        logins += [
            DemoLogin(url, admin.email, "admin"),
            *(DemoLogin(url, host.email, "host") for host in hosts),
            DemoLogin(url, guest.email, "guest"),
        ]
    return logins
