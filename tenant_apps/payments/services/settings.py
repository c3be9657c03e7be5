"""The marketplace's payment settings: its provider and keys (secrets are write-only, checked
for their provider's shape and mode), its currency, asking the provider whether the keys
work, and re-encrypting the secrets with the newest key."""

from __future__ import annotations

from django.db import transaction

from shared_apps.core import crypto
from shared_apps.core.errors import ApplicationError, UpstreamError
from shared_apps.core.tenancy import current_tenant
from tenant_apps.payments import selectors
from tenant_apps.payments.constants import KEY_SHAPES, PROVIDER_CURRENCIES, Provider
from tenant_apps.payments.gateways.base import GatewayError, GatewayUnavailable
from tenant_apps.payments.models import PaymentSettings

SECRET_FIELDS = ("secret_key", "webhook_secret")


@transaction.atomic
def payment_settings_update(
    *,
    provider: str,
    publishable_key: str | None = None,
    secret_key: str | None = None,
    webhook_secret: str | None = None,
    currency: str | None = None,
    offline_instructions: str | None = None,
) -> PaymentSettings:
    """Sets the marketplace's provider and keys. Secrets left out keep their stored value
    (they are write-only); switching to offline forgets them."""
    settings = PaymentSettings.load(for_update=True)
    switching = provider != settings.provider
    given = {"publishable_key": publishable_key, "secret_key": secret_key,
             "webhook_secret": webhook_secret}  # fmt: skip
    problems = _key_problems(provider, given, settings, switching)
    currency = (currency or current_tenant().currency).upper()
    problems.update(_currency_problems(provider, currency))
    if problems:
        raise ApplicationError(
            "Please correct these fields: " + ", ".join(problems) + ".",
            code="invalid",
            fields={name: [message] for name, message in problems.items()},
        )
    settings.provider = provider
    settings.currency = currency
    if offline_instructions is not None:
        settings.offline_instructions = offline_instructions
    if provider == Provider.OFFLINE:
        settings.publishable_key = ""
        for name in SECRET_FIELDS:
            _store_secret(settings, name, "")
    else:
        if publishable_key is not None:
            settings.publishable_key = publishable_key
        for name in SECRET_FIELDS:
            if given[name] is not None and name in KEY_SHAPES[provider]:
                _store_secret(settings, name, given[name])
            elif switching and name not in KEY_SHAPES[provider]:
                _store_secret(settings, name, "")  # the old provider's: nothing may use it
    settings.save()
    return settings


# Keys a provider has no use for, and why (given anyway, they are a 400, not dropped).
UNUSED_KEYS = {
    Provider.PAYSTACK: {
        "webhook_secret": "Paystack signs its webhooks with your secret key, so there is no "
        "separate webhook secret to set. Leave this field out."
    },
}


def _key_problems(provider: str, given: dict, settings: PaymentSettings, switching: bool) -> dict:
    """Each key must have its provider's shape; a new provider needs all its keys; test and
    live keys don't mix."""
    problems = {}
    shapes = KEY_SHAPES.get(provider, {})
    for name, reason in UNUSED_KEYS.get(provider, {}).items():
        if given[name]:  # never silently dropped: say why this provider has no use for it
            problems[name] = reason
    for name, (pattern, description) in shapes.items():
        value = given[name]
        stored = (
            settings.publishable_key
            if name == "publishable_key"
            else getattr(settings, f"{name}_encrypted")
        )
        if value is None and (switching or not stored):
            problems[name] = f"Required for {provider}: {description}."
        elif value is not None and not pattern.match(value):
            problems[name] = f"This is not {description}."
    secret, public = given["secret_key"], given["publishable_key"]
    if not problems and provider != Provider.OFFLINE:
        secret = secret or _stored_secret(settings)
        public = public or settings.publishable_key
        if _mode(secret) != _mode(public):
            problems["publishable_key"] = (
                f"The secret key is a {_mode(secret)} key but this is a {_mode(public)} key; "
                "use keys of the same mode."
            )
    return problems


def _stored_secret(settings: PaymentSettings) -> str:
    try:
        return selectors.settings_keys(settings).secret_key
    except crypto.SecretUnreadable:
        return ""


def _mode(key: str) -> str:
    return "live" if "_live_" in key else "test"


def _currency_problems(provider: str, currency: str) -> dict:
    # The currency is the marketplace's, set by the platform operator (prices, fees and
    # payouts are in it); the admin only picks a provider that takes it.
    marketplace = current_tenant().currency
    if currency != marketplace:
        return {
            "currency": f"Bookings here are priced in {marketplace}, so guests are charged in "
            f"{marketplace}. The platform operator sets the marketplace's currency."
        }
    accepted = PROVIDER_CURRENCIES[provider]
    if accepted is not None and currency not in accepted:
        return {
            "currency": f"{Provider(provider).label} doesn't take {currency}; it takes "
            f"{', '.join(sorted(accepted))}. {currency} is the marketplace's currency, set by "
            "the platform operator: choose a provider that takes it, or ask the operator to "
            "change it."
        }
    return {}


def _store_secret(settings: PaymentSettings, name: str, value: str) -> None:
    setattr(settings, f"{name}_encrypted", crypto.encrypt(value) if value else "")
    setattr(settings, f"{name}_last4", crypto.last4(value))


def payment_settings_check() -> str:
    """Asks the provider whether the stored keys work; returns the provider asked."""
    settings = selectors.payment_settings()
    try:
        selectors.marketplace_gateway(settings).check_keys()
    except GatewayUnavailable as exc:
        raise UpstreamError(exc.message, code="provider_unavailable") from exc
    except GatewayError as exc:
        raise ApplicationError(
            exc.message, code="keys_refused", fields={"secret_key": [exc.message]}
        ) from exc
    return settings.provider


def secrets_rotate() -> int:
    """Re-encrypts this marketplace's secrets with the newest key; returns how many."""
    done = 0
    with transaction.atomic():
        for settings in PaymentSettings.objects.select_for_update():
            for name in SECRET_FIELDS:
                token = getattr(settings, f"{name}_encrypted")
                if token:
                    setattr(settings, f"{name}_encrypted", crypto.rotate(token))
                    done += 1
            settings.save(update_fields=[f"{n}_encrypted" for n in SECRET_FIELDS])
    return done
