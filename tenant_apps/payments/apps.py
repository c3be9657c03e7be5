from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tenant_apps.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        # Bookings can't import payments (it sits below it); it calls what registers here.
        from tenant_apps.bookings.collection import register_payment_collector
        from tenant_apps.payments.collection import ProviderCollector

        register_payment_collector(ProviderCollector())
