import graphene
from django.db.models import Prefetch

from shared_apps.core.graphql.base import page_arguments, parsed, require_member, viewer
from shared_apps.core.graphql.pagination import keyset_page
from shared_apps.core.graphql.selection import selected
from tenant_apps.bookings import selectors, services
from tenant_apps.bookings.api.serializers import BookingListQuery, QuoteQuery
from tenant_apps.bookings.graphql.types import BookingNode, BookingPage, Quote
from tenant_apps.listings.graphql.queries import with_requested_reviews
from tenant_apps.listings.models import PropertyPhoto
from tenant_apps.listings.selectors import visible_property


class BookingSide(graphene.Enum):
    GUEST = "guest"
    HOST = "host"


def _with_requested_listing(bookings, info):
    """The listings' photos, amenities and reviews in a fixed number of queries when the
    query asks for the listing of each booking."""
    if not selected(info, "items", "property"):
        return bookings
    bookings = bookings.prefetch_related(
        "property__amenities",
        Prefetch("property__photos", queryset=PropertyPhoto.objects.order_by("position")),
    )
    return with_requested_reviews(bookings, info, "items", "property", through="property__")


class Query(graphene.ObjectType):
    quote = graphene.Field(
        Quote,
        property_id=graphene.UUID(required=True),
        check_in=graphene.Date(required=True),
        check_out=graphene.Date(required=True),
        guests=graphene.Int(default_value=1),
        required=True,
        description="Price of a stay, and whether it can be booked (with the reasons).",
    )
    my_bookings = graphene.Field(
        BookingPage,
        side=graphene.Argument(BookingSide, default_value="guest", name="as"),
        status=graphene.String(),
        from_=graphene.Date(name="from", description="Stays that end after this date."),
        to=graphene.Date(description="Stays that start before this date."),
        required=True,
        description="My trips, or bookings of my listings (as: HOST), newest first.",
        **page_arguments(),
    )
    booking = graphene.Field(
        BookingNode, id=graphene.UUID(required=True), description="Its guest and host only."
    )

    @staticmethod
    def resolve_quote(root, info, property_id, **stay):
        stay = parsed(QuoteQuery, stay)
        prop = visible_property(property_id=property_id, user=viewer(info))
        return services.stay_quote(property=prop, guest=viewer(info), **stay)

    @staticmethod
    def resolve_my_bookings(root, info, first, side="guest", after=None, **filters):
        user = require_member(info)
        query = {"as": getattr(side, "value", side)}
        if filters.get("status") is not None:
            query["status"] = filters["status"]
        if filters.get("from_") is not None:
            query["from"] = filters["from_"]
        if filters.get("to") is not None:
            query["to"] = filters["to"]
        query = parsed(BookingListQuery, query)
        as_host = query.pop("as") == "host"
        bookings = (
            selectors.bookings_of_host(host=user)
            if as_host
            else selectors.bookings_of_guest(guest=user)
        )
        bookings = _with_requested_listing(selectors.filter_bookings(bookings, **query), info)
        return keyset_page(bookings, ordering=("-created", "-id"), first=first, after=after)

    @staticmethod
    def resolve_booking(root, info, id):
        user = require_member(info)
        return selectors.booking_for_party(booking_id=id, user=user)
