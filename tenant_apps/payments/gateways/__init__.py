"""The gateway for a marketplace's payment settings."""

from __future__ import annotations

from tenant_apps.payments.constants import Provider
from tenant_apps.payments.gateways.base import Gateway, Keys
from tenant_apps.payments.gateways.offline import OfflineGateway
from tenant_apps.payments.gateways.paystack import PaystackGateway
from tenant_apps.payments.gateways.stripe import StripeGateway

GATEWAYS = {
    Provider.OFFLINE: OfflineGateway,
    Provider.STRIPE: StripeGateway,
    Provider.PAYSTACK: PaystackGateway,
}


def gateway(provider: str, keys: Keys) -> Gateway:
    return GATEWAYS[provider](keys)
