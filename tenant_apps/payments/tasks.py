"""Money going back to guests, from the marketplace's own queue, retried while the provider
is unreachable."""

from __future__ import annotations

from shared_apps.core.errors import UpstreamError
from shared_apps.core.tasks import TRANSIENT_ERRORS, marketplace_task
from tenant_apps.payments import services
from tenant_apps.payments.gateways.base import GatewayUnavailable


@marketplace_task(
    name="payments.settle_booking",
    autoretry_for=(*TRANSIENT_ERRORS, GatewayUnavailable, UpstreamError),
)
def settle_booking(booking_id: str) -> int:
    """Releases authorizations and refunds what the policy allows for a booking that gave
    its dates back. Idempotent: refunds are planned once and sent with their own id as the
    provider's idempotency key."""
    return services.booking_settle(booking_id=booking_id)
