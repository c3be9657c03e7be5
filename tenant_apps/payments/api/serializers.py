from rest_framework import serializers

from shared_apps.core.serializers import BoundedDateField, InputSerializer
from tenant_apps.payments.constants import OFFLINE_METHODS, Provider
from tenant_apps.payments.models import Payment, PaymentSettings, Refund

MONEY = {"max_digits": 12, "decimal_places": 2}


class PaymentSettingsInput(InputSerializer):
    """Secrets are write-only: leave one out to keep the stored value."""

    provider = serializers.ChoiceField(choices=Provider.choices)
    publishable_key = serializers.CharField(max_length=255, required=False)
    secret_key = serializers.CharField(max_length=255, required=False, write_only=True)
    webhook_secret = serializers.CharField(max_length=255, required=False, write_only=True)
    currency = serializers.CharField(min_length=3, max_length=3, required=False)
    offline_instructions = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class PaymentSettingsOutput(serializers.ModelSerializer):
    currency = serializers.CharField(source="charged_currency", read_only=True)
    webhook_url = serializers.SerializerMethodField(
        help_text="Where to point the provider's webhooks for this marketplace."
    )

    class Meta:
        model = PaymentSettings
        fields = [
            "provider", "publishable_key", "secret_key_last4", "webhook_secret_last4",
            "currency", "offline_instructions", "webhook_url", "updated",
        ]  # fmt: skip

    def get_webhook_url(self, settings) -> str:
        if settings.provider == Provider.OFFLINE:
            return ""
        request = self.context["request"]
        return request.build_absolute_uri(f"/api/v1/payments/webhooks/{settings.provider}")


class KeyCheckOutput(serializers.Serializer):
    ok = serializers.BooleanField()
    provider = serializers.CharField()
    message = serializers.CharField()


class RefundOutput(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["id", "amount", "status", "reason", "created", "updated"]


class PaymentOutput(serializers.ModelSerializer):
    refunds = RefundOutput(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id", "booking", "attempt", "provider", "reference", "amount", "amount_refunded",
            "currency", "method", "status", "capture_manually", "failure_message", "refunds",
            "created", "updated", "succeeded_at",
        ]  # fmt: skip


class PaymentStartInput(InputSerializer):
    method = serializers.ChoiceField(
        choices=OFFLINE_METHODS,
        required=False,
        help_text="Offline marketplaces: how the guest will pay.",
    )


class PaymentStartOutput(serializers.Serializer):
    payment = PaymentOutput()
    provider = serializers.CharField()
    client_secret = serializers.CharField(
        help_text="Stripe: confirm the card with Stripe.js; Paystack: the access code."
    )
    publishable_key = serializers.CharField()
    redirect_url = serializers.CharField(help_text="Paystack: the page the guest pays on.")
    instructions = serializers.CharField(help_text="Offline: how to pay this marketplace.")
    return_url = serializers.CharField(
        help_text="The guest's trip page, where the provider's payment page returns to."
    )


class MarkPaidInput(InputSerializer):
    method = serializers.ChoiceField(
        choices=OFFLINE_METHODS,
        required=False,
        help_text="Left out: the method the guest chose is kept (cash if they chose none).",
    )
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class WebhookOutput(serializers.Serializer):
    received = serializers.BooleanField()
    outcome = serializers.CharField()


class PayoutQuery(serializers.Serializer):
    def get_fields(self):
        return {
            "from": BoundedDateField(required=False, help_text="Stays ending on or after."),
            "to": BoundedDateField(required=False, help_text="Stays ending on or before."),
        }


class PayoutOutput(serializers.Serializer):
    booking = serializers.UUIDField(source="id")
    property = serializers.UUIDField(source="property_id")
    property_title = serializers.CharField(source="property.title")
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    currency = serializers.CharField()
    total = serializers.DecimalField(**MONEY, help_text="The price the guest was quoted.")
    guest_paid = serializers.DecimalField(**MONEY, help_text="Collected, less refunds.")
    host_fee = serializers.DecimalField(**MONEY)
    host_payout = serializers.DecimalField(
        **MONEY, help_text="What the host is owed: nights and cleaning, less the host fee."
    )


class PayoutTotalOutput(serializers.Serializer):
    currency = serializers.CharField()
    stays = serializers.IntegerField()
    guest_paid = serializers.DecimalField(**MONEY)
    host_fee = serializers.DecimalField(**MONEY)
    host_payout = serializers.DecimalField(**MONEY)


class PayoutPageOutput(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    totals = PayoutTotalOutput(many=True, help_text="Over every matching stay, per currency.")
    results = PayoutOutput(many=True)
