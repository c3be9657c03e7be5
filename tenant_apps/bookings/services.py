"""Every write to bookings: creation and the state machine. Each transition is recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from shared_apps.accounts.models import User
from shared_apps.core.errors import ApplicationError, ConflictError, ForbiddenError
from shared_apps.core.outbox import publish_after_commit
from shared_apps.core.tenancy import current_tenant, marketplace_today
from tenant_apps.bookings.collection import payment_collector
from tenant_apps.bookings.constants import (
    HOLDING_STATUSES,
    RELEASED_STATUSES,
    TRANSITIONS,
    BookingStatus,
)
from tenant_apps.bookings.locks import lock_booking
from tenant_apps.bookings.models import Booking, BookingPolicy, BookingTransition
from tenant_apps.bookings.notifications import notify
from tenant_apps.bookings.pricing import booking_policy, quote
from tenant_apps.bookings.selectors import dates_taken
from tenant_apps.listings.cache import stay_changed
from tenant_apps.listings.constants import CancellationPolicy, PropertyStatus
from tenant_apps.listings.models import Property


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    message: str


def stay_problems(
    *,
    property: Property,
    guest: User | None,
    check_in: date,
    check_out: date,
    guests: int,
    policy: BookingPolicy | None = None,
) -> list[Problem]:
    """Why these dates can't be booked (empty when they can). Dates held by another booking
    are checked by the caller under a lock, and in the end by the database."""
    problems = []
    today = marketplace_today()
    nights = (check_out - check_in).days
    policy = policy or booking_policy()
    if property.status != PropertyStatus.PUBLISHED:
        problems.append(Problem("not_bookable", "property_id", "This listing is not published."))
    if check_out <= check_in:
        problems.append(Problem("bad_dates", "check_out", "check_out must be after check_in."))
    elif check_in < today:
        problems.append(Problem("past_dates", "check_in", "check_in is in the past."))
    elif check_in > today + timedelta(days=policy.booking_window_days):
        problems.append(
            Problem(
                "too_far_ahead",
                "check_in",
                "This marketplace doesn't take bookings that far ahead.",
            )
        )
    if nights > 0 and nights < property.min_nights:
        problems.append(
            Problem(
                "too_short",
                "check_out",
                f"This listing needs at least {property.min_nights} nights.",
            )
        )
    if nights > property.max_nights:
        problems.append(
            Problem(
                "too_long", "check_out", f"This listing takes at most {property.max_nights} nights."
            )
        )
    if guests < 1 or guests > property.max_guests:
        problems.append(
            Problem(
                "too_many_guests",
                "guests",
                f"This listing sleeps 1 to {property.max_guests} guests.",
            )
        )
    if guest is not None and guest.pk == property.host_id:
        problems.append(Problem("own_listing", "property_id", "You can't book your own listing."))
    if nights > 0:
        blocked, held = dates_taken(property=property, check_in=check_in, check_out=check_out)
        if blocked:
            problems.append(
                Problem("dates_unavailable", "check_in", "The host blocked some of these dates.")
            )
        if held:
            problems.append(
                Problem("dates_unavailable", "check_in", "These dates are already booked.")
            )
    return problems


def stay_quote(
    *, property: Property, guest: User | None, check_in: date, check_out: date, guests: int
) -> dict:
    """What a stay would cost and whether it can be booked (with every reason it can't)."""
    policy = booking_policy()
    problems = stay_problems(
        property=property, guest=guest, check_in=check_in, check_out=check_out, guests=guests,
        policy=policy,
    )  # fmt: skip
    price = None
    if check_out > check_in and property.nightly_price is not None:
        price = quote(
            property=property, check_in=check_in, check_out=check_out,
            currency=current_tenant().currency, policy=policy,
        ).as_fields()  # fmt: skip
    return {"bookable": not problems, "problems": [p.__dict__ for p in problems], "price": price}


def _raise(problems: list[Problem]) -> None:
    first = problems[0]
    status = 409 if first.code == "dates_unavailable" else 400
    raise ApplicationError(
        first.message,
        code=first.code,
        status=status,
        fields={p.field: [p.message] for p in problems},
    )


def _record(booking: Booking, from_status: str, actor: User | None, note: str = "") -> None:
    """Records the transition and, once it commits, notifies the guest and the host from the
    marketplace's own queue."""
    step = BookingTransition.objects.create(
        booking=booking, from_status=from_status, to_status=booking.status, actor=actor, note=note
    )
    publish_after_commit(notify, transition_id=step.pk)


@transaction.atomic
def booking_create(
    *, property_id, guest: User, check_in: date, check_out: date, guests: int, message: str = ""
) -> Booking:
    """Books a stay: `requested` for request-to-book listings (the host answers), or
    `pending_payment` for instant-book ones. The property row is locked, so blocks and
    bookings are checked against a still picture; the exclusion constraint is the last word.
    `message` (the guest's words to the host) is kept on the first step of the timeline."""
    # The statements here are the path's floor (docs/benchmarks.md): the lock, the policy,
    # one check of blocks and bookings, the insert (where the exclusion constraint checks),
    # the transition, its outbox message.
    prop = Property.objects.select_for_update().filter(pk=property_id).first()
    if prop is None:
        raise ApplicationError("No listing with this id here.", code="not_found", status=404)
    policy = booking_policy()
    problems = stay_problems(
        property=prop, guest=guest, check_in=check_in, check_out=check_out, guests=guests,
        policy=policy,
    )  # fmt: skip
    if problems:
        _raise(problems)
    price = quote(
        property=prop, check_in=check_in, check_out=check_out,
        currency=current_tenant().currency, policy=policy,
    )  # fmt: skip
    status = BookingStatus.PENDING_PAYMENT if prop.instant_book else BookingStatus.REQUESTED
    try:
        # No savepoint around it (two round trips): a conflict ends the whole transaction,
        # which this function's atomic block rolls back.
        booking = Booking.objects.create(
            property=prop, guest=guest, check_in=check_in, check_out=check_out,
            guests=guests, status=status, cancellation_policy=prop.cancellation_policy,
            **price.as_fields(),
        )  # fmt: skip
    except IntegrityError as exc:
        raise ConflictError("These dates are already booked.", code="dates_unavailable") from exc
    _record(booking, "", guest, _guest_message(message))
    transaction.on_commit(  # its listing's calendar and the date searches showing it change
        lambda: stay_changed(
            property_id=prop.pk,
            check_in=check_in,
            check_out=check_out,
            held_before=False,
            held_after=True,
        )  # fmt: skip
    )
    return booking


def _guest_message(message: str) -> str:
    message = message.strip()
    limit = BookingTransition._meta.get_field("note").max_length
    if len(message) > limit:
        raise ApplicationError(
            f"Keep your message to the host under {limit} characters.",
            code="message_too_long",
            fields={"message": [f"At most {limit} characters."]},
        )
    return message


def _move(booking: Booking, to: str, actor: User | None, note: str = "") -> Booking:
    locked = lock_booking(booking.pk)
    if to not in TRANSITIONS.get(locked.status, set()):
        raise ConflictError(
            f"This booking is {locked.status.replace('_', ' ')}; it can't become "
            f"{to.replace('_', ' ')}.",
            code="illegal_transition",
        )
    from_status = locked.status
    locked.status = to
    now = timezone.now()
    fields = ["status", "updated"]
    if to == BookingStatus.CONFIRMED:
        locked.confirmed_at = now
        fields.append("confirmed_at")
    if to == BookingStatus.CANCELLED:
        locked.cancelled_at = now
        fields.append("cancelled_at")
    locked.save(update_fields=fields)
    _record(locked, from_status, actor, note)
    transaction.on_commit(
        lambda: stay_changed(
            property_id=locked.property_id,
            check_in=locked.check_in,
            check_out=locked.check_out,
            held_before=from_status in HOLDING_STATUSES,
            held_after=to in HOLDING_STATUSES,
        )  # fmt: skip
    )
    if to in RELEASED_STATUSES:
        # Money held for a booking that gave its dates back goes back to the guest.
        payment_collector().settle_released(booking=locked)
    return locked


def _require_host(booking: Booking, actor: User) -> None:
    if booking.property.host_id != actor.pk:
        raise ForbiddenError("Only the host of this listing may do this.", code="not_the_host")


def _require_request(booking: Booking, verb: str) -> None:
    if booking.status != BookingStatus.REQUESTED:
        raise ConflictError(
            f"Only requests can be {verb}; this booking is {booking.status.replace('_', ' ')}.",
            code="illegal_transition",
        )


@transaction.atomic
def booking_accept(*, booking: Booking, actor: User, note: str = "") -> Booking:
    """The host says yes: the guest's authorized payment is collected and the stay confirmed.
    With nothing to collect yet, the stay waits for the guest's payment (`pending_payment`).
    If the provider can't be reached, nothing changes (a retryable 503)."""
    _require_host(booking, actor)
    locked = lock_booking(booking.pk)
    _require_request(locked, "accepted")
    paid = payment_collector().collect_for_accept(booking=locked)
    to = BookingStatus.CONFIRMED if paid else BookingStatus.PENDING_PAYMENT
    return _move(locked, to, actor, note or "accepted by the host")


@transaction.atomic
def booking_decline(*, booking: Booking, actor: User, note: str = "") -> Booking:
    _require_host(booking, actor)
    locked = lock_booking(booking.pk)
    _require_request(locked, "declined")
    # Shown like a cancellation's: a request the host said no to refunds everything paid.
    refund = refund_for(locked, by_host=True)
    declined = _move(locked, BookingStatus.DECLINED, actor, note)
    declined.refund_amount = refund
    declined.save(update_fields=["refund_amount"])
    return declined


@transaction.atomic
def booking_confirm_payment(*, booking: Booking) -> Booking:
    """The guest paid for a booking awaiting payment (a provider event or an offline admin)."""
    if booking.status != BookingStatus.PENDING_PAYMENT:
        raise ConflictError(
            f"This booking is {booking.status}, not awaiting payment.", code="illegal_transition"
        )
    return _move(booking, BookingStatus.CONFIRMED, None, "paid")


@transaction.atomic
def booking_confirm_capture(*, booking: Booking) -> Booking:
    """The provider reports a request's authorization captured, but the request is still
    open: the host's accept captured it and then failed to commit. Only an accept captures,
    so the host did say yes."""
    return _move(booking, BookingStatus.CONFIRMED, None, "accepted (capture reported late)")


def refund_for(booking: Booking, *, by_host: bool, now: datetime | None = None) -> Decimal:
    """What the guest gets back. Hosts cancelling, and requests never confirmed, refund all.
    Otherwise the policy, counted to check-in at the listing's check-in time, in the
    marketplace's time zone: flexible, all until 24 h before; moderate, all until 5 days
    before, then half; strict, half until 7 days before, then nothing."""
    if by_host or booking.status != BookingStatus.CONFIRMED:
        return booking.total
    zone = ZoneInfo(current_tenant().timezone)
    arrival = datetime.combine(booking.check_in, booking.property.check_in_time, tzinfo=zone)
    ahead = arrival - (now or timezone.now())
    policy = booking.cancellation_policy
    if policy == CancellationPolicy.FLEXIBLE:
        share = Decimal(1) if ahead >= timedelta(hours=24) else Decimal(0)
    elif policy == CancellationPolicy.MODERATE:
        share = Decimal(1) if ahead >= timedelta(days=5) else Decimal("0.5")
    else:
        share = Decimal("0.5") if ahead >= timedelta(days=7) else Decimal(0)
    return (booking.total * share).quantize(booking.total)


@transaction.atomic
def booking_cancel(*, booking: Booking, actor: User, note: str = "") -> Booking:
    by_host = booking.property.host_id == actor.pk
    if not by_host and booking.guest_id != actor.pk:
        raise ForbiddenError("Only the guest or the host may cancel.", code="forbidden")
    locked = lock_booking(booking.pk)
    refund = refund_for(locked, by_host=by_host)
    cancelled = _move(
        locked, BookingStatus.CANCELLED, actor, note or ("by host" if by_host else "by guest")
    )
    cancelled.refund_amount = refund
    cancelled.save(update_fields=["refund_amount"])
    return cancelled


@transaction.atomic
def booking_expire(*, booking: Booking) -> Booking:
    return _move(booking, BookingStatus.EXPIRED, None, "no answer in time")


@transaction.atomic
def booking_complete(*, booking: Booking) -> Booking:
    return _move(booking, BookingStatus.COMPLETED, None, "stay ended")


# What an admin may set on the booking policy, with the range that makes sense for each.
POLICY_LIMITS = {
    "guest_fee_percent": (Decimal(0), Decimal(50), "The guest fee"),
    "host_fee_percent": (Decimal(0), Decimal(50), "The host fee"),
    "tax_percent": (Decimal(0), Decimal(50), "The tax"),
    "booking_window_days": (1, 730, "The booking window"),
    "request_expiry_hours": (1, 168, "The time a host has to answer"),
}


@transaction.atomic
def booking_policy_update(*, data: dict) -> BookingPolicy:
    """Changes the fields of the marketplace's booking policy given in `data`, all or
    nothing; each must be within POLICY_LIMITS."""
    policy = BookingPolicy.load(for_update=True)
    problems = {}
    for field, (low, high, label) in POLICY_LIMITS.items():
        if field in data and not (low <= data[field] <= high):
            problems[field] = [f"{label} must be from {low} to {high}."]
    if problems:
        raise ApplicationError(
            "Please correct these fields: " + ", ".join(problems) + ".", fields=problems
        )
    changed = [field for field in POLICY_LIMITS if field in data]
    for field in changed:
        setattr(policy, field, data[field])
    if changed:
        policy.save(update_fields=changed)
    return policy
