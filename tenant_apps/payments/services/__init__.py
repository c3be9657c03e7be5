"""Every write to payments, one module per seam: settings.py (provider, keys, currency,
secret rotation), paying.py (starting and collecting payments), refunds.py (settling a
booking, sending and marking refunds), webhooks.py (provider events), and state.py (the lock,
provider calls and payment moves they share). Callers import from here.

Provider calls happen while the booking row is locked, so two requests for one booking never
race at the provider, and a provider failure rolls everything back: the booking stays as it
was and the client gets a retryable 503."""

from tenant_apps.payments.services.paying import (
    AttemptTerms,
    PaymentStart,
    payment_collect_for_accept,
    payment_mark_paid,
    payment_start,
    trip_url,
)
from tenant_apps.payments.services.refunds import booking_settle, refund_mark_paid, refund_send
from tenant_apps.payments.services.settings import (
    SECRET_FIELDS,
    UNUSED_KEYS,
    payment_settings_check,
    payment_settings_update,
    secrets_rotate,
)
from tenant_apps.payments.services.webhooks import webhook_receive

__all__ = [
    "SECRET_FIELDS",
    "UNUSED_KEYS",
    "AttemptTerms",
    "PaymentStart",
    "booking_settle",
    "payment_collect_for_accept",
    "payment_mark_paid",
    "payment_settings_check",
    "payment_settings_update",
    "payment_start",
    "refund_mark_paid",
    "refund_send",
    "secrets_rotate",
    "trip_url",
    "webhook_receive",
]
