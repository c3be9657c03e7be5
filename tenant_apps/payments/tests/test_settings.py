"""Payment settings: secrets encrypted at rest, never shown or logged, only a marketplace's
own admins read or change them, key shapes checked, the check action, key rotation."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from tenant_apps.payments import selectors
from tenant_apps.payments.tests.fakes import FakeStripe
from tenant_apps.payments.tests.helpers import use_stripe

SETTINGS = "/api/v1/payment-settings"


def test_secrets_are_encrypted_in_the_database(alpha, stripe_keys):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret_key_encrypted, webhook_secret_encrypted, secret_key_last4 "
            "FROM alpha.payments_paymentsettings"
        )
        secret_column, webhook_column, last4 = cursor.fetchone()

    assert stripe_keys["secret_key"] not in secret_column
    assert stripe_keys["webhook_secret"] not in webhook_column
    assert secret_column.startswith("gAAAA")  # a Fernet token
    assert last4 == stripe_keys["secret_key"][-4:]
    with tenant_context(alpha.tenant):
        keys = selectors.settings_keys(selectors.payment_settings())
    assert keys.secret_key == stripe_keys["secret_key"]


def test_reads_show_the_last_four_characters_only(alpha, api, stripe_keys):
    response = api(alpha.host, alpha.admin).get(SETTINGS)

    body = response.json()
    assert response.status_code == 200
    assert body["provider"] == "stripe"
    assert body["publishable_key"] == stripe_keys["publishable_key"]
    assert body["secret_key_last4"] == stripe_keys["secret_key"][-4:]
    assert body["webhook_url"].endswith("/api/v1/payments/webhooks/stripe")
    assert stripe_keys["secret_key"] not in response.content.decode()
    assert stripe_keys["webhook_secret"] not in response.content.decode()


def test_setting_keys_answers_without_the_secrets_and_keeps_omitted_ones(
    alpha, api, stripe_keys, fake_stripe
):
    fresh = fake_stripe.open_account()
    response = api(alpha.host, alpha.admin).put(
        SETTINGS,
        {
            "provider": "stripe",
            "secret_key": fresh["secret_key"],
            "publishable_key": fresh["publishable_key"],
        },  # fmt: skip
        format="json",
    )

    assert response.status_code == 200, response.json()
    text = response.content.decode()
    assert fresh["secret_key"] not in text
    assert stripe_keys["webhook_secret"] not in text
    with tenant_context(alpha.tenant):
        keys = selectors.settings_keys(selectors.payment_settings())
    assert keys.secret_key == fresh["secret_key"]
    assert keys.webhook_secret == stripe_keys["webhook_secret"]  # left out: kept


@pytest.mark.parametrize("role", [Role.GUEST, Role.HOST])
def test_non_admins_can_neither_read_nor_set_keys(alpha, api, make_member, stripe_keys, role):
    member = make_member(alpha.tenant, role).user
    client = api(alpha.host, member)

    assert client.get(SETTINGS).status_code == 403
    changed = client.put(SETTINGS, {"provider": "offline"}, format="json")
    assert changed.status_code == 403
    with tenant_context(alpha.tenant):
        assert selectors.payment_settings().provider == "stripe"


def test_another_marketplaces_admin_can_neither_read_nor_set_keys(alpha, bravo, api, stripe_keys):
    # Bravo's admin, with a token from bravo, at alpha's host: the token is bound to bravo.
    foreign = api(alpha.host, bravo.admin, issuer=bravo.tenant)
    assert foreign.get(SETTINGS).status_code in (401, 403)
    assert foreign.put(SETTINGS, {"provider": "offline"}, format="json").status_code in (401, 403)
    # At bravo's own host, bravo's admin sees bravo's settings, not alpha's.
    own = api(bravo.host, bravo.admin).get(SETTINGS).json()
    assert own["provider"] == "offline"
    assert own["secret_key_last4"] == ""
    with tenant_context(alpha.tenant):
        assert selectors.payment_settings().provider == "stripe"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"secret_key": "sk_nope"}, "secret_key"),
        ({"secret_key": "pk_test_" + "a" * 24}, "secret_key"),
        ({"publishable_key": "sk_test_" + "a" * 24}, "publishable_key"),
        ({"webhook_secret": "secret"}, "webhook_secret"),
        ({"publishable_key": "pk_live_" + "a" * 24}, "publishable_key"),  # test secret, live key
        ({"currency": "EUR"}, "currency"),  # the marketplace prices in USD
    ],
)
def test_malformed_keys_are_a_400_naming_the_field(alpha, api, fake_stripe, change, field):
    keys = fake_stripe.open_account()
    response = api(alpha.host, alpha.admin).put(
        SETTINGS, {"provider": "stripe", **keys, **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert field in response.json()["message"]
    with tenant_context(alpha.tenant):
        assert selectors.payment_settings().provider == "offline"  # nothing half-saved


def test_switching_provider_requires_its_keys(alpha, api):
    response = api(alpha.host, alpha.admin).put(SETTINGS, {"provider": "stripe"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"secret_key", "publishable_key", "webhook_secret"}


def test_switching_to_offline_forgets_the_secrets(alpha, api, stripe_keys):
    response = api(alpha.host, alpha.admin).put(
        SETTINGS, {"provider": "offline", "offline_instructions": "Pay at the desk."}, format="json"
    )

    assert response.json()["secret_key_last4"] == ""
    with tenant_context(alpha.tenant):
        stored = selectors.payment_settings()
        assert stored.secret_key_encrypted == ""
        assert stored.webhook_secret_encrypted == ""


def test_check_action_reports_keys_that_work(alpha, api, stripe_keys):
    response = api(alpha.host, alpha.admin).post(f"{SETTINGS}/check")

    assert response.status_code == 200
    assert response.json() == {
        "ok": True, "provider": "stripe", "message": "Stripe accepted the keys."
    }  # fmt: skip


def test_check_action_explains_keys_the_provider_refuses(alpha, api, fake_stripe):
    keys = use_stripe(alpha, fake_stripe)
    del fake_stripe.accounts[keys["secret_key"]]  # revoked at Stripe

    response = api(alpha.host, alpha.admin).post(f"{SETTINGS}/check")

    assert response.status_code == 400
    assert response.json()["code"] == "keys_refused"
    assert "refused the secret key" in response.json()["message"]
    assert keys["secret_key"] not in response.content.decode()


def test_check_action_during_an_outage_is_retryable(alpha, api, stripe_keys, fake_stripe):
    fake_stripe.down = True

    response = api(alpha.host, alpha.admin).post(f"{SETTINGS}/check")

    assert response.status_code == 503
    assert "Retry-After" in response


def test_secrets_never_reach_a_log_line(
    alpha, api, guest, instant, stripe_keys, fake_stripe, caplog
):
    from tenant_apps.payments.tests.helpers import book

    caplog.set_level(logging.DEBUG)
    booking = book(alpha, instant, guest)
    api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments")
    api(alpha.host, alpha.admin).post(f"{SETTINGS}/check")
    fake_stripe.down = True
    api(alpha.host, alpha.admin).post(f"{SETTINGS}/check")

    assert caplog.records  # the libraries did log (requests, stripe)
    for record in caplog.records:
        line = record.getMessage()
        assert stripe_keys["secret_key"] not in line
        assert stripe_keys["webhook_secret"] not in line


def test_key_rotation_keeps_every_marketplaces_secrets_readable(
    alpha, bravo, settings, fake_stripe
):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    alpha_keys = use_stripe(alpha, fake_stripe)
    bravo_keys = use_stripe(bravo, fake_stripe)
    new_key = Fernet.generate_key().decode()

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_secrets")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone

    for market, keys in ((alpha, alpha_keys), (bravo, bravo_keys)):
        with tenant_context(market.tenant):
            readable = selectors.settings_keys(selectors.payment_settings())
        assert readable.secret_key == keys["secret_key"]
        assert readable.webhook_secret == keys["webhook_secret"]


def test_a_secret_under_a_dropped_key_is_reported_not_garbled(alpha, settings, fake_stripe):
    from django.core.management.base import CommandError

    use_stripe(alpha, fake_stripe)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError, match="alpha"):
        call_command("rotate_secrets")


def test_the_fake_refuses_unknown_keys():
    """The fake must behave like Stripe on bad keys, or the tests above prove nothing."""
    import stripe

    fake = FakeStripe()
    try:
        client = stripe.StripeClient(
            "sk_test_unknown000000000000", base_addresses={"api": fake.url}, max_network_retries=0
        )
        with pytest.raises(stripe.AuthenticationError):
            client.v1.payment_intents.list({"limit": 1})
    finally:
        fake.stop()


def test_keys_unreadable_after_a_key_change_are_a_clear_error(
    alpha, api, guest, instant, settings, fake_stripe
):
    from tenant_apps.payments.tests.helpers import book

    use_stripe(alpha, fake_stripe)
    booking = book(alpha, instant, guest)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key is gone

    paying = api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments")
    checking = api(alpha.host, alpha.admin).post(f"{SETTINGS}/check")

    for response in (paying, checking):
        assert response.status_code == 503
        assert response.json()["code"] == "payment_keys_unreadable"
    # The admin enters the keys again, and paying works.
    fresh = fake_stripe.open_account()
    api(alpha.host, alpha.admin).put(SETTINGS, {"provider": "stripe", **fresh}, format="json")
    assert api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments").status_code == 201


def test_switching_provider_forgets_the_old_providers_webhook_secret(
    alpha, stripe_keys, fake_paystack
):
    from tenant_apps.payments.tests.helpers import use_paystack

    with tenant_context(alpha.tenant):
        assert selectors.payment_settings().webhook_secret_last4  # Stripe's, stored

    use_paystack(alpha, fake_paystack)  # Paystack signs with the secret key: no such secret

    with tenant_context(alpha.tenant):
        stored = selectors.payment_settings()
        assert stored.provider == "paystack"
        assert stored.webhook_secret_encrypted == ""
        assert stored.webhook_secret_last4 == ""
